// LO-BCQ: N clustered codebooks, a log2 N-bit selector per block. Exact bit account, the packed file decoded
// bit for bit, a hand-worked two-cluster case, and the operating point on real weights against NVFP4.

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
import { REPO } from '../helpers/data.js';

describe('lo-bcq', () => {
  const t = synthesize({ dist: 't4', rows: 40, cols: 200, seed: 9 }); // 200: a partial block for g = 32

  it('bit account: 4-bit codes, a sign + UE4M2 + ceil(log2 N)-bit field per block, the exponent byte, N HIF8 tables', () => {
    for (const n of [2, 3, 8, 16]) {
      const q = quantize(t, 'lo-bcq', { codebooks: n });
      const blocks = 40 * Math.ceil(200 / 32);
      const sel = Math.ceil(Math.log2(n));
      const tables = q.books.reduce((s, b) => s + b.tableBits, 0);
      expect(q.books).toHaveLength(n);
      for (const b of q.books) expect(b.tableBits).toBe(16 * b.hif!.bits + 8); // entries x entry bits + the exponent byte
      const a = bitsAccount(q);
      expect(a.elementBits).toBe(4 * 40 * 200);
      expect(a.blockBits).toBe((1 + 6 + sel) * blocks);
      expect(a.layerBits).toBe(8 + tables);
      expect(a.total).toBe(4 * 8000 + (7 + sel) * blocks + 8 + tables);
      expect(Math.max(...q.sel!)).toBeLessThan(n);
    }
  });

  it('packs, reads back and decodes bit for bit (selectors of 2 and 4 bits)', () => {
    for (const n of [3, 16]) {
      const q = quantize(t, 'lo-bcq', { codebooks: n });
      const back = decodeSopw(encodeSopw(q)).layer;
      expect(Array.from(back.sel!)).toEqual(Array.from(q.sel!));
      const a = decodeLayer(q);
      const b = decodeLayer(back);
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`weight ${i}: ${b[i]} != ${a[i]}`);
      expect(bitsAccount(back)).toEqual(bitsAccount(q));
    }
  });

  it('hand-worked: blocks from two level sets recover both sets in two books, every block on its own set\'s book', () => {
    // blocks of 32 whose values (times a per-block power of two) come from A = {0, ±4, ±8, ±12, ±16} / 16 or from
    // B = {0, ±1, ±2, ±3, ±6, ±16} / 16: two clusters. A book of 16 levels holds either set (9 and 11 levels,
    // all HIF8 values) but not both (17 levels), nor does NVFP4's E2M1 grid
    const rows = 24;
    const cols = 128;
    const data = new Float32Array(rows * cols);
    const setOf = (b: number) => (b % 3 === 0 ? 1 : 0);
    const sets = [[0, 4, 8, 12, 16], [0, 1, 2, 3, 6, 16]].map((l) => [...l, ...l.filter((v) => v).map((v) => -v)].map((v) => v / 16));
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let r = 0; r < rows; r++)
      for (let bj = 0; bj < cols / 32; bj++) {
        const b = r * (cols / 32) + bj;
        const mag = 2 ** Math.floor(rnd() * 4 - 6);
        const set = sets[setOf(b)];
        for (let i = 0; i < 32; i++) data[r * cols + bj * 32 + i] = (i === 0 ? 1 : set[Math.floor(rnd() * set.length)]) * mag;
      }
    const t2: Tensor2D = { name: 'two-sets', rows, cols, data };
    const q = quantize(t2, 'lo-bcq', { codebooks: 2 });
    // every block of one set took one book, the other set the other
    const bookOfSet = [new Set<number>(), new Set<number>()];
    for (let b = 0; b < q.geom.blocks; b++) bookOfSet[setOf(b)].add(q.sel![b]);
    expect(bookOfSet[0].size).toBe(1);
    expect(bookOfSet[1].size).toBe(1);
    expect([...bookOfSet[0]][0]).not.toBe([...bookOfSet[1]][0]);
    // each book holds its set's levels, and the layer is reconstructed exactly (levels and scales are representable)
    for (const [k, set] of sets.entries()) {
      const levels = q.books[[...bookOfSet[k]][0]].grid.levels;
      for (const v of set) expect(levels.includes(v), `${v} in the book of set ${k}`).toBe(true);
    }
    const two = measure(t2, q).mse;
    expect(two).toBe(0);
    // one cluster (the first set's book for every block) cannot, nor can NVFP4
    const one = quantize(t2, 'lo-bcq', { codebooks: 2, bookLevels: [Array.from(q.books[0].grid.levels), Array.from(q.books[0].grid.levels)] });
    expect(measure(t2, one).mse).toBeGreaterThan(0);
    expect(measure(t2, quantize(t2, 'nvfp4')).mse).toBeGreaterThan(0);
  });
});

describe('lo-bcq on real weights (the bundled stories260K checkpoint)', () => {
  it('at about 4.5 bpw (8 books, blocks of 32) reconstructs better than NVFP4 (4.5 bpw)', () => {
    const src = openWeights(join(REPO, 'examples', 'stories260K'));
    const sum = { lb: { bits: 0, err: 0 }, nv: { bits: 0, err: 0 }, w: 0, sig: 0 };
    for (const n of linearLayers(src)) {
      const w = src.read(n);
      const lb = quantize(w, 'lo-bcq', { codebooks: 8 });
      const nv = quantize(w, 'nvfp4');
      const k = w.rows * w.cols;
      sum.w += k;
      sum.lb.bits += bitsAccount(lb).total;
      sum.nv.bits += bitsAccount(nv).total;
      sum.lb.err += measure(w, lb).mse * k;
      sum.nv.err += measure(w, nv).mse * k;
    }
    const bpw = sum.lb.bits / sum.w;
    expect(bpw).toBeGreaterThan(4.4);
    expect(bpw).toBeLessThan(4.55); // the eight tables included: 0.1 to 0.25 bpw on these small layers
    expect(sum.nv.bits / sum.w).toBeCloseTo(4.5, 1);
    expect(sum.lb.err).toBeLessThan(0.75 * sum.nv.err); // more than 1.2 dB better, the model over
  }, 120_000);
});
