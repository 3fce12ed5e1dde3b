// The whole datapath: conservation laws, event mode = fast mode, and the values fed to the MAC array.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { bitsAccount, decodeLayer, type QuantizedLayer } from '../../quant/layer.js';
import { quantize } from '../../quant/schemes/index.js';
import { Datapath } from '../../sim/datapath/datapath.js';
import { runLayers } from '../../sim/datapath/report.js';
import { cfg, conservation, lanesAndRate, work } from '../helpers/sim.js';
import { withResiduals } from '../../scripts/golden/sim-golden.js';
import { olivePairCells } from '../../sim/pair-decode/olive-pairs.js';

const t = synthesize({ dist: 't4', rows: 48, cols: 200, seed: 4 }); // 200: partial blocks for g = 16
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });
const fp6 = quantize(t, 'E2M3sUE4M4');
const fp8 = quantize(t, 'e4m3-pot');
const nvfp4 = quantize(t, 'nvfp4');
const mxfp8 = quantize(t, 'mxfp8');
const mxfp4 = quantize(t, 'mxfp4');
const lobcq = quantize(t, 'lo-bcq', { codebooks: 16 });
const lobcq3 = quantize(t, 'lo-bcq', { codebooks: 3, block: 16 });
const fgmp = quantize(t, 'fgmp', { fp8Fraction: 0.3 });
const int4 = quantize(t, 'int4');
const int8 = quantize(t, 'int8');
const olive = quantize(synthesize({ dist: 'outlier', rows: 48, cols: 200, seed: 4 }), 'olive');

describe('conservation', () => {
  const cases: Array<[string, QuantizedLayer, string, Record<string, number | boolean>, number]> = [
    ['sop4 on SOP+HIF', sop, 'sop-hif', {}, 1],
    ['sop4, 4 tokens, LUT port-limited', sop, 'sop-hif', { 'lut.replicas': 1, 'lut.banks': 1 }, 4],
    ['E2M3sUE4M4 on SOP+HIF', fp6, 'sop-hif', {}, 1],
    ['E2M3sUE4M4 on SOP+BF16 LUT', fp6, 'sop-bf16lut', {}, 2],
    ['e4m3-pot on FP8', fp8, 'fp8-e4m3', {}, 1],
    ['e4m3-pot on SOP (direct decode)', fp8, 'sop-hif', {}, 8],
    ['sop4 with sparse residuals', withResiduals(sop, 300), 'sop-hif', { 'sparse_add.lanes': 1 }, 3],
    ['nvfp4 on the native NVFP4 datapath', nvfp4, 'nvfp4-native', {}, 1],
    ['nvfp4, 4 tokens, scale-limited, on the native NVFP4 datapath', nvfp4, 'nvfp4-native', { 'scale_multiplier.units': 1 }, 4],
    ['mxfp8 on the native MX datapath', mxfp8, 'mx-native', {}, 2],
    ['mxfp4 on the native MX datapath', mxfp4, 'mx-native', {}, 3],
    ['lo-bcq (16 books) on the LO-BCQ datapath', lobcq, 'lo-bcq', {}, 1],
    ['lo-bcq (3 books), LUT port-limited', lobcq3, 'lo-bcq', { 'lut.replicas': 2 }, 2],
    ['fgmp (FP4 blocks through the LUT, FP8 by field split)', fgmp, 'fgmp', {}, 1],
    ['fgmp, all FP8, 3 tokens', quantize(t, 'fgmp', { fp8Fraction: 1 }), 'fgmp', {}, 3],
    ['int4 on the LUT-of-products datapath', int4, 'lut-tensor-core', {}, 1],
    ['int8, 4 tokens, lookup-limited, on the LUT-of-products datapath', int8, 'lut-tensor-core', { 'mac_array.lookups_per_cycle': 8 }, 4],
    ['olive on the OliVe datapath', olive, 'olive', {}, 1],
    ['olive, 3 tokens, MAC-limited', olive, 'olive', { 'mac_array.macs_per_cycle': 32 }, 3],
  ];
  for (const [label, q, hw, sets, tokens] of cases) {
    it(label, () => {
      const c = cfg(hw, sets);
      const r = runLayers(c, [work(q, c, tokens)], { mode: 'fast' }).total;
      conservation(r, q, tokens, ...lanesAndRate(c));
    });
  }
  it('DRAM bytes are the packed payload plus the table and the layer header', () => {
    const c = cfg('sop-hif');
    const r = runLayers(c, [work(sop, c)], { mode: 'fast' }).total;
    const n = 48 * 200;
    const blocks = sop.geom.blocks;
    // every request rounds up to whole 32-byte bursts: the padding is under a burst a request
    const payload = r.dram_bytes - r.counters.weight_fetch.padding_bytes;
    expect(payload).toBeGreaterThanOrEqual((4 * n + 8 * blocks) / 8 + 17 + 1);
    expect(payload).toBeLessThan((4 * n + 8 * blocks) / 8 + 17 + 1 + r.counters.weight_fetch.requests);
    expect(r.dram_bytes % 32).toBe(0);
    expect(r.counters.weight_fetch.padding_bytes).toBeLessThan(32 * r.counters.weight_fetch.requests);
  });
});

