// One output contract across simulate, compare, replay and sweep: the same columns, a `row` column for totals,
// ratios beside every baseline (empty over zero), rounded floats, plain notation, snake_case JSON.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'contract-'));
const csv = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;
const header = (file: string) => readFileSync(file, 'utf8').split('\n')[0].split(',');

describe('one output contract', () => {
  it('replay, simulate and compare write the same per-layer columns; the total is row=total, ratios beside the baseline', () => {
    const rp = join(dir, 'replay.csv');
    const sm = join(dir, 'simulate.csv');
    const cp = join(dir, 'compare.csv');
    expect(sopsim(['replay', 'traces/tiny-2layer.json', '--baseline', 'fp8-e4m3', '--csv', rp]).code).toBe(0);
    expect(sopsim(['simulate', 'traces/tiny-2layer.json', '--csv', sm]).code).toBe(0);
    expect(sopsim(['compare', 'traces/tiny-2layer.json', '--csv', cp]).code).toBe(0);
    const r = csv(rp);
    expect(r.map((x) => x.row)).toEqual([...Array(14).fill('layer'), 'total']);
    expect(r.map((x) => x.index)).toEqual([...Array.from({ length: 14 }, (_, i) => String(i)), '']);
    expect(r[0].scheme).not.toBe('');
    expect(r.every((x) => x.baseline === 'fp8-e4m3')).toBe(true);
    for (const x of r) expect(Number(x.ratio_energy_total)).toBeCloseTo(Number(x.energy_total_pj) / Number(x.baseline_energy_total_pj), 8);
    // simulate: the same leading and figure columns, without the baseline's
    expect(header(sm)).toEqual(header(rp).filter((c) => !c.startsWith('baseline_') && !c.startsWith('ratio_')));
    expect(csv(sm).map((x) => x.row).at(-1)).toBe('total');
    // compare: the total of the same run, in the same columns
    expect(header(cp)).toEqual(header(rp));
    const total = r.at(-1)!;
    const c = csv(cp)[0];
    for (const k of ['cycles', 'energy_total_pj', 'baseline_cycles', 'ratio_energy_total']) expect(c[k], k).toBe(total[k]);
    // no binary noise: fractions to 10 significant digits
    for (const x of r) for (const [k, v] of Object.entries(x)) if (/^-?\d+\.\d+$/.test(v)) expect(v.replace(/^-?0\.0*|\./g, '').length, `${k}=${v}`).toBeLessThanOrEqual(10);
  }, 120_000);

  it('a ratio over zero is empty in CSV and null in JSON, never 1', () => {
    const rp = join(dir, 'zero.csv');
    expect(sopsim(['replay', 'traces/tiny-2layer.json', '--baseline', 'fp8-e4m3', '--csv', rp]).code).toBe(0);
    // the baseline has no LUT: energy ratios exist, but a LUT figure's ratio does not; stall_lut_reload is 0 on both
    const j = JSON.parse(sopsim(['compare', 'traces/tiny-2layer.json', '--json']).stdout);
    expect(j.ratio.energy_pj.lut_sram).toBeNull();
    expect(j.ratio.stall_cycles.lut_reload).toBeNull();
    expect(j.sop.hw).toBe('sop-hif');
  }, 120_000);

  it('compare prints plain notation (no exponents) and every JSON key is snake_case', () => {
    const text = sopsim(['compare', 'traces/tiny-2layer.json']).stdout;
    expect(/\de[+-]\d/.test(text)).toBe(false);
    const keys = (x: unknown, out: string[] = []): string[] => {
      if (Array.isArray(x)) x.forEach((v) => keys(v, out));
      else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) (out.push(k), keys(v, out));
      return out;
    };
    const q = JSON.parse(sopsim(['quantize', 'synthetic:t4:32x256:4', '-s', 'sop4', '--json']).stdout);
    expect(q.bits.element_bits).toBe(32 * 256 * 4);
    const s = JSON.parse(sopsim(['simulate', 'synthetic:t4:32x256:4', '--json']).stdout);
    expect(s.energy_detail[0].pj_each).toBeGreaterThan(0);
    const camel = /^[a-z][a-z0-9]*[A-Z]/;
    for (const doc of [q, s, JSON.parse(sopsim(['compare', 'synthetic:t4:32x256:4', '--json']).stdout)]) expect(keys(doc).filter((k) => camel.test(k))).toEqual([]);
  }, 120_000);
});
