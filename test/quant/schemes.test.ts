// Reference schemes to the letter of their specs, SOP block quantization, bpw accounting, partial blocks,
// and the paper's headline claims on synthetic LLM-shaped tensors.
import { describe, expect, it } from 'vitest';
import { getFormat } from '../../quant/formats/registry.js';
import { synthesize } from '../../quant/io/synthetic.js';
import type { Tensor2D } from '../../quant/io/tensor.js';
import { bitsAccount, decodeLayer } from '../../quant/layer.js';
import { measure } from '../../quant/measure.js';
import { canonicalScheme, quantize } from '../../quant/schemes/index.js';

function tensor(rows: number, cols: number, values: number[]): Tensor2D {
  return { name: 't', rows, cols, data: Float32Array.from(values) };
}

describe('reference schemes follow their specs', () => {
  it('e4m3-pot: s = 2^ceil(log2(amax/448)), elements E4M3 RNE', () => {
    const t = tensor(1, 4, [1000, -3, 0.01, 500]);
    const q = quantize(t, 'e4m3-pot');
    expect(q.tensorScale).toBe(4); // 1000/448 = 2.23 -> 2^2
    const w = decodeLayer(q);
    const e4 = getFormat('E4M3');
    expect(Array.from(w)).toEqual([1000, -3, 0.01, 500].map((x) => e4.quantize(x / 4) * 4));
    expect(bitsAccount(q).bpwBlock).toBe(8);
  });

  it('mx: scale 2^(floor(log2 amax) - emax), elements clamp at the format max', () => {
    const row = Array.from({ length: 32 }, (_, i) => (i === 0 ? 7.9 : 0.01 * i));
    const q = quantize(tensor(1, 32, row), 'mxfp4');
    expect(q.scales[0]).toBe(2 ** (2 - 2)); // floor(log2 7.9) = 2, emax(E2M1) = 2
    expect(decodeLayer(q)[0]).toBe(6); // 7.9 clamps to E2M1's 6
    const q8 = quantize(tensor(1, 32, row), 'mxfp8');
    expect(q8.scales[0]).toBe(2 ** (2 - 8));
    expect(bitsAccount(q).bpw).toBe(4.25);
    expect(bitsAccount(quantize(tensor(1, 32, row), 'mxfp6-e2m3')).bpw).toBe(6.25);
  });

  it('nvfp4: UE4M3 block scale over an FP32 tensor scale; a zero block scale becomes 1', () => {
    const row = [...Array.from({ length: 16 }, (_, i) => (i + 1) * 0.1), ...Array(16).fill(0)];
    const q = quantize(tensor(1, 32, row), 'nvfp4');
    const st = Math.fround(1.6 / (448 * 6));
    expect(q.tensorScale).toBe(st);
    expect(q.scales[0]).toBe(getFormat('UE4M3').quantize(1.6 / 6 / st));
    expect(q.scales[1]).toBe(1);
    const b = bitsAccount(q);
    expect(b.bpwBlock).toBe(4.5);
    expect(b.layerBits).toBe(32);
  });

  it('nf4-b64: FP32 absmax per 64, nearest NF4 level with ties to the lower index; 4.5 bpw', () => {
    const row = Array.from({ length: 64 }, (_, i) => (i === 5 ? 2 : ((i % 7) - 3) * 0.1));
    const q = quantize(tensor(1, 64, row), 'nf4-b64');
    expect(q.scales[0]).toBe(2);
    expect(bitsAccount(q).bpw).toBe(4.5);
    // a value exactly between NF4 levels 7 (0) and 8 goes to index 7
    const mid = (0 + 0.07958029955625534) / 2;
    const q2 = quantize(tensor(1, 2, [1, mid]), 'nf4-b64');
    expect(q2.codes[1]).toBe(7);
  });

  it('int4/int8: FP32 scale amax/7 (127), round half to even, 5.0 and 9.0 bpw', () => {
    const q = quantize(tensor(1, 4, [7, 2.5, -3.5, 0.5]), 'int4');
    expect(q.scales[0]).toBe(1);
    expect(Array.from(decodeLayer(q))).toEqual([7, 2, -4, 0]);
    expect(bitsAccount(q).bpw).toBe(4 + 32 / 4); // one FP32 scale for a (partial) block of 4
    const big = quantize(synthesize({ dist: 'gaussian', rows: 4, cols: 64, seed: 1 }), 'int4');
    expect(bitsAccount(big).bpw).toBe(5);
    expect(bitsAccount(quantize(synthesize({ dist: 'gaussian', rows: 4, cols: 64, seed: 1 }), 'int8')).bpw).toBe(9);
  });
});