describe('event mode and fast mode give identical counters', () => {
  const configs: Array<[string, Record<string, number | boolean>]> = [
    ['sop-hif', {}],
    ['sop-hif', { 'unpacker.lanes': 16, 'weight_buffer.tile_bytes': 96, 'weight_buffer.slots': 2 }],
    ['sop-hif', { 'lut.replicas': 1, 'lut.ports': 1, 'lut.banks': 2, 'mac_array.macs_per_cycle': 32 }],
    ['sop-hif', { 'scale_multiplier.impl': 'per-element', 'scale_multiplier.units': 8, 'weight_fetch.latency_ns': 7 }],
    ['sop-hif', { 'lut.capacity_bytes': 600, 'lut.prefetch': false, 'weight_fetch.gb_per_s': 3 }],
    ['sop-bf16lut', { 'weight_buffer.slots': 1 }],
    ['nvfp4-native', {}],
    ['nvfp4-native', { 'scale_multiplier.units': 1, 'unpacker.lanes': 16 }],
    ['mx-native', { 'weight_fetch.gb_per_s': 3 }],
    ['lo-bcq', { 'lut.capacity_bytes': 4096, 'lut.replicas': 4 }],
    ['fgmp', { 'weight_buffer.tile_bytes': 96, 'unpacker.lanes': 16 }],
    ['lut-tensor-core', { 'mac_array.lookups_per_cycle': 16, 'mac_array.group': 3 }],
    ['olive', { 'unpacker.lanes': 16, 'weight_buffer.tile_bytes': 64 }],
  ];
  const layers = [sop, fp6, withResiduals(sop, 120), fp8];
  // the native datapaths run the formats they decode: NVFP4 (E2M1) there, every MX format on mx-native
  const nativeLayers: Record<string, QuantizedLayer[]> = { 'nvfp4-native': [nvfp4, mxfp4, withResiduals(nvfp4, 90)], 'mx-native': [mxfp8, nvfp4, quantize(t, 'mxfp6-e2m3'), mxfp4], 'lo-bcq': [lobcq, fp6, lobcq3, lobcq, fp8], fgmp: [fgmp, nvfp4, quantize(t, 'fgmp', { fp8Fraction: 0.7 }), fp8], 'lut-tensor-core': [int4, sop, int8, fp6, int4], olive: [olive, fp8, olive] };
  for (const [hw, sets] of configs) {
    it(`${hw} ${JSON.stringify(sets)}: a 4-layer run, layer by layer`, () => {
      const c = cfg(hw, sets);
      const qs = hw === 'sop-bf16lut' ? [quantize(t, 'sop4', { lut: { kind: 'bf16' } }), fp6, fp8] : (nativeLayers[hw] ?? layers);
      const works = qs.map((q, i) => work(q, c, 1 + (i % 3), `L${i}`));
      const ev = runLayers(c, works, { mode: 'event' });
      const fa = runLayers(c, works, { mode: 'fast' });
      expect(ev.total.counters).toEqual(fa.total.counters);
      ev.layers.forEach((l, i) => {
        expect(l.counters).toEqual(fa.layers[i].counters);
        expect([l.start_cycle, l.end_cycle]).toEqual([fa.layers[i].start_cycle, fa.layers[i].end_cycle]);
      });
      expect(ev.total.energy_pj).toEqual(fa.total.energy_pj);
    });
  }
});

