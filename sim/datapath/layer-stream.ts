// A layer's weight stream as the decoder meets it, answering "how many ... in [0, x)" in constant time:
// weights and block starts per decoder route, blocks starting and ending, residual corrections.
// The stream may repeat a representative slice of rows (synthetic layers of trace descriptors): virtual
// row v reads slice row v mod R, so a 4096x11008 layer costs no more to describe than its slice.

import { blockCodeBits, type QuantizedLayer } from '../../quant/layer.js';

/** Prefix sums of one per-block quantity over the slice: before row r, and before block j of row r. */
interface Prefix {
  row: Float64Array;
  blk: Float64Array;
}

export class LayerStream {
  readonly rows: number;
  readonly cols: number;
  readonly block: number;
  readonly blocksPerRow: number;
  /** Rows of the slice that repeats (all rows for a real layer). */
  readonly sliceRows: number;
  readonly n: number;
  /** Shortest block: bounds how many blocks can end inside one lane group. */
  readonly minBlock: number;
  /** Routes that some block of the layer takes. */
  readonly usedRoutes: number[];
  private readonly weightsOf: Array<Prefix | null>;
  private readonly startsOf: Array<Prefix | null>;
  private readonly route: Uint8Array;
  private readonly resid: Float64Array | null;
  private readonly sliceN: number;
  private readonly memo: Float64Array;
  private memoAt = -1;