describe('SOP block quantization', () => {
  const t = synthesize({ dist: 't4', rows: 64, cols: 512, seed: 3 });

  it('E2M3sUE4M4 is exactly 6.5 bpw per block (+8 bits per layer: the power-of-two normaliser\'s exponent) and its scales are UE4M4 values', () => {
    const q = quantize(t, 'E2M3sUE4M4');
    const b = bitsAccount(q);
    expect(b.bpwBlock).toBe(6.5);
    expect(b.layerBits).toBe(8);
    const ue = getFormat('UE4M4');
    for (let i = 0; i < q.geom.blocks; i++) expect(ue.values[q.scaleCodes[i]]).toBe(q.scales[i]);
  });

  it('sop4 is exactly 4.5 bpw per block; the DD4 table and normaliser are the per-layer bits', () => {
    const q = quantize(t, 'sop4');
    const b = bitsAccount(q);
    expect(b.bpwBlock).toBe(4.5);
    const ddBits = q.books.some((x) => x.name === 'DD4') ? 16 * 8 + 8 : 0;
    expect(b.layerBits).toBe(8 + ddBits); // the normaliser 2^p as its exponent byte, as e4m3-pot's scale
    expect(q.books.length).toBe(2);
    const share = q.info.share as Record<string, number>;
    expect(Object.values(share).reduce((a, c) => a + c, 0)).toBeCloseTo(1, 12);
  });

  it('signed scales map each block\'s largest-magnitude weight to +1 (before refinement)', () => {
    const q = quantize(t, 'sop4', { neighbours: 0 });
    const w = t.data;
    for (let b = 0; b < 50; b++) {
      const r = Math.floor(b / q.geom.blocksPerRow);
      const c0 = (b % q.geom.blocksPerRow) * 16;
      let am = 0;
      let sign = 1;
      for (let j = 0; j < 16; j++) {
        const x = w[r * t.cols + c0 + j];
        if (Math.abs(x) > am) {
          am = Math.abs(x);
          sign = Math.sign(x);
        }
      }
      expect(Math.sign(q.scales[b])).toBe(sign);
    }
  });

  it('neighbour-code refinement never increases the error', () => {
    const e0 = measure(t, quantize(t, 'E2M3sUE4M4', { neighbours: 0 })).mse;
    const e2 = measure(t, quantize(t, 'E2M3sUE4M4', { neighbours: 2 })).mse;
    expect(e2).toBeLessThanOrEqual(e0);
    const s0 = measure(t, quantize(t, 'sop4', { neighbours: 0, pair: ['NF4', 'SH4'] })).mse;
    const s2 = measure(t, quantize(t, 'sop4', { neighbours: 2, pair: ['NF4', 'SH4'] })).mse;
    expect(s2).toBeLessThanOrEqual(s0);
  });

  it('the pair search picks the best pair: never worse than any forced pair', () => {
    const best = measure(t, quantize(t, 'sop4', { metric: 'mse' })).mse;
    for (const pair of [['NF4', 'BOF4'], ['SH4', 'Split87'], ['NF4', 'DD4']] as Array<[string, string]>) {
      expect(best).toBeLessThanOrEqual(measure(t, quantize(t, 'sop4', { pair })).mse * (1 + 1e-12));
    }
  });

  it('the selection bit can live in the scale: still 4.5 bpw with an 8-bit UE4M3-based field', () => {
    const q = quantize(t, 'sop4', { scale: 'UE4M3', selInScale: true });
    expect(bitsAccount(q).bpwBlock).toBe(4.5);
    for (let b = 0; b < q.geom.blocks; b++) expect(q.scaleCodes[b] & 1).toBe(0);
  });
});