describe('the values fed to the MAC array are the quantizer\'s ŵ, bit for bit', () => {
  const cases: Array<[string, QuantizedLayer, string]> = [
    ['sop4 / SOP+HIF', sop, 'sop-hif'],
    ['E2M3sUE4M4 / SOP+HIF', fp6, 'sop-hif'],
    ['nvfp4 / SOP+HIF (E2M1 via a LUT table)', quantize(t, 'nvfp4'), 'sop-hif'],
    ['sop4 (BF16 levels) / SOP+BF16 LUT', quantize(t, 'sop4', { lut: { kind: 'bf16' } }), 'sop-bf16lut'],
    ['e4m3-pot / FP8', fp8, 'fp8-e4m3'],
    ['sop4 + residuals / SOP+HIF', withResiduals(sop, 200), 'sop-hif'],
    ['nvfp4 / native NVFP4', nvfp4, 'nvfp4-native'],
    ['mxfp8 / native MX', mxfp8, 'mx-native'],
    ['lo-bcq (16 books) / LO-BCQ', lobcq, 'lo-bcq'],
    ['lo-bcq (3 books) / LO-BCQ', lobcq3, 'lo-bcq'],
    ['fgmp / FGMP', fgmp, 'fgmp'],
    ['int4 / LUT of products', int4, 'lut-tensor-core'],
    ['olive / OliVe pair decoder', olive, 'olive'],
  ];
  for (const [label, q, hw] of cases) {
    it(label, () => {
      const c = cfg(hw);
      let cap: Float64Array | undefined;
      runLayers(c, [work(q, c)], { mode: 'event', capture: (_i, n) => (cap = new Float64Array(n)) });
      const ref = decodeLayer(q);
      for (let i = 0; i < ref.length; i++) if (!Object.is(ref[i], cap![i])) throw new Error(`weight ${i}: ${cap![i]} != ŵ ${ref[i]}`);
    });
  }
  it('the MAC array computes W·x for the first token exactly as a row-major dot product does', () => {
    const c = cfg('sop-hif');
    const dp = new Datapath(c);
    const x = Float64Array.from({ length: 200 }, (_, j) => 1 + (j % 7) / 8);
    const y = new Float64Array(48);
    dp.runLayer(work(sop, c), { mode: 'event', activations: x, outputs: y });
    const w = decodeLayer(sop);
    for (let r = 0; r < 48; r++) {
      let s = 0;
      for (let j = 0; j < 200; j++) s += w[r * 200 + j] * x[j];
      expect(y[r]).toBe(s);
    }
  });
});

describe('LUT residency across layers', () => {
  it('reloads never rise with capacity; with room for two tables the reload hides behind the previous layer', () => {
    const qs = Array.from({ length: 6 }, (_, i) => quantize(synthesize({ dist: 't4', rows: 16, cols: 256, seed: i }), 'sop4', { pair: ['NF4', 'DD4'] }));
    let prevReloads = Infinity;
    const stalls: number[] = [];
    for (const cap of [136, 272, 544, 1088, 4096]) {
      const c = cfg('sop-hif', { 'lut.capacity_bytes': cap });
      // the same 3 layers twice: a decoder step repeated
      const works = [0, 1, 2, 0, 1, 2].map((i) => work(qs[i], c, 1, `L${i}`));
      const r = runLayers(c, works, { mode: 'fast' }).total;
      const reloads = r.counters.lut_sram.reloads;
      expect(reloads).toBeLessThanOrEqual(prevReloads);
      prevReloads = reloads;
      stalls.push(r.stall_cycles.lut_reload);
    }
    expect(prevReloads).toBe(3); // everything fits: each table loaded once
    expect(stalls[stalls.length - 1]).toBeLessThan(stalls[0]);
  });
});

describe('the selection mux', () => {
  it('a layer with more books than the mux has ways cannot run, and says which field to change', () => {
    const c = cfg('sop-hif');
    expect(() => runLayers(c, [work(lobcq, c)], { mode: 'fast' })).toThrow(/selection_mux\.ways: a 2-way mux cannot select among the 16 books of layer/);
  });
  it('a wider mux costs more per selection: 16 ways against 4 for the same 3-book layer', () => {
    const c4 = cfg('lo-bcq', { 'selection_mux.ways': 4 });
    const c16 = cfg('lo-bcq');
    const e4 = runLayers(c4, [work(lobcq3, c4)], { mode: 'fast' }).total;
    const e16 = runLayers(c16, [work(lobcq3, c16)], { mode: 'fast' }).total;
    expect(e16.counters.selection_mux.selects).toBe(e4.counters.selection_mux.selects);
    expect(e16.energy_pj.selection_mux).toBeGreaterThan(1.5 * e4.energy_pj.selection_mux);
  });
});

