// The block-quantization kernels: the ±2 scale search, with its exact pruning and early exits, picks exactly
// what a plain candidate-by-candidate search picks; a per-block bound only drops candidates that cannot win.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { getCodebook } from '../../quant/codebooks/registry.js';
import { Codebook } from '../../quant/codebooks/codebook.js';
import { getFormat } from '../../quant/formats/registry.js';
import { ScaleGrid, blockError, blockStats, searchBlockScale } from '../../quant/sop/kernels.js';
import { geometry } from '../../quant/layer.js';

const rng = seedrandom('kernels');
const heavy = () => (rng() - 0.5) * (rng() < 0.1 ? 8 : 1);

describe('searchBlockScale with ±2 neighbours', () => {
  /** The plain search: every valid candidate in visit order i0, i0-1, i0+1, i0-2, i0+2, least error wins. */
  function plainSearch(w: Float32Array, off: number, len: number, col0: number, amax: number, neg: number, g: Codebook, sg: ScaleGrid, ts: number, aw2: Float64Array | null) {
    const i0 = sg.nearest(amax / g.maxAbs / ts);
    let best = i0;
    let bestErr = Infinity;
    for (const i of [i0, i0 - 1, i0 + 1, i0 - 2, i0 + 2]) {
      if (i < 0 || i >= sg.mags.length || sg.mags[i] === 0) continue;
      const e = blockError(w, off, len, col0, (neg ? -1 : 1) * sg.mags[i], ts, g, aw2);
      if (e < bestErr) {
        bestErr = e;
        best = i;
      }
    }
    return { err: bestErr, mag: best };
  }

  it('picks the same scale code and error as the plain search on 2000 random blocks', () => {
    const sg = new ScaleGrid(getFormat('UE4M2'));
    const books = [getCodebook('NF4', 16), getCodebook('BOF4', 16), Codebook.fromFormat(getFormat('E2M3'))];
    const out = { err: 0, mag: 0 };
    let same = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const len = 16;
      const w = Float32Array.from({ length: len }, () => heavy() * 2 ** Math.floor(rng() * 8 - 6));
      let amax = 0;
      let neg = 0;
      let at = 0;
      w.forEach((x, i) => {
        if (Math.abs(x) > amax) [amax, neg, at] = [Math.abs(x), x < 0 ? 1 : 0, i];
      });
      const aw2 = rng() < 0.5 ? null : Float64Array.from({ length: len }, () => rng() * 10);
      const g = books[trial % books.length];
      const ts = 2 ** Math.floor(rng() * 4 - 6);
      searchBlockScale(w, 0, len, 0, amax, neg, g, sg, 2, ts, aw2, out, at);
      const ref = plainSearch(w, 0, len, 0, amax, neg, g, sg, ts, aw2);
      expect(out).toEqual(ref);
      // a bound (the rival codebook's error) keeps the result where it beats the bound, else says Infinity
      const bound = ref.err * (0.5 + rng());
      searchBlockScale(w, 0, len, 0, amax, neg, g, sg, 2, ts, aw2, out, at, bound);
      if (ref.err < bound) expect(out).toEqual(ref);
      else expect(out.err).toBe(Infinity);
      same++;
    }
    expect(same).toBe(2000);
  });
});

describe('blockStats', () => {
  it('gives each block its largest |w|, the first weight reaching it (its sign and column) and the layer maximum', () => {
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(rng() * 6);
      const cols = 1 + Math.floor(rng() * 70);
      const block = [8, 16, 32][trial % 3];
      // few distinct magnitudes, both signs, zeros: equal |w| of opposite sign in one block is common
      const w = Float32Array.from({ length: rows * cols }, () => (rng() < 0.2 ? 0 : (rng() < 0.5 ? -1 : 1) * Math.floor(rng() * 4) * 0.25));
      const st = blockStats(w, geometry(rows, cols, block));
      let b = 0;
      let max = 0;
      for (let r = 0; r < rows; r++) {
        for (let c0 = 0; c0 < cols; c0 += block, b++) {
          let m = 0;
          let at = c0;
          for (let c = c0; c < Math.min(cols, c0 + block); c++) {
            if (Math.abs(w[r * cols + c]) > m) [m, at] = [Math.abs(w[r * cols + c]), c];
          }
          expect([st.amax[b], st.argmaxCol[b], st.negative[b]]).toEqual([m, at, w[r * cols + at] < 0 ? 1 : 0]);
          max = Math.max(max, m);
        }
      }
      expect(st.max).toBe(max);
    }
  });
});
