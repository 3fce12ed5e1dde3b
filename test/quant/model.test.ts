// Model-level SOP: activation statistics, ACos-driven selection, sparse residuals, menus and allocation.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateActivationStats, readActivationStats, statsFor, statsJson } from '../../quant/io/activations.js';
import { openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { bitsAccount, decodeLayer, RESIDUAL_BITS } from '../../quant/layer.js';
import { measure } from '../../quant/measure.js';
import { allocate, buildChoice, buildLayerMenu, buildMenus, cheapestBpw, DEFAULT_MODEL_OPTIONS } from '../../quant/model/quantize-model.js';
import { decodeSopw, encodeSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { kthLargest, residualCount, withResiduals } from '../../quant/sop/residuals.js';
import { f32Bytes, safetensorsBytes } from '../helpers/files.js';

const dir = mkdtempSync(join(tmpdir(), 'model-'));

describe('activation statistics', () => {
  const layers = [
    { name: 'model.layers.0.self_attn.q_proj.weight', cols: 512 },
    { name: 'model.layers.0.self_attn.k_proj.weight', cols: 512 },
    { name: 'model.layers.0.self_attn.o_proj.weight', cols: 512 },
    { name: 'model.layers.0.mlp.down_proj.weight', cols: 1376 },
  ];
  it('are seeded, shared by layers reading the same input, and carry 10-100x hidden outlier channels', () => {
    const a = generateActivationStats(layers, 3);
    const b = generateActivationStats(layers, 3);
    expect(Array.from(a.get('model.layers.0.self_attn.q_proj')!)).toEqual(Array.from(b.get('model.layers.0.self_attn.q_proj')!));
    expect(a.get('model.layers.0.self_attn.q_proj')).toBe(a.get('model.layers.0.self_attn.k_proj'));
    const q = Array.from(a.get('model.layers.0.self_attn.q_proj')!).sort((x, y) => x - y);
    const median = q[256];
    expect(q[511] / median).toBeGreaterThan(8);
    expect(q[511] / median).toBeLessThan(200);
    expect(a.get('model.layers.0.mlp.down_proj')!.length).toBe(1376);
  });
  it('round-trip through JSON and safetensors; shape mismatches name the layer and both sizes', () => {
    const a = generateActivationStats(layers, 1);
    const p = join(dir, 's.json');
    writeFileSync(p, statsJson(a, 'test'));
    const s = readActivationStats(p);
    expect(statsFor(s, 'model.layers.0.self_attn.q_proj.weight', 512)!.length).toBe(512);
    expect(() => statsFor(s, 'model.layers.0.self_attn.q_proj.weight', 256)).toThrow(/s\.json: layer 'model\.layers\.0\.self_attn\.q_proj\.weight': 512 channels, but the weights have 256 input channels/);
    expect(() => statsFor(s, 'model.layers.9.mlp.up_proj.weight', 512)).toThrow(/no statistics for layer/);
    const st = join(dir, 's.safetensors');
    writeFileSync(st, safetensorsBytes({ 'l.weight': { dtype: 'F32', shape: [4], data: f32Bytes([1, 2, 3, 40]) } }));
    expect(Array.from(readActivationStats(st).layers.get('l')!)).toEqual([1, 2, 3, 40]);
    // scaled by a power of two, exactly, so the largest channel lies in [1, 2)
    expect(Array.from(statsFor(readActivationStats(st), 'l.weight', 4)!)).toEqual([1 / 32, 2 / 32, 3 / 32, 40 / 32]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'sopsim-stats', version: 1, layers: { x: [1, -2] } }));
    expect(() => readActivationStats(bad)).toThrow(/bad\.json: layer 'x': channel 1 has RMS -2/);
  });
});

describe('ACos is invariant to the scale of the statistics', () => {
  it('uniform statistics of any size give the plain cosine; all-zero statistics are refused', () => {
    const t = synthesize({ dist: 't4', rows: 16, cols: 64, seed: 4 });
    const q = quantize(t, 'sop4');
    const plain = measure(t, q).acos;
    expect(plain).toBeLessThan(1);
    for (const c of [1e-300, 5e-324, 1e-100, 3, 1e100, 1e200, 1.7e308]) {
      const stats = { path: 'u.json', layers: new Map([[t.name, new Float64Array(64).fill(c)]]) };
      const r = measure(t, q, statsFor(stats, t.name, 64));
      expect(r.acos, `c = ${c}`).toBeCloseTo(plain, 12);
      expect(Number.isFinite(r.acos_ppm)).toBe(true);
    }
    const zero = { path: 'z.json', layers: new Map([[t.name, new Float64Array(64)]]) };
    expect(() => statsFor(zero, t.name, 64)).toThrow(/z\.json: layer '.*': every channel has RMS 0/);
  });
});

describe('ACos-driven selection', () => {
  it('on an outlier-channel tensor with matching statistics, beats MSE-driven selection on ACos', () => {
    const t = synthesize({ dist: 'outlier', rows: 256, cols: 1024, seed: 9 });
    // activations large exactly where the weights' outlier channels are, as LLM layers show
    const a = new Float64Array(t.cols).fill(1);
    for (let j = 0; j < t.cols; j++) {
      let s = 0;
      for (let r = 0; r < t.rows; r++) s += t.data[r * t.cols + j] ** 2;
      if (Math.sqrt(s / t.rows) > 0.1) a[j] = 40;
      else if (j % 97 === 0) a[j] = 20;
    }
    const byAcos = measure(t, quantize(t, 'sop4', { activations: a, metric: 'acos' }), a);
    const byMse = measure(t, quantize(t, 'sop4', { activations: a, metric: 'mse' }), a);
    expect(1 - byAcos.acos).toBeLessThan(1 - byMse.acos);
    expect(byMse.mse).toBeLessThanOrEqual(byAcos.mse * 1.05);
  });
});