  constructor(q: QuantizedLayer, blockRoute: Uint8Array, routes: number, virtualRows = q.geom.rows) {
    const { rows, cols, block, blocksPerRow } = q.geom;
    this.sliceRows = rows;
    this.rows = virtualRows;
    this.cols = cols;
    this.block = block;
    this.blocksPerRow = blocksPerRow;
    this.n = virtualRows * cols;
    this.sliceN = rows * cols;
    this.route = blockRoute;
    const last = cols - (blocksPerRow - 1) * block;
    this.minBlock = Math.min(block, last);
    const used = new Set<number>(blockRoute);
    this.memo = new Float64Array(3 + 2 * routes);
    this.usedRoutes = [...used].filter((k) => k < routes).sort((a, b) => a - b);
    // routes no block takes keep no tables (their counts are 0)
    const mk = (k: number): Prefix | null => (used.has(k) ? { row: new Float64Array(rows + 1), blk: new Float64Array(rows * (blocksPerRow + 1)) } : null);
    this.weightsOf = Array.from({ length: routes }, (_, k) => mk(k));
    this.startsOf = Array.from({ length: routes }, (_, k) => mk(k));
    // one pass over the blocks fills every used route's prefix tables
    const bpr1 = blocksPerRow + 1;
    const W = this.weightsOf;
    const S = this.startsOf;
    const sumW = new Float64Array(routes);
    const sumS = new Float64Array(routes);
    for (let r = 0; r < rows; r++) {
      sumW.fill(0);
      sumS.fill(0);
      for (let j = 0; j < blocksPerRow; j++) {
        for (const k of this.usedRoutes) {
          W[k]!.blk[r * bpr1 + j] = sumW[k];
          S[k]!.blk[r * bpr1 + j] = sumS[k];
        }
        const k = blockRoute[r * blocksPerRow + j];
        sumW[k] += j === blocksPerRow - 1 ? last : block;
        sumS[k]++;
      }
      for (const k of this.usedRoutes) {
        W[k]!.blk[r * bpr1 + blocksPerRow] = sumW[k];
        S[k]!.blk[r * bpr1 + blocksPerRow] = sumS[k];
        W[k]!.row[r + 1] = W[k]!.row[r] + sumW[k];
        S[k]!.row[r + 1] = S[k]!.row[r] + sumS[k];
      }
    }
    this.resid = q.residuals && q.residuals.index.length ? Float64Array.from(q.residuals.index).sort() : null;
    this.elementBits = q.elementBits;
    this.blockBits = blockCodeBits(q);
    if (this.blockBits) {
      // a mixed-width layer: code bits before each row and before each block of its row
      const wb = this.blockBits;
      const p: Prefix = { row: new Float64Array(rows + 1), blk: new Float64Array(rows * bpr1) };
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < blocksPerRow; j++) {
          p.blk[r * bpr1 + j] = sum;
          sum += wb[r * blocksPerRow + j] * (j === blocksPerRow - 1 ? last : block);
        }
        p.blk[r * bpr1 + blocksPerRow] = sum;
        p.row[r + 1] = p.row[r] + sum;
      }
      this.bitsOf = p;
    }
  }

  private readonly elementBits: number;
  private readonly blockBits: Uint8Array | null;
  private bitsOf: Prefix | null = null;

  /** Bits of the element codes of weights [0, x): x codes of elementBits, or each block's at its own width. */
  codeBits(x: number): number {
    const p = this.bitsOf;
    if (!p) return x * this.elementBits;
    if (x <= 0) return 0;
    return this.prefixAt(p, x, (r, j, into) => into * this.blockBits![r * this.blocksPerRow + j]);
  }

  /** Weights in [0, x) decoded by route `k`. */
  routed(k: number, x: number): number {
    const p = k < 0 ? null : this.weightsOf[k];
    if (x <= 0 || !p) return 0;
    return this.prefixAt(p, x, (r, j, into) => (this.route[r * this.blocksPerRow + j] === k ? into : 0));
  }

  /**
   * A prefix table's count over weights [0, x): whole repeats of the slice, whole rows, whole blocks, then
   * `partial` of the block x falls in (given its slice row, its block and how many of its weights lie before x).
   */
  private prefixAt(p: Prefix, x: number, partial: (r: number, j: number, into: number) => number): number {
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    const rep = Math.floor(row / this.sliceRows);
    const r = row - rep * this.sliceRows;
    let c = rep * p.row[this.sliceRows] + p.row[r];
    if (col > 0) {
      const j = Math.floor(col / this.block);
      c += p.blk[r * (this.blocksPerRow + 1) + j];
      if (j < this.blocksPerRow) c += partial(r, j, col - j * this.block);
    }
    return c;
  }

  /** Blocks of route `k` whose first weight lies in [0, x). */
  routedStarts(k: number, x: number): number {
    const p = k < 0 ? null : this.startsOf[k];
    if (x <= 0 || !p) return 0;
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    const rep = Math.floor(row / this.sliceRows);
    const r = row - rep * this.sliceRows;
    return rep * p.row[this.sliceRows] + p.row[r] + p.blk[r * (this.blocksPerRow + 1) + Math.ceil(col / this.block)];
  }

  /** Blocks whose first weight lies in [0, x). */
  blockStarts(x: number): number {
    if (x <= 0) return 0;
    const row = Math.floor(x / this.cols);
    return row * this.blocksPerRow + Math.ceil((x - row * this.cols) / this.block);
  }

  /** Blocks whose last weight lies in [0, x). */
  blockEnds(x: number): number {
    if (x <= 0) return 0;
    const row = Math.floor(x / this.cols);
    return row * this.blocksPerRow + Math.floor((x - row * this.cols) / this.block);
  }

  /**
   * Every count in [0, x) at once, into `out` (length 3 + 2 x routes): block starts, block ends,
   * residuals, then weights per route, then block starts per route. Routes no block takes stay 0.
   */
  countsAt(x: number, out: Float64Array): void {
    const m = this.memo;
    if (x !== this.memoAt) {
      // tiles are scanned in order, so each tile's start was the previous tile's end: compute once
      const R = this.weightsOf.length;
      m[0] = this.blockStarts(x);
      m[1] = this.blockEnds(x);
      m[2] = this.residuals(x);
      for (let k = 0; k < R; k++) {
        m[3 + k] = this.routed(k, x);
        m[3 + R + k] = this.routedStarts(k, x);
      }
      this.memoAt = x;
    }
    for (let i = 0; i < m.length; i++) out[i] = m[i];
  }

  /** Residual corrections at weights in [0, x). */
  residuals(x: number): number {
    const rs = this.resid;
    if (!rs || x <= 0) return 0;
    const rep = Math.floor(x / this.sliceN);
    const within = x - rep * this.sliceN;
    let lo = 0;
    let hi = rs.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (rs[m] < within) lo = m + 1;
      else hi = m;
    }
    return rep * rs.length + lo;
  }
}