describe('partial blocks (row length not a multiple of g), as OCP MX handles them', () => {
  it('the last block of each row holds the remainder; its scale comes from its own elements only', () => {
    const t = synthesize({ dist: 'gaussian', rows: 3, cols: 100, seed: 5 });
    t.data[2 * 100 + 99] = 5; // a large value in the last (4-element) block of row 2
    for (const s of ['E2M3sUE4M4', 'sop4', 'mxfp4', 'nvfp4']) {
      const q = quantize(t, s);
      const g = q.geom.block;
      expect(q.geom.blocksPerRow).toBe(Math.ceil(100 / g));
      const b = bitsAccount(q);
      expect(b.elementBits).toBe(300 * q.elementBits);
      expect(b.blockBits % q.geom.blocks).toBe(0);
      // the big value only affects its own block: the previous block of the row keeps a small scale
      const last = 2 * q.geom.blocksPerRow + q.geom.blocksPerRow - 1;
      expect(Math.abs(q.scales[last])).toBeGreaterThan(Math.abs(q.scales[last - 1]));
      const w = decodeLayer(q);
      // 5 sits within the element format's relative precision (E2M1: 4 | 6, a tie to the even 4)
      expect(Math.abs(w[299] - 5)).toBeLessThanOrEqual(1);
    }
  });
});

describe('scheme names', () => {
  it('canonicalises and rejects unknown ones', () => {
    expect(canonicalScheme('E2M3sUE4M4')).toBe('E2M3sUE4M4');
    expect(canonicalScheme('e2m3sue4m4')).toBe('E2M3sUE4M4');
    expect(canonicalScheme('NVFP4')).toBe('nvfp4');
    expect(() => canonicalScheme('fp5')).toThrow(/unknown scheme 'fp5'/);
  });
});

describe('headline claims on synthetic LLM-shaped tensors (256x2048)', () => {
  const dists = ['gaussian', 't4', 'laplace', 'outlier'];
  const gains: number[] = [];
  for (const d of dists) {
    it(`${d}: E2M3sUE4M4 beats e4m3-pot on MSE; sop4 beats nvfp4 and nf4-b64 by >= 1 dB SQNR`, () => {
      const t = synthesize({ dist: d, rows: 256, cols: 2048, seed: 7 });
      const fp8 = measure(t, quantize(t, 'e4m3-pot'));
      const fp6 = measure(t, quantize(t, 'E2M3sUE4M4'));
      expect(fp6.mse).toBeLessThan(fp8.mse);
      expect(fp6.bpw).toBeLessThan(fp8.bpw - 1.4);
      const sop = measure(t, quantize(t, 'sop4'));
      const nv = measure(t, quantize(t, 'nvfp4'));
      const nf = measure(t, quantize(t, 'nf4-b64'));
      expect(sop.bpw_block).toBeLessThanOrEqual(4.5);
      expect(sop.sqnr_db - nv.sqnr_db).toBeGreaterThanOrEqual(1);
      expect(sop.sqnr_db - nf.sqnr_db).toBeGreaterThanOrEqual(1);
      gains.push(Math.min(sop.sqnr_db - nv.sqnr_db, sop.sqnr_db - nf.sqnr_db));
    });
  }
  it('sop4 gains at least 1.5 dB on average over the stronger of nvfp4 and nf4-b64', () => {
    expect(gains.length).toBe(dists.length);
    expect(gains.reduce((a, b) => a + b, 0) / gains.length).toBeGreaterThanOrEqual(1.5);
  });
});