describe('sparse residuals', () => {
  const t = synthesize({ dist: 't4', rows: 64, cols: 512, seed: 2 });
  const q = quantize(t, 'sop4');
  it('kthLargest agrees with sorting', () => {
    const v = Float32Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 1000) / 7);
    const sorted = Array.from(v).sort((x, y) => y - x);
    for (const k of [1, 2, 10, 500, 1000, 1001]) expect(kthLargest(v, k)).toBe(sorted[k - 1]);
    // many values sharing a histogram bin, repeats and zeros
    const w = Float32Array.from({ length: 50000 }, (_, i) => (i % 3 === 0 ? 0 : 1 + ((i * 2654435761) % 4096) / 2 ** 20));
    const ws = Array.from(w).sort((x, y) => y - x);
    for (const k of [1, 7, 4096, 20000, 33333, 33334, 50000]) expect(kthLargest(w, k)).toBe(ws[k - 1]);
  });
  it('keep the k largest |w - ŵ|·a within the allowance, counted in bpw, and lower the error', () => {
    const r = withResiduals(t, q, 0.1);
    const n = 64 * 512;
    const k = residualCount(0.1, n);
    expect(r.residuals!.index.length).toBeLessThanOrEqual(k);
    expect(r.residuals!.index.length).toBeGreaterThan(k * 0.9);
    const b = bitsAccount(r);
    expect(b.residualBits).toBe(r.residuals!.index.length * RESIDUAL_BITS);
    expect(b.bpw - bitsAccount(q).bpw).toBeLessThanOrEqual(0.1 + 1e-12);
    expect(measure(t, r).mse).toBeLessThan(measure(t, q).mse);
    // the chosen ones are the largest residuals: every kept residual >= every dropped one
    const w = decodeLayer(q);
    const kept = new Set(r.residuals!.index);
    let minKept = Infinity;
    let maxDropped = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.abs(t.data[i] - w[i]);
      if (kept.has(i)) minKept = Math.min(minKept, e);
      else maxDropped = Math.max(maxDropped, e);
    }
    expect(minKept).toBeGreaterThanOrEqual(maxDropped);
  });
  it('are stored in the packed file and decode exactly', () => {
    const r = withResiduals(t, q, 0.2);
    const back = decodeSopw(encodeSopw(r)).layer;
    expect(Array.from(back.residuals!.index)).toEqual(Array.from(r.residuals!.index));
    const a = decodeLayer(r);
    const b = decodeLayer(back);
    for (let i = 0; i < a.length; i++) expect(Object.is(a[i], b[i])).toBe(true);
  });
});

describe('menus and allocation', () => {
  const src = openWeights('synthetic-model:tiny:5');
  const names = src.tensors();
  const stats = { path: 'synthetic', layers: generateActivationStats(names.map((n) => ({ name: n, cols: src.shape(n)[1] })), 5) };
  const menus = buildMenus(src, names, stats, DEFAULT_MODEL_OPTIONS);

  it('the synthetic model has q, k, v, o, gate, up, down per layer at their shapes', () => {
    expect(names.length).toBe(14);
    expect(src.shape('model.layers.1.mlp.down_proj.weight')).toEqual([256, 688]);
    expect(src.shape('model.layers.0.mlp.up_proj.weight')).toEqual([688, 256]);
    expect(openWeights('synthetic-model:llama-7b').tensors().length).toBe(224);
  });
  it('each menu has SOP 4-bit (g 32 and 16), SOP 4-bit + residuals, E2M3sUE4M4 and FP8 with exact bits', () => {
    for (const m of menus) {
      expect(m.entries.map((e) => e.label)).toEqual(['sop4-g32', 'sop4', 'sop4+res', 'E2M3sUE4M4', 'e4m3-pot']);
      for (let k = 1; k < 4; k++) expect(m.entries[k - 1].bpw).toBeLessThan(m.entries[k].bpw);
      expect(m.entries[3].dist).toBeLessThan(m.entries[1].dist);
      expect(m.entries[1].dist).toBeLessThan(m.entries[0].dist);
    }
  });
  it('across budgets 4.5-6.5: achieved bpw within the budget, total error falls as the budget grows', () => {
    let prev = Infinity;
    expect(cheapestBpw(menus)).toBeLessThan(4.5);
    for (const budget of [4.5, 5.0, 5.5, 6.0, 6.5]) {
      const r = allocate(menus, budget);
      expect(r.achieved_bpw).toBeLessThanOrEqual(budget);
      expect(r.total_dist).toBeLessThanOrEqual(prev);
      prev = r.total_dist;
    }
    expect(() => allocate(menus, 4.1)).toThrow(/below the cheapest/);
  });
  it('the chosen configuration is rebuilt exactly as it was measured', () => {
    const t = src.read(names[3]);
    const a = statsFor(stats, names[3], t.cols);
    const menu = buildLayerMenu(t, a);
    for (const label of ['sop4-g32', 'sop4', 'sop4+res'] as const) {
      const q = buildChoice(t, a, menu, label);
      const e = menu.entries.find((x) => x.label === label)!;
      expect(bitsAccount(q).total).toBe(e.bits);
      expect(measure(t, q, a).acos).toBe(e.acos);
    }
  });
});
