// A grid of representable levels addressed by a code: a 4-bit codebook on [-1, 1] (docs/MODEL.md §2), or the
// finite values of a small number format used as block elements (E2M3, E2M1, ...).
// Nearest-level search uses a fine bucket table: almost every bucket lies inside one level's cell and
// answers directly; the few that hold a rounding threshold fall back to a compare or two.

import { BadValueError } from '../io/tensor.js';
import type { Minifloat } from '../formats/minifloat.js';

export type CodebookKind = 'fixed' | 'data-dependent' | 'user' | 'format';

export const BUCKETS = 4096;

export class Codebook {
  readonly name: string;
  readonly kind: CodebookKind;
  /** Levels in ascending order (duplicates allowed after rounding to a LUT grid). */
  readonly levels: Float64Array;
  /** The code stored for each level: its index for a codebook, the format's code for a number format. */
  readonly codes: Uint32Array;
  /** mids[i] = (levels[i] + levels[i+1]) / 2. */
  readonly mids: Float64Array;
  /** tieUp[i] = 1 when a value exactly at mids[i] rounds to level i+1 (format grids: to the even code). */
  readonly tieUp: Uint8Array;
  /** max |level|: a block scale is amax / maxAbs. */
  readonly maxAbs: number;
  /** Per bucket: the first level index whose threshold may lie at or above the bucket. */
  readonly cell: Uint8Array;
  /** Per bucket: levels[cell[k]], the answer when the bucket is not ambiguous. */
  readonly cellLevel: Float64Array;
  /** Per bucket: 1 when a threshold lies in (or within half a bucket of) it, so a compare is needed. */
  readonly ambiguous: Uint8Array;
  /** Grids with too many levels per bucket (E4M3's subnormals) use a binary search instead. */
  readonly binary: boolean;
  readonly lo: number;
  readonly hi: number;
  readonly invWidth: number;

  constructor(name: string, levels: ArrayLike<number>, kind: CodebookKind = 'fixed', codes?: ArrayLike<number>, tieUp?: ArrayLike<number>) {
    const n = levels.length;
    if (n < 2 || n > 256) throw new BadValueError(`codebook ${name}: expected 2 to 256 levels, got ${n}`);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(levels[i])) throw new BadValueError(`codebook ${name}: level ${i} is not a finite number`);
    }
    order.sort((a, b) => levels[a] - levels[b] || a - b);
    this.name = name;
    this.kind = kind;
    this.levels = Float64Array.from(order, (i) => levels[i]);
    this.codes = Uint32Array.from(order, (i) => (codes ? codes[i] : i));
    this.mids = new Float64Array(n - 1);
    for (let i = 0; i < n - 1; i++) this.mids[i] = (this.levels[i] + this.levels[i + 1]) / 2;
    this.tieUp = tieUp ? Uint8Array.from(tieUp) : new Uint8Array(n - 1);
    this.maxAbs = Math.max(-this.levels[0], this.levels[n - 1]);
    this.lo = -this.maxAbs;
    this.hi = this.maxAbs;
    this.invWidth = BUCKETS / (2 * this.maxAbs);
    this.cell = new Uint8Array(BUCKETS + 1);
    this.ambiguous = new Uint8Array(BUCKETS + 1);
    const width = 1 / this.invWidth;
    let first = 0;
    let crowded = false;
    for (let k = 0; k <= BUCKETS; k++) {
      // the bucket with half a bucket of slack each side, so rounding in the bucket index is harmless
      const a = this.lo + (k - 0.5) * width;
      const b = this.lo + (k + 1.5) * width;
      while (first < this.mids.length && this.mids[first] < a) first++;
      let last = first;
      while (last < this.mids.length && this.mids[last] <= b) last++;
      this.cell[k] = Math.min(first, 255);
      this.ambiguous[k] = last > first ? 1 : 0;
      if (last - first > 8) crowded = true;
    }
    this.binary = crowded || n > 255;
    this.cellLevel = Float64Array.from(this.cell, (c) => this.levels[Math.min(c, n - 1)]);
  }

  /** The finite values of a number format as an element grid (ties to the even code, like the format). */
  static fromFormat(fmt: Minifloat): Codebook {
    const lv: number[] = [];
    const cd: number[] = [];
    for (let i = fmt.mags.length - 1; i >= 1; i--) {
      if (!fmt.signed) break;
      lv.push(-fmt.mags[i]);
      cd.push(fmt.encode(-fmt.mags[i]));
    }
    for (let i = 0; i < fmt.mags.length; i++) {
      lv.push(fmt.mags[i]);
      cd.push(fmt.magCodes[i]);
    }
    const tie = new Uint8Array(lv.length - 1);
    for (let i = 0; i < tie.length; i++) {
      // the even code wins a tie; on the negative side compare magnitude codes, which mirror the positive side
      const upper = lv[i + 1] > 0 ? cd[i + 1] : fmt.encode(-lv[i + 1]);
      tie[i] = (upper & 1) === 0 ? 1 : 0;
    }
    return new Codebook(fmt.name, lv, 'format', cd, tie);
  }

  get size(): number {
    return this.levels.length;
  }

  /** Index (into `levels`) of the level nearest to y. */
  nearest(y: number): number {
    const mids = this.mids;
    const n = mids.length;
    let i: number;
    if (!this.binary) {
      const k = y <= this.lo ? 0 : y >= this.hi ? BUCKETS : ((y - this.lo) * this.invWidth) | 0;
      i = this.cell[k];
      if (this.ambiguous[k] === 0) return i;
      while (i < n && mids[i] < y) i++;
    } else {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if (mids[m] < y) lo = m + 1;
        else hi = m;
      }
      i = lo;
    }
    if (i < n && mids[i] === y && this.tieUp[i] === 1) i++;
    return i;
  }

  toJSON(): { name: string; kind: CodebookKind; levels: number[] } {
    return { name: this.name, kind: this.kind, levels: Array.from(this.levels) };
  }
}