describe('a mixed-width layer (FGMP) on the datapath', () => {
  it('fetches exactly its packed bits: 4 per FP4 weight, 8 per FP8 weight, 9 per block, the tensor scale', () => {
    const c = cfg('fgmp');
    const r = runLayers(c, [work(fgmp, c)], { mode: 'fast' }).total;
    const payload = r.dram_bytes - r.counters.weight_fetch.padding_bytes;
    const bits = bitsAccount(fgmp);
    // the stream: codes and block fields, the 4-byte tensor scale; the E2M1 table (16 HIF8 entries) loaded into the LUT
    const stream = Math.ceil((bits.elementBits + bits.blockBits) / 8) + 4;
    expect(payload).toBeGreaterThanOrEqual(stream);
    expect(payload).toBeLessThanOrEqual(stream + r.counters.weight_fetch.requests + 16 + 1);
    // its FP4 weights go through the LUT, its FP8 weights through the field split
    let fp8w = 0;
    for (let b = 0; b < fgmp.geom.blocks; b++) if (fgmp.sel![b]) fp8w += Math.min(16, 200 - (b % 13) * 16);
    expect(r.counters.fp8_decode.decodes).toBe(fp8w);
    expect(r.counters.lut_sram.reads).toBe(48 * 200 - fp8w);
  });
});

describe('the LUT-of-products MAC array (LUT Tensor Core)', () => {
  it('reads a table once per group of 4 weights and bit plane, and builds 8 entries per 4 activations and token', () => {
    const c = cfg('lut-tensor-core');
    for (const [q, bits] of [[int4, 4], [int8, 8]] as const) {
      const r = runLayers(c, [work(q, c, 2)], { mode: 'fast' }).total;
      const m = r.counters.mac_array;
      expect(m.macs).toBe(48 * 200 * 2);
      expect(m.table_entries).toBe(Math.ceil(200 / 4) * 8 * 2);
      // reads are counted per tile: ceil(tile weights x planes / 4); at least the exact share, at most one more a tile
      expect(m.table_reads).toBeGreaterThanOrEqual((48 * 200 * bits * 2) / 4);
      expect(m.table_reads).toBeLessThanOrEqual((48 * 200 * bits * 2) / 4 + 2 * r.counters.weight_buffer.reads);
    }
  });
  it('codebook weights read tables of products: 16 per level set and activation, one read a weight', () => {
    const c = cfg('lut-tensor-core');
    const r = runLayers(c, [work(sop, c, 3)], { mode: 'fast' }).total;
    const m = r.counters.mac_array;
    expect(m.product_entries).toBe(200 * 2 * 16 * 3); // two books (the pair) of 16 levels, per input and token
    expect(m.product_reads).toBe(48 * 200 * 3);
    expect(m.table_reads).toBe(0);
    expect(r.counters.fp8_decode.decodes).toBe(48 * 200); // the codes pass undecoded
    conservation(r, sop, 3, ...lanesAndRate(c));
  });
});

describe('the OliVe datapath', () => {
  it('decodes every OliVe weight in the pair decoder (none through a table) and fetches 4 bits a weight', () => {
    const c = cfg('olive');
    const r = runLayers(c, [work(olive, c)], { mode: 'fast' }).total;
    expect(r.counters.pair_decode.decodes).toBe(48 * 200);
    expect(r.counters.fp8_decode.decodes).toBe(0);
    const payload = r.dram_bytes - r.counters.weight_fetch.padding_bytes;
    expect(payload).toBeGreaterThanOrEqual((4 * 48 * 200) / 8 + 4);
    expect(payload).toBeLessThan((4 * 48 * 200) / 8 + 4 + r.counters.weight_fetch.requests);
  });
  it("its pair decoder is 67.6 um2 at 22 nm in this model, 5.0x the 13.53 um2 OliVe's paper reports", () => {
    const um2 = cfg('olive').logic.um2(olivePairCells());
    expect(um2).toBeCloseTo(67.62, 2);
    expect(um2 / 13.53).toBeCloseTo(5.0, 1);
  });
});
