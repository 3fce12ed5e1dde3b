// The hot loops of block quantization: round a block onto a grid under a given scale, measure its
// (activation-weighted) squared error, and search neighbouring scale codes (docs/MODEL.md §3).
// Everything works in place on typed arrays; no per-weight allocation.

import { BUCKETS, type Codebook } from '../codebooks/codebook.js';
import type { Minifloat } from '../formats/minifloat.js';
import type { BlockGeometry } from '../layer.js';
import { encodeWasm } from './wasm-kernel.js';

/**
 * Weighted squared error of block [off, off+len) (columns col0..) of w rounded onto `grid` under the
 * signed block scale s and the layer's power-of-two normaliser ts; ŵ = level × s × ts exactly as the
 * decoder computes it (ts being a power of two, level × (s·ts) is the same number).
 */
export function blockError(
  w: Float32Array,
  off: number,
  len: number,
  col0: number,
  s: number,
  ts: number,
  grid: Codebook,
  aw2: Float64Array | null,
  limit = Infinity,
): number {
  const lv = grid.levels;
  const eff = s * ts;
  let err = 0;
  if (eff === 0) {
    const z = lv[grid.nearest(0)];
    for (let i = 0; i < len; i++) {
      const d = w[off + i] - z * s * ts;
      err += (aw2 ? aw2[col0 + i] : 1) * d * d;
    }
    return err;
  }
  // stop early once the error exceeds `limit` (a better candidate is already known)
  const inv = 1 / eff;
  if (grid.binary) {
    for (let i = 0; i < len; i++) {
      const x = w[off + i];
      const d = x - lv[grid.nearest(x * inv)] * s * ts;
      err += aw2 === null ? d * d : aw2[col0 + i] * d * d;
      if (err > limit) return err;
    }
    return err;
  }
  // the bucket lookup of Codebook.nearest, inlined (this loop is where quantization spends its time), with
  // the bucket index computed from x directly: (x / eff - lo) * invWidth = x * A + B. Rounding can move it
  // by far less than the half bucket of slack the table keeps, so the answer is nearest()'s. A bucket that
  // holds no threshold gives its level at once (cellLevel); ŵ = level × (s·ts) equals level × s × ts
  // bit for bit, as ts is a power of two.
  const { cell, cellLevel, ambiguous, mids, tieUp, lo, invWidth } = grid;
  const A = inv * invWidth;
  const B = -lo * invWidth;
  const n = mids.length;
  for (let i = 0; i < len; i++) {
    const x = w[off + i];
    const f = x * A + B;
    const k = f <= 0 ? 0 : f >= BUCKETS ? BUCKETS : f | 0;
    let q = cellLevel[k];
    if (ambiguous[k] !== 0) {
      const y = x * inv;
      let c = cell[k];
      while (c < n && mids[c] < y) c++;
      if (c < n && mids[c] === y && tieUp[c] === 1) c++;
      q = lv[c];
    }
    const d = x - q * eff;
    err += aw2 === null ? d * d : aw2[col0 + i] * d * d;
    if (err > limit) return err;
  }
  return err;
}

/**
 * Write the element codes of a block rounded onto `grid` under scale s × ts. SOP schemes multiply by the
 * reciprocal of the scale, exactly as blockError does; reference schemes divide, as their specs say.
 */
