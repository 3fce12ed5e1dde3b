// sopsim report: one line per value of a second axis, small multiples beyond two, several sweeps overlaid,
// SVG/PNG export, and the numbers under every chart.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'report-'));
const rowsOf = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;

describe('report --svg on a two-axis sweep with an infeasible value', () => {
  const sweep = join(dir, 'two.csv');
  it('writes every point, the infeasible ones marked, and the baseline moves with the swept bandwidth', () => {
    const r = sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.capacity_bytes=32,1K,4K', '--set', 'weight_fetch.gb_per_s=8,16', '--out', sweep, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const rows = rowsOf(sweep);
    expect(rows.map((x) => x.status.split(':')[0])).toEqual(['infeasible', 'infeasible', 'ok', 'ok', 'ok', 'ok']);
    const ok = rows.filter((x) => x.status === 'ok');
    expect(Number(ok[0].baseline_cycles)).toBeGreaterThan(Number(ok[1].baseline_cycles)); // 8 GB/s is slower than 16
    expect(ok.map((x) => x.baseline_sets)).toEqual(['weight_fetch.gb_per_s=8', 'weight_fetch.gb_per_s=16', 'weight_fetch.gb_per_s=8', 'weight_fetch.gb_per_s=16']);
  }, 120_000);

  it('writes one SVG (and its numbers) per chart, one line per value of the second axis, ticks at the swept values', () => {
    const figs = join(dir, 'figs');
    const pngs = join(dir, 'pngs');
    const html = join(dir, 'r.html');
    const r = sopsim(['report', sweep, '--svg', figs, '--png', pngs, '-o', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/WARN/); // Vega-Lite warns of a spec it had to change
    const ids = [...readFileSync(html, 'utf8').matchAll(/<figure id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(9);
    expect(readdirSync(figs).filter((f) => f.endsWith('.svg')).sort()).toEqual(ids.map((i) => `${i}.svg`).sort());
    expect(readdirSync(pngs).sort()).toEqual(ids.map((i) => `${i}.png`).sort());
    for (const p of readdirSync(pngs)) expect(readFileSync(join(pngs, p)).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // one line per bandwidth, each over the feasible LUT sizes: no sawtooth over the first axis
    const ratio = rowsOf(join(figs, 'sweep-ratio-energy.csv'));
    expect(Object.keys(ratio[0])).toEqual(['weight_fetch.gb_per_s', 'lut.capacity_bytes', 'ratio_energy_total']);
    expect(ratio.map((x) => `${x['weight_fetch.gb_per_s']}@${x['lut.capacity_bytes']}`)).toEqual(['8@1024', '16@1024', '8@4096', '16@4096']);
    const svg = readFileSync(join(figs, 'sweep-ratio-energy.svg'), 'utf8');
    expect((svg.match(/aria-roledescription="line mark"/g) ?? []).length).toBe(2);
    expect(svg.includes('>1,024<') && svg.includes('>4,096<')).toBe(true); // ticks at the swept values
    expect(svg.includes('>lut.capacity_bytes (B)<')).toBe(true); // units on the axis
    expect(svg.includes('energy ratio (SOP / fp8-e4m3)')).toBe(true); // the baseline's real name
    // the LUT energy has a view of its own, on chip and per weight
    expect(rowsOf(join(figs, 'sweep-energy-lut.csv')).every((x) => Number(x.lut_pj_per_weight) > 0)).toBe(true);
  }, 120_000);
});

describe('report: overlays and small multiples', () => {
  it('overlays two sweeps over the same axis (a dash or colour per file); a third axis gives one panel per value', () => {
    const a = join(dir, 'hif.csv');
    const b = join(dir, 'bf16.csv');
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.capacity_bytes=1K,4K', '--out', a, '--workers', '1']).code).toBe(0);
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--hw', 'sop-bf16lut', '--set', 'lut.capacity_bytes=1K,4K', '--out', b, '--workers', '1']).code).toBe(0);
    const figs = join(dir, 'overlay');
    expect(sopsim(['report', a, b, '--svg', figs]).code).toBe(0);
    const t = rowsOf(join(figs, 'sweep-energy-total.csv'));
    expect(t.map((x) => x.file)).toEqual(['hif', 'hif', 'bf16', 'bf16']);
    const three = join(dir, 'three.csv');
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.capacity_bytes=1K,4K', '--set', 'lut.banks=1,2', '--set', 'tokens=1,2', '--out', three, '--workers', '1']).code).toBe(0);
    const panels = join(dir, 'panels');
    expect(sopsim(['report', three, '--svg', panels]).code).toBe(0);
    const p = rowsOf(join(panels, 'sweep-cycles.csv'.replace('cycles', 'stalls')));
    expect([...new Set(p.map((x) => x.facet))]).toEqual(['tokens=1', 'tokens=2']);
  }, 180_000);
});
