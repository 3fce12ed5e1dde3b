// The whole decode datapath in RTL (rtl/sop_datapath.sv, built with Verilator) against sopsim's event mode:
// on every configuration below — lanes, LUT ports, banks and replicas, tile size, slots, DRAM bandwidth,
// latency and burst, tokens, both scale placements, sparse corrections, sop4 and FP6 layers, the FP8 baseline,
// real stories260K layers — the RTL takes exactly sopsim's cycles, agrees on every counter both keep, and
// decodes bit-identical weights and first-token outputs. Two controls show the comparison can fail.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLutFormat } from '../../quant/codebooks/lut-format.js';
import { openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { readSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { withResiduals } from '../../quant/sop/residuals.js';
import { lutOutputOf, type LoadedConfig } from '../../sim/config/load.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers } from '../../sim/datapath/report.js';
import { buildDatapathTwin, compareTwin, runSim, runTwin, twinActivations, twinProgram, TWIN_COUNTERS } from '../../scripts/rtl/datapath-twin.js';
import { haveVerilator } from '../../scripts/rtl/verilator.js';
import { REPO, STORIES } from '../helpers/data.js';
import { cfg } from '../helpers/sim.js';
import { sopsim } from '../helpers/cli.js';

const VERILATOR = haveVerilator();
if (!VERILATOR) console.warn('[skip] RTL datapath twin: verilator not found (Debian: apt-get install verilator)');

/** A layer recipe: quantized for the config's LUT format when it is made. */
type Recipe = (c: LoadedConfig) => QuantizedLayer;

const synthetic = (scheme: string, rows: number, cols: number, seed: number, residualBpw = 0): Recipe => (c) => {
  const t = synthesize({ dist: 't4', rows, cols, seed });
  const lut = lutOutputOf(c);
  const q = quantize(t, scheme, lut ? { lut: parseLutFormat(lut) } : {});
  return residualBpw > 0 ? withResiduals(t, q, residualBpw) : q;
};
const sop4 = synthetic('sop4', 32, 200, 1);
const fp6 = synthetic('E2M3sUE4M4', 24, 136, 2);
const sop4r = synthetic('sop4', 40, 96, 3, 0.5);
const fp8 = synthetic('e4m3-pot', 32, 200, 4);
const mxfp8 = synthetic('mxfp8', 16, 256, 5);
const fp8r = synthetic('e4m3-pot', 24, 120, 6, 0.5);

// real stories260K layers, quantized by sopsim and bundled (test/fixtures/README.md)
const fixture = (name: string): Recipe => () => readSopw(join(REPO, 'test', 'fixtures', name)).layer;
const realSop4 = fixture('stories260K-l0-q_proj-sop4.sopw');
const realFp6 = fixture('stories260K-l1-up_proj-fp6.sopw');
const realFp8 = fixture('stories260K-l0-q_proj-e4m3.sopw');

const LUT_CONFLICTS = { 'lut.replicas': 8, 'lut.banks': 4, 'lut.ports': 2, 'lut.capacity_bytes': 4096 };

// name, hw-config, overrides, layers (a repeated recipe is the same step again: its tables stay resident), tokens
const CASES: Array<[string, string, Record<string, number | boolean | string>, Recipe[], number]> = [
  ['sop-hif as bundled', 'sop-hif', {}, [sop4, fp6, sop4], 1],
  ['16 lanes', 'sop-hif', { 'unpacker.lanes': 16 }, [sop4, fp6], 1],
  ['48 lanes, per-element scales', 'sop-hif', { 'unpacker.lanes': 48, 'scale_multiplier.impl': 'per-element', 'scale_multiplier.units': 48 }, [sop4, fp6], 2],
  ['LUT 8 copies x 4 banks x 2 ports', 'sop-hif', LUT_CONFLICTS, [sop4, fp6, sop4r], 1],
  ['LUT 3 copies x 2 banks x 1 port', 'sop-hif', { 'lut.replicas': 3, 'lut.banks': 2, 'lut.ports': 1 }, [fp6, sop4], 1],
  ['LUT 16 copies x 8 banks x 3 ports', 'sop-hif', { 'lut.replicas': 16, 'lut.banks': 8, 'lut.ports': 3, 'lut.capacity_bytes': 65536 }, [sop4, fp6], 1],
  ['128-byte tiles, one slot', 'sop-hif', { 'weight_buffer.tile_bytes': 128, 'weight_buffer.slots': 1 }, [sop4, fp6], 1],
  ['512-byte tiles, 8 slots', 'sop-hif', { 'weight_buffer.tile_bytes': 512, 'weight_buffer.slots': 8 }, [sop4, fp6, sop4], 1],
  ['DRAM 8 GB/s, 500 ns, 64-byte bursts', 'sop-hif', { 'weight_fetch.gb_per_s': 8, 'weight_fetch.latency_ns': 500, 'weight_fetch.burst_bytes': 64 }, [sop4, fp6], 1],
  ['DRAM 460.8 GB/s, 12.5 ns, byte-granular', 'sop-hif', { 'weight_fetch.gb_per_s': 460.8, 'weight_fetch.latency_ns': 12.5, 'weight_fetch.burst_bytes': 1, 'weight_buffer.width_bits': 2048, 'weight_buffer.ports': 4 }, [sop4, fp6], 1],
  ['clock 1.5 GHz, DRAM 12.5 GB/s', 'sop-hif', { clock_ghz: 1.5, 'weight_fetch.gb_per_s': 12.5, 'weight_fetch.latency_ns': 37 }, [fp6, sop4], 1],
  ['8 tokens, 64 MACs', 'sop-hif', { 'mac_array.macs_per_cycle': 64 }, [sop4, fp6], 8],
  ['64 tokens (MAC-bound)', 'sop-hif', {}, [sop4, fp6], 64],
  ['per-block scales, 1 unit (scale-bound)', 'sop-hif', { 'scale_multiplier.units': 1 }, [sop4, fp6], 4],
  ['per-element scales, 8 units', 'sop-hif', { 'scale_multiplier.impl': 'per-element', 'scale_multiplier.units': 8 }, [fp6, sop4], 1],
  ['one activation bank (activation-bound)', 'sop-hif', { 'activation_buffer.banks': 1 }, [sop4, fp6], 3],
  ['sparse corrections, one sparse lane', 'sop-hif', { 'sparse_add.lanes': 1 }, [sop4r, sop4r], 2],
  ['no prefetch, 1 KB LUT, depth 1', 'sop-hif', { 'lut.prefetch': false, 'lut.capacity_bytes': 1024, 'lut.replicas': 4, pipeline_depth: 1 }, [sop4, sop4, fp6, sop4r], 2],
  ['160-byte LUT: evictions and reloads', 'sop-hif', { 'lut.capacity_bytes': 160, 'lut.replicas': 2, 'lut.banks': 4 }, [sop4, fp6, sop4r, fp6, sop4], 1],
  ['shift-add HIF7 LUT', 'sop-hif', { 'lut.output': 'hif7sa' }, [sop4, fp6], 2],
  ['sop-bf16lut as bundled', 'sop-bf16lut', {}, [sop4, fp6], 1],
  ['sop-bf16lut, 16 tokens, 256-byte tiles, 2 slots', 'sop-bf16lut', { 'weight_buffer.tile_bytes': 256, 'weight_buffer.slots': 2 }, [sop4r, fp6], 16],
  ['FP8 baseline as bundled', 'fp8-e4m3', {}, [fp8, fp8], 1],
  ['FP8 baseline, 32 lanes, 8 tokens, 64 GB/s', 'fp8-e4m3', { 'unpacker.lanes': 32, 'weight_fetch.gb_per_s': 64, 'weight_buffer.width_bits': 512 }, [fp8, fp8r], 8],
  ['FP8 datapath, MXFP8 (per-element UE8M0 scales)', 'fp8-e4m3', { 'scale_multiplier.units': 4 }, [mxfp8], 1],
  ['native NVFP4 datapath (E2M1 in the MACs, UE4M3 per block sum)', 'nvfp4-native', { 'scale_multiplier.units': 2 }, [synthetic('nvfp4', 24, 256, 8), synthetic('mxfp4', 16, 256, 9)], 3],
  ['native MX datapath (UE8M0 per block sum), MXFP8 and MXFP6', 'mx-native', {}, [mxfp8, synthetic('mxfp6-e2m3', 16, 256, 10)], 2],
  ['real stories260K layers on sop-hif', 'sop-hif', {}, [realSop4, realFp6, realSop4], 1],
  ['real stories260K layers, LUT conflicts, 4 tokens', 'sop-hif', LUT_CONFLICTS, [realFp6, realSop4], 4],
  ['real stories260K layer on the FP8 baseline', 'fp8-e4m3', { 'weight_buffer.tile_bytes': 1024 }, [realFp8, realFp8], 2],
];

function works(c: LoadedConfig, layers: Recipe[], tokens: number) {
  const made = new Map<Recipe, QuantizedLayer>();
  return layers.map((r, i) => {
    if (!made.has(r)) made.set(r, r(c));
    const key = `step${layers.indexOf(r)}`; // the same recipe again is the same step: its tables stay resident
    return buildLayerWork(made.get(r)!, c, tokens, `layer${i}`, undefined, key);
  });
}

describe.skipIf(!VERILATOR)('RTL twin: the whole datapath (Verilator) against sopsim event mode', () => {
  it('builds', () => {
    expect(buildDatapathTwin()).toMatch(/Vsop_datapath$/);
  }, 600_000);

  it(`covers at least 24 configurations`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(24);
  });

  for (const [name, hw, sets, layers, tokens] of CASES) {
    it(`${name}: cycles, counters, weights and outputs equal`, () => {
      const c = cfg(hw, sets);
      const r = compareTwin(c, works(c, layers, tokens));
      expect(r.counters_differing, name).toEqual({});
      // fast mode, which the twin does not run, takes the same cycles as event mode
      expect(runLayers(c, works(c, layers, tokens), { mode: 'fast' }).total.cycles).toBe(r.sim.cycles);
      expect(r.rtl.cycles).toBe(r.sim.cycles);
      expect(r.cycles_equal).toBe(true);
      expect(r.first_value_difference).toBeNull();
      expect(r.values_equal).toBe(true);
      expect(r.counters_compared).toBeGreaterThanOrEqual(30);
      expect(r.sim.cycles).toBeGreaterThan(0);
    }, 120_000);
  }

  it('every stall cause, LUT reloads, hits, evictions and prefetches occur somewhere in the cases', () => {
    const seen = new Set<string>();
    for (const [, hw, sets, layers, tokens] of CASES.slice(0, 20)) {
      const c = cfg(hw, sets);
      const w = works(c, layers, tokens);
      const s = runSim(c, w, w.map((x) => twinActivations(x.layer.geom.cols, 'cover')));
      for (const [k, v] of Object.entries(s.counters)) if (v > 0) seen.add(k);
    }
    for (const k of ['stalls.dram', 'stalls.lut_port', 'stalls.mac', 'stalls.scale', 'stalls.sparse', 'stalls.lut_reload', 'stalls.fill', 'stalls.activation', 'lut_sram.hits', 'lut_sram.evictions', 'lut_sram.prefetches', 'weight_fetch.padding_bytes'])
      expect(seen.has(k), k).toBe(true);
  }, 120_000);

  it('controls: a changed latency or a changed code in the RTL program is caught', () => {
    const c = cfg('sop-hif');
    const w = works(c, [sop4, fp6], 1);
    const acts = w.map((x, i) => twinActivations(x.layer.geom.cols, `sopsim-rtl:${i}`));
    const program = twinProgram(c, w, acts);
    const bin = buildDatapathTwin();
    const sim = runSim(c, w, acts);
    const ok = runTwin(bin, program);
    expect(ok.cycles).toBe(sim.cycles);
    // the DRAM latency register (cfg 18) one cycle longer
    const late = Buffer.from(program);
    for (let o = 0; o < late.length; o += 16)
      if (late.readUInt32LE(o) === 0 && late.readUInt32LE(o + 4) === 18) late.writeBigUInt64LE(late.readBigUInt64LE(o + 8) + 1n, o + 8);
    expect(runTwin(bin, late).cycles).not.toBe(sim.cycles);
    // weight 5's code changed
    const wrong = Buffer.from(program);
    for (let o = 0; o < wrong.length; o += 16)
      if (wrong.readUInt32LE(o) === 2 && wrong.readUInt32LE(o + 4) === 5) wrong.writeBigUInt64LE((wrong.readBigUInt64LE(o + 8) + 1n) % 16n, o + 8);
    const bad = runTwin(bin, wrong);
    expect(bad.values[5]).not.toBe(sim.values[5]);
    expect(bad.values[4]).toBe(sim.values[4]);
    expect(TWIN_COUNTERS.length).toBe(46);
  }, 120_000);

  it.skipIf(!existsSync(STORIES))('more real stories260K layers from ../shared/data: sop4 with corrections, FP6, FP8', () => {
    const src = openWeights(STORIES);
    const t = src.read('model.layers.3.mlp.down_proj.weight');
    for (const [hw, scheme] of [['sop-hif', 'sop4'], ['sop-bf16lut', 'E2M3sUE4M4'], ['fp8-e4m3', 'e4m3-pot']] as const) {
      const c = cfg(hw, LUT_CONFLICTS && hw === 'fp8-e4m3' ? {} : LUT_CONFLICTS);
      const lut = lutOutputOf(c);
      const q = withResiduals(t, quantize(t, scheme, lut ? { lut: parseLutFormat(lut) } : {}), 0.25);
      const r = compareTwin(c, [buildLayerWork(q, c, 2, 'down'), buildLayerWork(q, c, 2, 'down')]);
      expect(r.counters_differing, `${hw} ${scheme}`).toEqual({});
      expect(r.cycles_equal && r.values_equal, `${hw} ${scheme}`).toBe(true);
    }
  }, 120_000);
});

describe('sopsim rtl (the command)', () => {
  it.skipIf(!VERILATOR)('a real layer: JSON with both sides, equal; the readable table says so', () => {
    const r = sopsim(['rtl', 'test/fixtures/stories260K-l0-q_proj-sop4.sopw', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.cycles_equal).toBe(true);
    expect(j.values_equal).toBe(true);
    expect(j.rtl.cycles).toBe(j.sim.cycles);
    expect(j.rtl.counters['lut_sram.reads']).toBe(j.sim.counters['lut_sram.reads']);
    expect(j.rtl.counters['sparse_add.residuals']).toBe(21);
    const t = sopsim(['rtl', 'synthetic:t4:16x256', '-s', 'E2M3sUE4M4', '--hw', 'sop-bf16lut', '--tokens', '4', '--set', 'lut.banks=4']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/cycles\s+\d+\s+\d+\s+equal/);
    expect(t.stdout).toContain('all bit-identical');
  }, 120_000);

  it('without Verilator: how to install it, exit 2', () => {
    const r = sopsim(['rtl', 'test/fixtures/stories260K-l0-q_proj-sop4.sopw'], undefined, { PATH: '/nonexistent' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apt-get install verilator/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!VERILATOR)('layers beyond the twin: one line naming the limit, exit 2', () => {
    const r = sopsim(['rtl', 'synthetic:gaussian:64x64', '--set', 'unpacker.lanes=128', '--set', 'weight_buffer.width_bits=1024']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unpacker.lanes 128: the twin is built for at most 64 lanes/);
  });
});