export function blockEncode(
  w: Float32Array,
  off: number,
  len: number,
  s: number,
  ts: number,
  grid: Codebook,
  codes: Uint8Array | Uint16Array,
  divide = false,
): void {
  const eff = s * ts;
  const gc = grid.codes;
  if (eff === 0) {
    const z = gc[grid.nearest(0)];
    for (let i = 0; i < len; i++) codes[off + i] = z;
    return;
  }
  if (divide) {
    for (let i = 0; i < len; i++) codes[off + i] = gc[grid.nearest(w[off + i] / eff)];
    return;
  }
  const inv = 1 / eff;
  if (grid.binary) {
    for (let i = 0; i < len; i++) codes[off + i] = gc[grid.nearest(w[off + i] * inv)];
    return;
  }
  // the same inlined bucket lookup as blockError, so codes and measured errors agree
  const { cell, ambiguous, mids, tieUp, lo, invWidth } = grid;
  const A = inv * invWidth;
  const B = -lo * invWidth;
  const n = mids.length;
  for (let i = 0; i < len; i++) {
    const x = w[off + i];
    const f = x * A + B;
    const k = f <= 0 ? 0 : f >= BUCKETS ? BUCKETS : f | 0;
    let c = cell[k];
    if (ambiguous[k] !== 0) {
      const y = x * inv;
      while (c < n && mids[c] < y) c++;
      if (c < n && mids[c] === y && tieUp[c] === 1) c++;
    }
    codes[off + i] = gc[c];
  }
}

/**
 * Every block's element codes: block b under scales[b] × ts on grids[sel[b]] (grids[0] without `sel`),
 * in WebAssembly when it can (the same codes: test/quant/wasm-kernel.test.ts).
 */
export function encodeLayer(w: Float32Array, geom: BlockGeometry, scales: Float64Array, ts: number, grids: Codebook[], sel: Uint8Array | null, codes: Uint8Array): void {
  if (encodeWasm(w, geom.rows, geom.cols, geom.block, scales, ts, grids, sel, codes)) return;
  forEachBlock(geom, (b, off, len) => blockEncode(w, off, len, scales[b], ts, grids[sel ? sel[b] : 0], codes));
}

/** Per block: largest |w| and the sign of the first element that reaches it (1 = negative). */
export interface BlockStats {
  amax: Float64Array;
  negative: Uint8Array;
  /** Column of the element that reaches amax. */
  argmaxCol: Int32Array;
  /** Largest amax over the layer. */
  max: number;
}

export function blockStats(w: Float32Array, geom: BlockGeometry): BlockStats {
  // large layers keep their statistics in shared memory, for the worker threads that search scales
  const mem = (bytes: number) => (geom.blocks >= 16384 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const amax = new Float64Array(mem(8 * geom.blocks));
  const negative = new Uint8Array(mem(geom.blocks));
  const argmaxCol = new Int32Array(mem(4 * geom.blocks));
  let max = 0;
  const { rows, cols, block } = geom;
  for (let r = 0, b = 0; r < rows; r++) {
    for (let col0 = 0; col0 < cols; col0 += block, b++) {
      const off = r * cols + col0;
      const end = off + Math.min(block, cols - col0);
      // the largest |w| first (a select per weight, no data-dependent branch), then the first weight reaching it
      let m = 0;
      for (let i = off; i < end; i++) {
        const a = Math.abs(w[i]);
        m = a > m ? a : m;
      }
      let at = off;
      while (at < end && Math.abs(w[at]) !== m) at++;
      if (at === end) at = off;
      amax[b] = m;
      negative[b] = w[at] < 0 ? 1 : 0;
      argmaxCol[b] = col0 + (at - off);
      if (m > max) max = m;
    }
  }
  return { amax, negative, argmaxCol, max };
}

/** Visit every block in storage order: block index, flat offset, length, first column. */
export function forEachBlock(geom: BlockGeometry, fn: (b: number, off: number, len: number, col0: number) => void): void {
  const { rows, cols, block, blocksPerRow } = geom;
  let b = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < blocksPerRow; j++, b++) {
      const col0 = j * block;
      fn(b, r * cols + col0, Math.min(block, cols - col0), col0);
    }
  }
}

/** The magnitudes a block scale may take: a format's finite non-negative values (or its even codes only). */
export class ScaleGrid {
  readonly format: Minifloat;
  readonly mags: Float64Array;
  readonly codes: Uint32Array;
  /** Midpoints between neighbouring magnitudes (the rounding thresholds). */
  readonly mids: Float64Array;
  /**
   * Bits of the stored magnitude code (when the selection bit takes its lowest bit, it is still counted here).
   * A signed format's magnitude codes leave out its sign bit: the SOP scale's sign takes that place, so a
   * signed scale costs the format's own width (E4M3: 8 bits, not 9).
   */
  readonly bits: number;

