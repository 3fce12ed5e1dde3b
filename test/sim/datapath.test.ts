// The whole datapath: conservation laws, event mode = fast mode, and the values fed to the MAC array.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { decodeLayer, type QuantizedLayer } from '../../quant/layer.js';
import { quantize } from '../../quant/schemes/index.js';
import { Datapath } from '../../sim/datapath/datapath.js';
import { runLayers } from '../../sim/datapath/report.js';
import { cfg, conservation, lanesAndRate, work } from '../helpers/sim.js';
import { withResiduals } from '../../scripts/golden/sim-golden.js';

const t = synthesize({ dist: 't4', rows: 48, cols: 200, seed: 4 }); // 200: partial blocks for g = 16
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });
const fp6 = quantize(t, 'E2M3sUE4M4');
const fp8 = quantize(t, 'e4m3-pot');

describe('conservation', () => {
  const cases: Array<[string, QuantizedLayer, string, Record<string, number | boolean>, number]> = [
    ['sop4 on SOP+HIF', sop, 'sop-hif', {}, 1],
    ['sop4, 4 tokens, LUT port-limited', sop, 'sop-hif', { 'lut.replicas': 1, 'lut.banks': 1 }, 4],
    ['E2M3sUE4M4 on SOP+HIF', fp6, 'sop-hif', {}, 1],
    ['E2M3sUE4M4 on SOP+BF16 LUT', fp6, 'sop-bf16lut', {}, 2],
    ['e4m3-pot on FP8', fp8, 'fp8-e4m3', {}, 1],
    ['e4m3-pot on SOP (direct decode)', fp8, 'sop-hif', {}, 8],
    ['sop4 with sparse residuals', withResiduals(sop, 300), 'sop-hif', { 'sparse_add.lanes': 1 }, 3],
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
  ];
  const layers = [sop, fp6, withResiduals(sop, 120), fp8];
  for (const [hw, sets] of configs) {
    it(`${hw} ${JSON.stringify(sets)}: a 4-layer run, layer by layer`, () => {
      const c = cfg(hw, sets);
      const qs = hw === 'sop-bf16lut' ? [quantize(t, 'sop4', { lut: { kind: 'bf16' } }), fp6, fp8] : layers;
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
