// simulate, compare and sram-model end to end through the CLI.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'simcli-'));
const sopw = join(dir, 'l.sopw');
sopsim(['quantize', 'synthetic:t4:64x512:2', '-s', 'sop4', '-o', sopw]);

describe('sopsim simulate', () => {
  it('--json reports cycles, stalls by cause, DRAM bytes, SRAM accesses and energy by component', () => {
    const r = sopsim(['simulate', sopw, '--hw', 'sop-hif', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    for (const k of ['cycles', 'stall_cycles', 'dram_bytes', 'sram', 'energy_pj', 'energy_pj_per_weight', 'weights_decoded', 'counters', 'energy_detail']) expect(o).toHaveProperty(k);
    expect(o.weights_decoded).toBe(64 * 512);
    expect(o.stall_cycles).toHaveProperty('dram');
    expect(o.sram).toHaveProperty('lut_sram');
    expect(o.energy_pj.total).toBeGreaterThan(0);
  });
  it('event and fast mode print the same counters', () => {
    const a = JSON.parse(sopsim(['simulate', sopw, '--mode', 'event', '--json']).stdout);
    const b = JSON.parse(sopsim(['simulate', sopw, '--mode', 'fast', '--json']).stdout);
    expect(a.counters).toEqual(b.counters);
  });
  it('--csv writes one row per layer (plus a total for several)', () => {
    const csv = join(dir, 'out.csv');
    const r = sopsim(['simulate', 'synthetic:gaussian:32x256:1', '-s', 'E2M3sUE4M4', '--csv', csv]);
    expect(r.code).toBe(0);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^row,index,layer,scheme,hw,baseline,weights_decoded,tokens,cycles/);
    expect(lines[1]).toMatch(/^layer,0,synthetic:gaussian:32x256:1,E2M3sUE4M4,sop-hif,,8192,1,/);
  });
  it('a trace runs its layers in order', () => {
    const trace = join(dir, 't.json');
    writeFileSync(trace, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 'two', layers: [{ sopw: 'l.sopw' }, { weights: 'synthetic:gaussian:32x512:5', scheme: 'E2M3sUE4M4', tokens: 2 }] }));
    const o = JSON.parse(sopsim(['simulate', trace, '--json']).stdout);
    expect(o.layers).toBe(2);
    expect(o.per_layer.length).toBe(2);
    expect(o.weights_decoded).toBe(64 * 512 + 32 * 512);
  });
  it('errors: a malformed trace, a layer the datapath cannot run, an unknown --set path', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 'x', layers: [{ tokens: 1 }] }));
    let r = sopsim(['simulate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: field 'layers\.0': expected exactly one of 'sopw' or 'weights'/);
    r = sopsim(['simulate', sopw, '--hw', 'fp8-e4m3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a codebook table/);
    r = sopsim(['simulate', sopw, '--set', 'lut.size=5', '--csv', join(dir, 'no.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--set lut\.size: no field 'lut\.size'/);
    expect(existsSync(join(dir, 'no.csv'))).toBe(false);
    r = sopsim(['simulate', sopw, '--hw', 'nonesuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nonesuch: no such hw-config/);
  });
});

describe('sopsim compare', () => {
  it('--json has hif, baseline and ratio sections with the named figures', () => {
    const r = sopsim(['compare', sopw, '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    for (const side of ['sop', 'baseline', 'ratio']) {
      for (const k of ['cycles', 'stall_cycles', 'dram_bytes', 'sram', 'energy_pj', 'energy_pj_per_weight', 'weights_decoded']) expect(o[side], `${side}.${k}`).toHaveProperty(k);
    }
    expect(o.sop.weights_decoded).toBe(o.baseline.weights_decoded);
    expect(o.ratio.dram_bytes).toBeCloseTo(o.sop.dram_bytes / o.baseline.dram_bytes, 12);
    expect(o.ratio.energy_pj.total).toBeCloseTo(o.sop.energy_pj.total / o.baseline.energy_pj.total, 12);
    expect(o.baseline.hw).toBe('fp8-e4m3');
    // 4.5 bpw against 8 bpw: about 0.56 of the DRAM bytes
    expect(o.ratio.dram_bytes).toBeGreaterThan(0.55);
    expect(o.ratio.dram_bytes).toBeLessThan(0.6);
  });
  it('prints a table with both columns and the ratio', () => {
    const r = sopsim(['compare', 'synthetic:t4:32x256:1', '-s', 'E2M3sUE4M4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/figure\s+sop-hif\s+fp8-e4m3\s+ratio/);
    expect(r.stdout).toMatch(/energy_total_pj/);
  });
});

describe('sweep: infeasible points and a baseline that follows the shared settings', () => {
  it('a two-axis sweep with an infeasible value writes every point, marking the infeasible ones; the FP8 baseline moves with a swept bandwidth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-infeasible-'));
    const out = join(dir, 'sw.csv');
    const r = sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.capacity_bytes=1024,32', '--set', 'weight_fetch.gb_per_s=8,16', '--out', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    expect(rows).toHaveLength(4);
    expect(rows.map((x) => x.status.slice(0, 10))).toEqual(['ok', 'ok', 'infeasible', 'infeasible']);
    expect(rows[2].status).toMatch(/32 B cannot hold table/);
    expect(rows[2].cycles).toBe('');
    // the baseline takes the swept DRAM bandwidth (and not the LUT keys it has no block for)
    expect(Number(rows[0].baseline_cycles)).toBeGreaterThan(Number(rows[1].baseline_cycles));
    expect(Number(rows[0].ratio_cycles)).toBeCloseTo(Number(rows[0].cycles) / Number(rows[0].baseline_cycles), 9);
    expect(rows[0].baseline).toBe('fp8-e4m3');
    expect(rows[0].baseline_sets).toBe('weight_fetch.gb_per_s=8'); // what the baseline ran with, recorded
    const fixed = join(dir, 'fixed.csv');
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'weight_fetch.gb_per_s=8,16', '--no-baseline-sets', '--out', fixed, '--workers', '1']).code).toBe(0);
    const f = readFileSync(fixed, 'utf8').trim().split('\n');
    const fh = f[0].split(',');
    const bc = f.slice(1).map((l) => l.split(',')[fh.indexOf('baseline_cycles')]);
    expect(bc[0]).toBe(bc[1]);
  }, 120_000);

  it('every point infeasible is bad input: one line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-allbad-'));
    const r = sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'weight_buffer.tile_bytes=1,2', '--out', join(dir, 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});

describe('sweeps over anything', () => {
  it('enums, tokens and sizes with suffixes are axes; a --set before the trace does not swallow it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-any-'));
    const out = join(dir, 'any.csv');
    const r = sopsim(['sweep', '--set', 'lut.output=hif8,bf16', 'traces/tiny-2layer.json', '--set', 'tokens=1,4', '--set', 'lut.capacity_bytes=4K,16KiB', '--out', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((x) => x['lut.output']))).toEqual(new Set(['hif8', 'bf16']));
    expect(new Set(rows.map((x) => x['lut.capacity_bytes']))).toEqual(new Set(['4096', '16384']));
    expect(rows.every((x) => x.status === 'ok')).toBe(true);
    const t1 = rows.find((x) => x.tokens === '1' && x['lut.output'] === 'hif8' && x['lut.capacity_bytes'] === '16384')!;
    const t4 = rows.find((x) => x.tokens === '4' && x['lut.output'] === 'hif8' && x['lut.capacity_bytes'] === '16384')!;
    expect(Number(t4['mac_array_macs'] ?? t4.energy_mac_array_pj)).toBeGreaterThan(Number(t1['mac_array_macs'] ?? t1.energy_mac_array_pj));
    const bad = sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'tokens=0,2', '--out', join(dir, 'x.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--set tokens: expected a whole number from 1/);
    expect(sopsim(['simulate', '--set', 'lut.capacity_bytes=16K', 'traces/tiny-2layer.json', '--json']).code).toBe(0);
  }, 120_000);
});

