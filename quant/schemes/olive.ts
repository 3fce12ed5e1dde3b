// OliVe (Guo et al., ISCA 2023, "Outlier-Victim Pair quantization"): 4-bit codes in aligned pairs, one per-tensor
// scale s. A normal value is a symmetric int4 (-7 to 7) times s; 1000, which that range leaves unused, marks a
// victim. In a pair holding an outlier (beyond 7.5 s), the other value — the victim — is set to 0 and coded
// 1000, and the outlier is coded in its own slot as an "abfloat": a sign and one of 7 magnitudes
// (1, 1.5, 2, 3, 4, 6, 8) x 8 s — an E2M1-like float (1.m x 2^e, e = 0 to 3) with an exponent bias of 3, so
// it starts just above the int4 range (magnitude code 0 is left out, so an outlier is never coded 1000). When both values of a pair are
// outliers, the larger keeps its value and the other is the victim. The scale comes from a search of the outlier
// threshold (s = threshold / 7.5 over candidate quantiles of |w|) for the least (activation-weighted) error.
//
// In sopsim's layer: blocks of 2 (the pairs), two books — INT4 for normal pairs, and the pair book (code 1000 is
// 0, the others abfloat) for pairs with a victim — and the book is implied by the codes (a pair holding 1000
// uses the pair book), so no selector is stored: 4 bits a weight and the FP32 scale.

import type { Tensor2D } from '../io/tensor.js';
import { Codebook } from '../codebooks/codebook.js';
import { geometry, type ElementBook, type QuantizedLayer } from '../layer.js';

/** The victim marker: int4's unused code, -8 in two's complement. */
export const VICTIM = 8;
/** abfloat magnitudes in units of the scale s, for magnitude codes 1 to 7 (1.m x 2^e, e = 0 to 3, times 2^3). */
export const ABFLOAT = [8, 12, 16, 24, 32, 48, 64];

const twos4 = (k: number) => (k < 8 ? k : k - 16);

/** The normal pairs' book: code k is its 4-bit two's-complement value (1000 unused: a victim). */
function int4Table(): number[] {
  return Array.from({ length: 16 }, (_, k) => (k === VICTIM ? 0 : twos4(k)));
}

/** The outlier pairs' book: 1000 is the victim's 0, sign-magnitude codes 1-7 and 9-15 the abfloat values, 0 unused (0). */
function pairTable(): number[] {
  return Array.from({ length: 16 }, (_, k) => (k === VICTIM || k === 0 ? 0 : (k & 8 ? -1 : 1) * ABFLOAT[(k & 7) - 1]));
}

/** One of OliVe's two books by name (the packed file names them; their tables are fixed). */
export function oliveBook(name: string): ElementBook | null {
  if (name === OLIVE_BOOKS[0]) return book(name, int4Table());
  if (name === OLIVE_BOOKS[1]) return book(name, pairTable());
  return null;
}

function book(name: string, levels: number[]): ElementBook {
  const grid = new Codebook(name, [...levels].sort((a, b) => a - b).filter((v, i, a) => i === 0 || v !== a[i - 1]), 'fixed');
  return { name, table: Float64Array.from(levels), grid, inLut: false, tableBits: 0 };
}

export const OLIVE_BOOKS = ['OLIVE-INT4', 'OLIVE-PAIR'];

/** Code of the int4 value nearest x / s (-7 to 7, ties to even). */
function int4Code(x: number, s: number): number {
  let v = Math.round(x / s);
  if (Math.abs(x / s - Math.trunc(x / s)) === 0.5) v = 2 * Math.round(x / s / 2); // ties to even
  v = Math.max(-7, Math.min(7, v));
  return v & 15;
}

/** Code of the abfloat nearest x / s (sign and one of the 7 magnitudes; ties to the smaller). */
function abfloatCode(x: number, s: number): number {
  const m = Math.abs(x / s);
  let best = 0;
  for (let i = 1; i < ABFLOAT.length; i++) if (Math.abs(ABFLOAT[i] - m) < Math.abs(ABFLOAT[best] - m)) best = i;
  return (x < 0 ? 8 : 0) | (best + 1);
}

