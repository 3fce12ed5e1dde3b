// OliVe: 4-bit codes in pairs; a pair holding an outlier sets its victim to 0 (code 1000) and codes the outlier as
// an abfloat. Exact bits, the packed file decoded bit for bit, and a hand-worked reference decoder.

import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import type { Tensor2D } from '../../quant/io/tensor.js';
import { bitsAccount, decodeLayer } from '../../quant/layer.js';
import { measure } from '../../quant/measure.js';
import { decodeSopw } from '../../quant/packed/sopw-decode.js';
import { encodeSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { encodePairs, pairsOf } from '../../quant/schemes/olive.js';

/** OliVe's pair decoding written from its description: 1000 marks a victim (0); its partner is an abfloat. */
function decodePairRef(codes: ArrayLike<number>, cols: number, s: number): Float64Array {
  const int4 = (k: number) => (k < 8 ? k : k - 16);
  const abfloat = (k: number) => (k & 8 ? -1 : 1) * [8, 12, 16, 24, 32, 48, 64][(k & 7) - 1];
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i += 2) {
    const pairEnd = (i % cols) + 1 < cols;
    const [a, b] = [codes[i], pairEnd ? codes[i + 1] : 0];
    if (pairEnd && (a === 8 || b === 8)) {
      out[i] = a === 8 ? 0 : abfloat(a) * s;
      out[i + 1] = b === 8 ? 0 : abfloat(b) * s;
    } else {
      out[i] = int4(a) * s;
      if (pairEnd) out[i + 1] = int4(b) * s;
    }
  }
  return out;
}

describe('olive', () => {
  const t = synthesize({ dist: 'outlier', rows: 32, cols: 130, seed: 5 }); // 130: pairs end the rows evenly

  it('bit account: 4 bits a weight and the 32-bit scale, no selector (the pair\'s codes imply its book)', () => {
    const q = quantize(t, 'olive');
    const a = bitsAccount(q);
    expect([a.elementBits, a.blockBits, a.layerBits, a.total]).toEqual([4 * 32 * 130, 0, 32, 4 * 32 * 130 + 32]);
    expect(q.sel!.reduce((s, v) => s + v, 0)).toBeGreaterThan(0); // the outlier channels made victims
  });

  it('decodes as an independent pair decoder written from the paper\'s description does, and packs bit for bit', () => {
    const q = quantize(t, 'olive');
    const ref = decodePairRef(q.codes, 130, q.tensorScale);
    const w = decodeLayer(q);
    for (let i = 0; i < w.length; i++) expect(w[i] === ref[i], `weight ${i}: ${w[i]} vs ${ref[i]}`).toBe(true);
    const f = decodeSopw(encodeSopw(q));
    expect(f.header.victim_pairs).toBe(true);
    expect(f.header.sections.find((x) => x.name === 'selection')!.length).toBe(0);
    const back = decodeLayer(f.layer);
    for (let i = 0; i < w.length; i++) if (!Object.is(back[i], w[i])) throw new Error(`weight ${i}: ${back[i]} != ${w[i]}`);
  });

  it('hand-worked pairs at scale 1: normal values round to int4; an outlier takes the pair, its partner is the victim', () => {
    const row = [3, -2, 40, 1.2, -0.4, -70, 7, 7, 100, 20];
    const w: Tensor2D = { name: 'hand', rows: 1, cols: row.length, data: Float32Array.from(row) };
    const codes = new Uint8Array(row.length);
    const err = encodePairs(w, 1, null, codes);
    // (3, -2) int4; (40, 1.2): 40 -> abfloat 32 (tie with 48: the smaller), victim; (-0.4, -70): victim, -64;
    // (7, 7) int4; (100, 20): both outliers, 100 keeps the pair (64, the largest), 20 is the victim
    expect(Array.from(codes)).toEqual([3, 14, 5, 8, 8, 15, 7, 7, 7, 8]);
    expect(Array.from(decodePairRef(codes, row.length, 1))).toEqual([3, -2, 32, 0, 0, -64, 7, 7, 64, 0]);
    expect(Array.from(pairsOf(1, row.length, codes))).toEqual([0, 1, 1, 0, 1]);
    expect(err).toBeCloseTo(64 + 1.44 + 0.16 + 36 + 1296 + 400, 6);
    // the quantizer's own search never does worse than scale 1 on these values
    const q = quantize(w, 'olive');
    expect(measure(w, q).mse * row.length).toBeLessThanOrEqual(err + 1e-9);
  });

});