  constructor(format: Minifloat, evenCodesOnly = false) {
    this.format = format;
    const keep: number[] = [];
    for (let i = 0; i < format.mags.length; i++) if (!evenCodesOnly || (format.magCodes[i] & 1) === 0) keep.push(i);
    this.mags = Float64Array.from(keep, (i) => format.mags[i]);
    this.codes = Uint32Array.from(keep, (i) => format.magCodes[i]);
    this.mids = new Float64Array(this.mags.length - 1);
    for (let i = 0; i < this.mids.length; i++) this.mids[i] = (this.mags[i] + this.mags[i + 1]) / 2;
    this.bits = format.signed ? format.codeBits - 1 : format.codeBits;
  }

  get max(): number {
    return this.mags[this.mags.length - 1];
  }

  /** Index of the magnitude nearest to t ≥ 0 (ties to the even code). */
  nearest(t: number): number {
    const mids = this.mids;
    let lo = 0;
    let hi = mids.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (mids[m] < t) lo = m + 1;
      else hi = m;
    }
    if (lo < mids.length && t === mids[lo] && (this.codes[lo] & 1) === 1) lo++;
    return lo;
  }
}

/**
 * Best scale for one block: start at the nearest code to amax / maxAbs / ts, try ±k neighbouring codes,
 * keep the least weighted error (ties keep the candidate closest to the start). Writes into `out`.
 * With a `bound`, only a scale with error below it counts: when none has, out.err is Infinity (the caller
 * already holds something at least as good, e.g. the other codebook of a pair), and candidates stop early.
 */
export function searchBlockScale(
  w: Float32Array,
  off: number,
  len: number,
  col0: number,
  amax: number,
  negative: number,
  grid: Codebook,
  sg: ScaleGrid,
  k: number,
  ts: number,
  aw2: Float64Array | null,
  out: { err: number; mag: number },
  argmaxCol = -1,
  bound = Infinity,
): void {
  const sign = negative ? -1 : 1;
  if (amax === 0) {
    out.err = 0;
    out.mag = 0;
    return;
  }
  const i0 = sg.nearest(amax / grid.maxAbs / ts);
  const last = sg.mags.length - 1;
  const a2max = argmaxCol < 0 ? 0 : aw2 ? aw2[argmaxCol] : 1;
  let bestErr = bound;
  let best = i0;
  for (let step = 0; step <= 2 * k; step++) {
    // visit i0, i0-1, i0+1, i0-2, i0+2, ...
    const d = (step + 1) >> 1;
    const i = step === 0 ? i0 : step & 1 ? i0 - d : i0 + d;
    if (i < 0 || i > last || sg.mags[i] === 0) continue;
    // a scale too small to reach the largest weight leaves at least that weight's clipping error: skip it
    // unevaluated when that alone is no better than the best so far (exact pruning, same result)
    const reach = grid.maxAbs * sg.mags[i] * ts;
    if (reach < amax && a2max * (amax - reach) * (amax - reach) >= bestErr) continue;
    const e = blockError(w, off, len, col0, sign * sg.mags[i], ts, grid, aw2, bestErr);
    if (e < bestErr) {
      bestErr = e;
      best = i;
    }
  }
  out.err = bestErr < bound ? bestErr : Infinity;
  out.mag = best;
}

/** Smallest power-of-two exponent p with maxTarget / 2^p ≤ formatMax: the per-layer normaliser. */
export function layerShift(maxTarget: number, formatMax: number): number {
  if (!(maxTarget > 0)) return 0;
  let p = Math.ceil(Math.log2(maxTarget / formatMax));
  while (maxTarget / 2 ** p > formatMax) p++;
  while (maxTarget / 2 ** (p - 1) <= formatMax) p--;
  return p;
}
