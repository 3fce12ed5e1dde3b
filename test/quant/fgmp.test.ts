// FGMP: per block of 16, NVFP4 (4-bit E2M1 codes) or FP8 E4M3 (8-bit codes) by a metadata bit, chosen by the
// sensitivity-weighted perturbation. Exact bits, the mixed-width packed file, hand-worked choices, real weights.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linearLayers, openWeights } from '../../quant/io/load.js';
import type { Tensor2D } from '../../quant/io/tensor.js';
import { bitsAccount, decodeLayer } from '../../quant/layer.js';
import { measure } from '../../quant/measure.js';
import { decodeSopw } from '../../quant/packed/sopw-decode.js';
import { encodeSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { fp8Blocks } from '../../quant/sop/fgmp.js';
import { REPO } from '../helpers/data.js';

const t = synthesize({ dist: 't4', rows: 30, cols: 136, seed: 11 }); // 136: a partial block of 8

describe('fgmp', () => {
  it('bit account: 4 bits a weight of an FP4 block, 8 of an FP8 block, 8 + 1 per block, a 32-bit tensor scale', () => {
    for (const f of [0, 0.3, 1]) {
      const q = quantize(t, 'fgmp', { fp8Fraction: f });
      const blocks = 30 * 9;
      expect(q.sel!.reduce((s, v) => s + v, 0)).toBe(Math.round(f * blocks));
      let fp8Weights = 0;
      for (let b = 0; b < blocks; b++) if (q.sel![b]) fp8Weights += b % 9 === 8 ? 8 : 16;
      const a = bitsAccount(q);
      expect(a.elementBits).toBe(4 * (30 * 136 - fp8Weights) + 8 * fp8Weights);
      expect(a.blockBits).toBe(9 * blocks);
      expect(a.layerBits).toBe(32);
    }
  });

  it('packs the two code widths block by block, and reads back bit for bit', () => {
    const q = quantize(t, 'fgmp', { fp8Fraction: 0.3 });
    const bytes = encodeSopw(q);
    const f = decodeSopw(bytes);
    expect(f.header.books.map((b) => (b.kind === 'format' ? [b.format, b.code_bits ?? f.header.element_bits] : []))).toEqual([['E2M1', 4], ['E4M3', 8]]);
    const idx = f.header.sections.find((s) => s.name === 'indices')!;
    expect(idx.length).toBe(Math.ceil(bitsAccount(q).elementBits / 8));
    const a = decodeLayer(q);
    const b = decodeLayer(f.layer);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`weight ${i}: ${b[i]} != ${a[i]}`);
  });

  it('hand-worked: blocks exact in E2M1 stay FP4; the blocks FP4 cannot hold go to FP8, most sensitive first', () => {
    // 8 rows of 4 blocks of 16; every block of a row repeats one pattern of E2M1 values (exact in NVFP4: the
    // values are scaled so the tensor scale amax / (448 x 6) is 2^-12 and every block scale 448, both exact),
    // but block 2 of rows 0-3 holds values E2M1 rounds badly (1.1, 2.7, ...) and blocks 0 and 3 of rows 4-7 hold
    // the pattern 7 % off the grid (its largest value, 6, kept: the tensor's largest stays 6): four blocks gain much
    // from FP8, eight gain a little, block 0 and block 3 of a row equally
    const rows = 8;
    const cols = 64;
    const data = new Float32Array(rows * cols);
    const e2m1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    const odd = [1.1, 2.7, 5.3, 0.7, 3.6, 4.9, 6, 0.2];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const j = Math.floor(c / 16);
        const k = c % 16;
        const off = r >= 4 && (j === 0 || j === 3);
        const idx = (k * 5 + (off ? 0 : r)) % 8; // the off blocks all hold the same values
        const v = j === 2 && r < 4 ? odd[idx] : e2m1[idx] * (off && idx !== 7 ? 1.07 : 1);
        data[r * cols + c] = v * (k % 3 === 0 ? -1 : 1) * 448 * 2 ** -12;
      }
    const w: Tensor2D = { name: 'hand', rows, cols, data };
    // a quarter of the blocks in FP8: the four hard ones, then the four lowest-numbered of the eight equal ones
    const q = quantize(w, 'fgmp', { fp8Fraction: 8 / 32 });
    const chosen = (x: typeof q) => [...x.sel!.keys()].filter((b) => x.sel![b] === 1);
    expect(chosen(q)).toEqual([2, 6, 10, 14, 16, 19, 20, 23]);
    // with the sensitivity (a_j^2) 30x larger on block 3's columns, block 3's four take them
    const a = new Float64Array(cols).fill(1);
    for (let c = 48; c < 64; c++) a[c] = 30;
    expect(chosen(quantize(w, 'fgmp', { fp8Fraction: 8 / 32, activations: a }))).toEqual([2, 6, 10, 14, 19, 23, 27, 31]);
    // and the FP4 blocks exact in E2M1 come back exactly
    const dec = decodeLayer(q);
    for (let i = 0; i < 16; i++) expect(dec[i] === data[i], `weight ${i}`).toBe(true); // (E2M1 keeps no -0)
    // ties (every gain 0) go to the lowest block index
    expect(Array.from(fp8Blocks(new Float64Array(5), 2))).toEqual([1, 1, 0, 0, 0]);
    expect(Array.from(fp8Blocks(Float64Array.from([0.1, 3, 3, 0.5]), 2))).toEqual([0, 1, 1, 0]);
    expect(measure(w, q).mse).toBeLessThan(measure(w, quantize(w, 'nvfp4')).mse);
  });
});

describe('fgmp on real weights (the bundled stories260K checkpoint)', () => {
  it('at 30 % FP8 blocks reconstructs better than NVFP4, at 30 % fewer bits than FP8', () => {
    const src = openWeights(join(REPO, 'examples', 'stories260K'));
    let w = 0;
    const bits = { fg: 0, fp8: 0 };
    const err = { fg: 0, nv: 0 };
    for (const n of linearLayers(src)) {
      const x = src.read(n);
      const k = x.rows * x.cols;
      const fg = quantize(x, 'fgmp', { fp8Fraction: 0.3 });
      w += k;
      bits.fg += bitsAccount(fg).total;
      bits.fp8 += bitsAccount(quantize(x, 'e4m3-pot')).total;
      err.fg += measure(x, fg).mse * k;
      err.nv += measure(x, quantize(x, 'nvfp4')).mse * k;
    }
    expect(err.fg).toBeLessThan(0.5 * err.nv); // more than 3 dB better
    expect(bits.fg / w).toBeCloseTo(4 * 0.7 + 8 * 0.3 + 9 / 16, 1); // 5.76 bpw
    expect(1 - bits.fg / bits.fp8).toBeGreaterThan(0.27); // about 30 % less weight memory than FP8
  }, 120_000);
});
