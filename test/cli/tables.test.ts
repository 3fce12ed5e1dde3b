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
    expect(t.area.find((a) => a.component === 'mac_array')!.mm2).toBeNull();
  });
  it('more LUT replicas or ports cost area; a wider LUT output costs LUT read energy', () => {
    const base = tables('sop-hif');
    expect(lutArea(tables('sop-hif', '--set', 'lut.replicas=16', '--set', 'lut.capacity_bytes=8192'))).toBeGreaterThan(lutArea(base));
    expect(lutArea(tables('sop-hif', '--set', 'lut.ports=4'))).toBeGreaterThan(lutArea(base));
    const read = (t: ReturnType<typeof tables>) => t.energy.find((e) => e.component === 'lut_sram' && e.action === 'read_entry')!.pj;
    expect(read(tables('sop-hif', '--set', 'lut.output=hif16'))).toBeGreaterThan(read(base));
  });
  it('the FP8 datapath has no LUT line; a bad config is one line, exit 2', () => {
    expect(tables('fp8-e4m3').area.map((a) => a.component)).not.toContain('lut_sram');
    const bad = sopsim(['tables', 'sop-hif', '--set', 'lut.impl=magic']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown implementation "magic"/);
  });
});