describe('empty shards', () => {
  it('more shards than points: the empty shard writes a header-only CSV, merge accepts it, the merge equals the unsharded sweep', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shards-'));
    const files = [0, 1, 2].map((i) => {
      const f = join(dir, `s${i}.csv`);
      expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.banks=1,2', '--shard', `${i}/3`, '--out', f, '--workers', '1']).code).toBe(0);
      return f;
    });
    expect(readFileSync(files[2], 'utf8')).toBe('point,points\n');
    const merged = join(dir, 'm.csv');
    const m = sopsim(['merge', ...files, '-o', merged]);
    expect(m.code, m.stderr).toBe(0);
    const full = join(dir, 'full.csv');
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.banks=1,2', '--out', full, '--workers', '1']).code).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(full, 'utf8'));
  }, 120_000);
});

describe('report on sweeps with infeasible points and enum axes', () => {
  it('draws the points that ran, words on an ordinal axis in their swept order, and on-chip blocks without the DRAM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-enum-'));
    const csv = join(dir, 's.csv');
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', '--set', 'lut.output=hif8,bf16', '--set', 'lut.capacity_bytes=8K,32', '--out', csv, '--workers', '1']).code).toBe(0);
    const figs = join(dir, 'figs');
    const r = sopsim(['report', csv, '--svg', figs]);
    expect(r.code, r.stderr).toBe(0);
    const ratio = readFileSync(join(figs, 'sweep-ratio-energy.csv'), 'utf8').trim().split('\n');
    // one line per LUT size (the second axis), only the feasible size drawn; x in swept order
    expect(ratio[0]).toBe('lut.capacity_bytes,lut.output,ratio_energy_total');
    expect(ratio.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['8192,hif8', '8192,bf16']);
    const blocks = readFileSync(join(figs, 'sweep-on-chip-blocks.csv'), 'utf8');
    expect(blocks.includes('hif8 / 8192,')).toBe(true); // points labelled by their values (the axis title names them)
    expect(/ \/ 32,/.test(blocks)).toBe(false);
    expect(blocks.includes(',weight_fetch,')).toBe(false); // the on-chip view leaves the DRAM out
    expect(blocks.includes(',lut_sram,')).toBe(true);
    const svg = readFileSync(join(figs, 'sweep-ratio-energy.svg'), 'utf8');
    expect(svg.indexOf('>hif8<')).toBeGreaterThan(0);
    expect(svg.indexOf('>hif8<')).toBeLessThan(svg.indexOf('>bf16<')); // ordinal axis in swept order
    const none = join(dir, 'none.csv');
    writeFileSync(none, readFileSync(csv, 'utf8').split('\n').filter((l, i) => i === 0 || l.includes('infeasible')).join('\n') + '\n');
    const bad = sopsim(['report', none, '-o', join(dir, 'x.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no point ran \(every point is infeasible\)/);
    const nothing = sopsim(['report', csv]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/give -o report\.html, --svg DIR or --png DIR/);
  }, 120_000);
});

describe('a bundled hw-config copied elsewhere', () => {
  it('keeps its technology file (the bundled one, said once on stderr)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-copy-'));
    const mine = join(dir, 'mine.json');
    writeFileSync(mine, readFileSync('hw-configs/sop-hif.json', 'utf8').replace('"name": "sop-hif"', '"name": "mine"'));
    const r = sopsim(['simulate', 'synthetic:t4:64x256', '--hw', mine, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).hw).toBe('mine');
    expect(r.stderr).toMatch(/mine\.json: no technology\.json beside it; using the bundled .*hw-configs\/technology\.json/);
    const same = sopsim(['simulate', 'synthetic:t4:64x256', '--hw', 'sop-hif', '--json']);
    expect(JSON.parse(r.stdout).energy_pj.total).toBe(JSON.parse(same.stdout).energy_pj.total);
  });
});
