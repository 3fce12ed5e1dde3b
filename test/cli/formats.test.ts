// sopsim formats: every format on its own datapath, on one layer set, checked against the commands that
// measure each figure alone (simulate for the hardware, quantize for bits and error).

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

describe('sopsim formats on the bundled checkpoint', () => {
  const r = sopsim(['formats', 'examples/stories260K', '--only', 'fp8-e4m3,nvfp4,sop4,lo-bcq-8', '--json']);
  const rows = r.code === 0 ? (JSON.parse(r.stdout).formats as Array<Record<string, number | string | null>>) : [];
  const row = (f: string) => rows.find((x) => x.format === f)!;

  it('runs, one row per format, each on the datapath built for it', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(rows.map((x) => [x.format, x.hw])).toEqual([['fp8-e4m3', 'fp8-e4m3'], ['nvfp4', 'nvfp4-native'], ['sop4', 'sop-hif'], ['lo-bcq-8', 'lo-bcq']]);
    expect(row('fp8-e4m3').ratio_energy_to_fp8).toBe(1);
  }, 120_000);

  it('every hardware figure is what simulate says for that format on that datapath', () => {
    const sim = JSON.parse(sopsim(['simulate', 'examples/stories260K', '-s', 'nvfp4', '--hw', 'nvfp4-native', '--json']).stdout);
    expect(row('nvfp4').cycles).toBe(sim.cycles);
    expect(row('nvfp4').energy_pj_per_weight).toBeCloseTo(sim.energy_pj_per_weight, 9);
    expect(row('nvfp4').area_mm2).toBeCloseTo(sim.area_mm2.total, 12);
  }, 120_000);

  it('bits and error are what quantize says, summed over the layers', () => {
    const lines = sopsim(['quantize', 'examples/stories260K', '-s', 'nvfp4', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const w = lines.reduce((s, o) => s + o.shape[0] * o.shape[1], 0);
    const bits = lines.reduce((s, o) => s + o.bits.total, 0);
    expect(row('nvfp4').bpw).toBeCloseTo(bits / w, 12);
    const ppm = lines.reduce((s, o) => s + o.acos_ppm * o.shape[0] * o.shape[1], 0) / w;
    expect(row('nvfp4').one_minus_acos_ppm).toBeCloseTo(ppm, 6);
    // the operating points: LO-BCQ (8 books) at about NVFP4's bits reconstructs better, as SOP does
    expect(Number(row('lo-bcq-8').bpw)).toBeLessThan(4.55);
    expect(Number(row('lo-bcq-8').sqnr_db)).toBeGreaterThan(Number(row('nvfp4').sqnr_db) + 1);
    expect(Number(row('sop4').sqnr_db)).toBeGreaterThan(Number(row('nvfp4').sqnr_db) + 1);
  }, 120_000);

  it('an unknown format is one line, exit 2', () => {
    const bad = sopsim(['formats', 'examples/stories260K', '--only', 'fp5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--only: unknown format 'fp5' \(expected one of fp8-e4m3, /);
  });
});

describe("the README's format tables", () => {
  it('are what a fresh run writes, byte for byte (stories260K and the 7B-shaped decode step)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'formats-'));
    for (const [input, csv] of [['examples/stories260K', 'formats-stories260K.csv'], ['traces/llama-7b-decode.json', 'formats-llama-7b-decode.csv']]) {
      const out = join(dir, csv);
      const r = sopsim(['formats', input, '--csv', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join('docs', 'results', csv), 'utf8'));
    }
  }, 300_000);
});

describe("FGMP against its paper's figures, on the 7B-shaped step", () => {
  it('28 % fewer weight bits than FP8; 27 % less energy at one token, 16 % at 256 (the paper: 30 % and 14 %)', () => {
    const run = (tokens: number) => {
      const r = sopsim(['formats', 'traces/llama-7b-decode.json', '--only', 'fp8-e4m3,fgmp-30', '--tokens', String(tokens), '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).formats as Array<Record<string, number>>;
    };
    const one = run(1);
    expect(1 - one[1].bpw / one[0].bpw).toBeCloseTo(0.28, 2);
    expect(one[1].ratio_energy_to_fp8).toBeCloseTo(0.727, 3);
    expect(run(256)[1].ratio_energy_to_fp8).toBeCloseTo(0.843, 3);
  }, 300_000);
});
