// A layer's weight stream as the decoder meets it, answering "how many ... in [0, x)" in constant time:
// weights and block starts per decoder route, blocks starting and ending, residual corrections.
// The stream may repeat a representative slice of rows (synthetic layers of trace descriptors): virtual
// row v reads slice row v mod R, so a 4096x11008 layer costs no more to describe than its slice.

import type { QuantizedLayer } from '../../quant/layer.js';

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
    this.usedRoutes = [...used].filter((k) => k < routes).sort((a, b) => a - b);
    // routes no block takes keep no tables (their counts are 0)
    const mk = (k: number): Prefix | null => (used.has(k) ? { row: new Float64Array(rows + 1), blk: new Float64Array(rows * (blocksPerRow + 1)) } : null);
    this.weightsOf = Array.from({ length: routes }, (_, k) => mk(k));
    this.startsOf = Array.from({ length: routes }, (_, k) => mk(k));
    for (const k of this.usedRoutes)
      for (let r = 0; r < rows; r++) {
        const at = r * blocksPerRow;
        this.fillRow(this.weightsOf[k]!, r, (j) => (blockRoute[at + j] === k ? (j === blocksPerRow - 1 ? last : block) : 0));
        this.fillRow(this.startsOf[k]!, r, (j) => (blockRoute[at + j] === k ? 1 : 0));
      }
    this.resid = q.residuals && q.residuals.index.length ? Float64Array.from(q.residuals.index).sort() : null;
  }

  private fillRow(p: Prefix, r: number, ofBlock: (j: number) => number): void {
    const bpr1 = this.blocksPerRow + 1;
    let s = 0;
    for (let j = 0; j < this.blocksPerRow; j++) {
      p.blk[r * bpr1 + j] = s;
      s += ofBlock(j);
    }
    p.blk[r * bpr1 + this.blocksPerRow] = s;
    p.row[r + 1] = p.row[r] + s;
  }

  /** Where weight x sits: its slice row r, repetition rep and column col. */
  private locate(x: number): { rep: number; r: number; col: number } {
    const row = Math.floor(x / this.cols);
    const rep = Math.floor(row / this.sliceRows);
    return { rep, r: row - rep * this.sliceRows, col: x - row * this.cols };
  }

  /** Weights in [0, x) decoded by route `k`. */
  routed(k: number, x: number): number {
    const p = k < 0 ? null : this.weightsOf[k];
    if (x <= 0 || !p) return 0;
    const { rep, r, col } = this.locate(x);
    let c = rep * p.row[this.sliceRows] + p.row[r];
    if (col > 0) {
      const j = Math.floor(col / this.block);
      c += p.blk[r * (this.blocksPerRow + 1) + j];
      if (j < this.blocksPerRow && this.route[r * this.blocksPerRow + j] === k) c += col - j * this.block;
    }
    return c;
  }

  /** Blocks of route `k` whose first weight lies in [0, x). */
  routedStarts(k: number, x: number): number {
    const p = k < 0 ? null : this.startsOf[k];
    if (x <= 0 || !p) return 0;
    const { rep, r, col } = this.locate(x);
    return rep * p.row[this.sliceRows] + p.row[r] + p.blk[r * (this.blocksPerRow + 1) + Math.ceil(col / this.block)];
  }

  /** Blocks whose first weight lies in [0, x). */
  blockStarts(x: number): number {
    if (x <= 0) return 0;
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    return row * this.blocksPerRow + Math.ceil(col / this.block);
  }

  /** Blocks whose last weight lies in [0, x). */
  blockEnds(x: number): number {
    if (x <= 0) return 0;
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    return row * this.blocksPerRow + Math.floor(col / this.block);
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
