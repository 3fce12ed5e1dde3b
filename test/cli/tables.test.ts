// sopsim tables: the energy and area reference tables of a hw-config, every entry with its source.
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

const tables = (...args: string[]) => {
  const r = sopsim(['tables', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { energy: Array<{ component: string; action: string; pj: number; source: string }>; area: Array<{ component: string; mm2: number | null; source: string }> };
};
const lutArea = (t: ReturnType<typeof tables>) => t.area.find((a) => a.component === 'lut_sram')!.mm2!;

describe('sopsim tables', () => {
  it('lists every action with its energy and source, and the SRAM blocks\' areas from CACTI', () => {
    const t = tables('sop-hif');
    expect(t.energy.length).toBeGreaterThan(12);
    for (const e of t.energy) {
      expect(e.pj).toBeGreaterThanOrEqual(0);
      expect(e.source.length).toBeGreaterThan(5);
    }
    expect(t.energy.find((e) => e.component === 'lut_sram' && e.action === 'read_entry')!.source).toMatch(/CACTI 7/);
    expect(lutArea(t)).toBeGreaterThan(0);
    // logic blocks have areas from their cells; the total is the sum of the blocks
    expect(t.area.find((a) => a.component === 'mac_array')!.mm2).toBeGreaterThan(0);
    expect(t.area.find((a) => a.component === 'mac_array')!.source).toMatch(/logic model/);
    expect((t as unknown as { area_total_mm2: number }).area_total_mm2).toBeCloseTo(t.area.reduce((s, a) => s + (a.mm2 ?? 0), 0), 12);
  });
  it('more LUT replicas or ports cost area; a wider LUT output costs LUT read energy', () => {
    const base = tables('sop-hif');
    expect(lutArea(tables('sop-hif', '--set', 'lut.replicas=128', '--set', 'lut.capacity_bytes=16384'))).toBeGreaterThan(lutArea(base));
    expect(lutArea(tables('sop-hif', '--set', 'lut.ports=4'))).toBeGreaterThan(lutArea(base));
    const read = (t: ReturnType<typeof tables>) => t.energy.find((e) => e.component === 'lut_sram' && e.action === 'read_entry')!.pj;
    expect(read(tables('sop-hif', '--set', 'lut.output=hif16'))).toBeGreaterThan(read(base));
  });
  it('a wider LUT output costs MAC, scale-multiplier and output-path energy and MAC area, not only LUT reads', () => {
    const base = tables('sop-hif');
    const wide = tables('sop-hif', '--set', 'lut.output=hif16');
    const pj = (t: ReturnType<typeof tables>, c: string, a: string) => t.energy.find((e) => e.component === c && e.action === a)!.pj;
    for (const [c, a] of [['mac_array', 'mac_table'], ['scale_multiplier', 'multiply'], ['hif_output', 'convert'], ['codebook_rom', 'lookup']]) expect(pj(wide, c, a), `${c}.${a}`).toBeGreaterThan(pj(base, c, a));
    expect(wide.area.find((a) => a.component === 'mac_array')!.mm2!).toBeGreaterThan(base.area.find((a) => a.component === 'mac_array')!.mm2!);
    // the activation and accumulator formats change the MAC too
    expect(pj(tables('sop-hif', '--set', 'mac_array.activation=fp16'), 'mac_array', 'mac_table')).toBeGreaterThan(pj(base, 'mac_array', 'mac_table'));
    expect(pj(tables('sop-bf16lut', '--set', 'mac_array.accumulator=fp16'), 'mac_array', 'mac_table')).toBeLessThan(pj(tables('sop-bf16lut'), 'mac_array', 'mac_table'));
  });
  it('the shift-add HIF entries: a 5-bit multiply and a 0-3 (hif7sa) or 0-4 (hif8sa) shift, cheaper than hif8', () => {
    const mac = (out: string) => tables('sop-hif', '--set', `lut.output=${out}`).energy.find((e) => e.action === 'mac_table')!;
    const [h7, h8s, h8] = [mac('hif7sa'), mac('hif8sa'), mac('hif8')];
    expect(h7.source).toMatch(/int5 x int8 multiply and a 0-3 shift, 21-bit fixed-point add/);
    expect(h8s.source).toMatch(/int5 x int8 multiply and a 0-4 shift, 22-bit fixed-point add/);
    expect(h7.pj).toBeLessThan(h8s.pj);
    expect(h8s.pj).toBeLessThan(h8.pj);
  });
  it('the HIF MAC is an integer MAC; the BF16 LUT MAC a float one, dearer', () => {
    const hif = tables('sop-hif').energy.find((e) => e.action === 'mac_table')!;
    const bf = tables('sop-bf16lut').energy.find((e) => e.action === 'mac_table')!;
    expect(hif.source).toMatch(/int8 x int8 multiply, 21-bit fixed-point add/);
    expect(bf.source).toMatch(/bf16 x bf16 multiply.*fp32 add/);
    expect(bf.pj).toBeGreaterThan(hif.pj);
  });
  it('the FP8 datapath has no LUT line; a bad config is one line, exit 2', () => {
    expect(tables('fp8-e4m3').area.map((a) => a.component)).not.toContain('lut_sram');
    const bad = sopsim(['tables', 'sop-hif', '--set', 'lut.impl=magic']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown implementation "magic"/);
  });
});