/** Encode every pair under scale s; returns the codes and the (activation-weighted) squared error. */
export function encodePairs(t: Tensor2D, s: number, aw2: Float64Array | null, codes: Uint8Array): number {
  const ints = int4Table();
  const pair = pairTable();
  let err = 0;
  const lim = 7.5 * s;
  for (let r = 0; r < t.rows; r++)
    for (let c = 0; c < t.cols; c += 2) {
      const i = r * t.cols + c;
      const a = t.data[i];
      const hasB = c + 1 < t.cols;
      const b = hasB ? t.data[i + 1] : 0;
      const outA = Math.abs(a) > lim;
      const outB = hasB && Math.abs(b) > lim;
      if (hasB && (outA || outB)) {
        // the larger of the pair is the outlier, the other its victim
        const aWins = Math.abs(a) >= Math.abs(b);
        codes[i] = aWins ? abfloatCode(a, s) : VICTIM;
        codes[i + 1] = aWins ? VICTIM : abfloatCode(b, s);
      } else {
        codes[i] = int4Code(a, s);
        if (hasB) codes[i + 1] = int4Code(b, s);
      }
      const table = hasB && (codes[i] === VICTIM || codes[i + 1] === VICTIM) ? pair : ints;
      for (let k = 0; k < (hasB ? 2 : 1); k++) {
        const d = t.data[i + k] - table[codes[i + k]] * s;
        err += (aw2 ? aw2[c + k] : 1) * d * d;
      }
    }
  return err;
}

/** The outlier threshold's candidates: quantiles of |w| from the 95th to the largest. */
function thresholds(t: Tensor2D): number[] {
  const abs = Float64Array.from(t.data, Math.abs).sort();
  const q = (p: number) => abs[Math.min(abs.length - 1, Math.floor(p * abs.length))];
  return [...new Set([0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 1].map(q))].filter((v) => v > 0);
}

export function quantizeOlive(t: Tensor2D, aw2: Float64Array | null): QuantizedLayer {
  const geom = geometry(t.rows, t.cols, 2);
  const codes = new Uint8Array(t.rows * t.cols);
  let best = { s: 1, err: Infinity };
  for (const th of thresholds(t)) {
    const s = Math.fround(th / 7.5);
    const err = encodePairs(t, s, aw2, codes);
    if (err < best.err) best = { s, err };
  }
  encodePairs(t, best.s, aw2, codes);
  const sel = pairsOf(geom.rows, geom.cols, codes);
  let victims = 0;
  for (let b = 0; b < sel.length; b++) victims += sel[b];
  return {
    name: t.name,
    scheme: 'olive',
    geom,
    elementBits: 4,
    books: [oliveBook(OLIVE_BOOKS[0])!, oliveBook(OLIVE_BOOKS[1])!],
    codes,
    scale: { format: null, signed: false, magnitudeBits: 0 },
    scaleCodes: new Uint32Array(geom.blocks),
    scaleSigns: null,
    scales: new Float64Array(geom.blocks).fill(1),
    sel,
    selInScale: false,
    selFromCodes: true,
    tensorScale: best.s,
    tensorScaleBits: 32,
    lut: 'exact',
    info: { outlier_pairs: victims / geom.blocks, threshold: 7.5 * best.s },
  };
}

/** Each pair's book, from its codes: the pair book when it holds the victim marker. */
export function pairsOf(rows: number, cols: number, codes: ArrayLike<number>): Uint8Array {
  const perRow = Math.ceil(cols / 2);
  const sel = new Uint8Array(rows * perRow);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < perRow; j++) {
      const i = r * cols + 2 * j;
      sel[r * perRow + j] = 2 * j + 1 < cols && (codes[i] === VICTIM || codes[i + 1] === VICTIM) ? 1 : 0;
    }
  return sel;
}
