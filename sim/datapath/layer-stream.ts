// A layer's weight stream as the decoder meets it, answering "how many ... in [0, x)" in constant time:
// weights routed to the LUT or to a direct decode, blocks starting and ending, residual corrections.
// The stream may repeat a representative slice of rows (synthetic layers of trace descriptors): virtual
// row v reads slice row v mod R, so a 4096x11008 layer costs no more to describe than its slice.

import type { QuantizedLayer } from '../../quant/layer.js';

export const ROUTE_ROM = 0;
export const ROUTE_LUT = 1;
export const ROUTE_DIRECT = 2;

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
  // per slice row r: LUT / direct weights in rows before r, and per block j of r, before block j
  private readonly lutRowPrefix: Float64Array;
  private readonly dirRowPrefix: Float64Array;
  private readonly lutBlkPrefix: Float64Array;
  private readonly dirBlkPrefix: Float64Array;
  private readonly lutStartRowPrefix: Float64Array;
  private readonly lutStartBlkPrefix: Float64Array;
  private readonly route: Uint8Array;
  private readonly resid: Float64Array | null;
  private readonly sliceN: number;

  constructor(q: QuantizedLayer, blockRoute: Uint8Array, virtualRows = q.geom.rows) {
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
    const bpr1 = blocksPerRow + 1;
    this.lutRowPrefix = new Float64Array(rows + 1);
    this.dirRowPrefix = new Float64Array(rows + 1);
    this.lutStartRowPrefix = new Float64Array(rows + 1);
    this.lutBlkPrefix = new Float64Array(rows * bpr1);
    this.dirBlkPrefix = new Float64Array(rows * bpr1);
    this.lutStartBlkPrefix = new Float64Array(rows * bpr1);
    for (let r = 0; r < rows; r++) {
      let lut = 0;
      let dir = 0;
      let starts = 0;
      for (let j = 0; j < blocksPerRow; j++) {
        const b = r * blocksPerRow + j;
        const len = j === blocksPerRow - 1 ? last : block;
        this.lutBlkPrefix[r * bpr1 + j] = lut;
        this.dirBlkPrefix[r * bpr1 + j] = dir;
        this.lutStartBlkPrefix[r * bpr1 + j] = starts;
        if (blockRoute[b] === ROUTE_LUT) {
          lut += len;
          starts++;
        } else if (blockRoute[b] === ROUTE_DIRECT) dir += len;
      }
      this.lutBlkPrefix[r * bpr1 + blocksPerRow] = lut;
      this.dirBlkPrefix[r * bpr1 + blocksPerRow] = dir;
      this.lutStartBlkPrefix[r * bpr1 + blocksPerRow] = starts;
      this.lutRowPrefix[r + 1] = this.lutRowPrefix[r] + lut;
      this.dirRowPrefix[r + 1] = this.dirRowPrefix[r] + dir;
      this.lutStartRowPrefix[r + 1] = this.lutStartRowPrefix[r] + starts;
    }
    this.resid = q.residuals && q.residuals.index.length ? Float64Array.from(q.residuals.index).sort() : null;
  }

  /** Per-weight route count in [0, x): generic over the prefix tables. */
  private count(x: number, rowPrefix: Float64Array, blkPrefix: Float64Array, route: number): number {
    if (x <= 0) return 0;
    const R = this.sliceRows;
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    const rep = Math.floor(row / R);
    const r = row - rep * R;
    let c = rep * rowPrefix[R] + rowPrefix[r];
    if (col > 0) {
      const j = Math.floor(col / this.block);
      const bpr1 = this.blocksPerRow + 1;
      c += blkPrefix[r * bpr1 + j];
      if (j < this.blocksPerRow && this.route[r * this.blocksPerRow + j] === route) c += col - j * this.block;
    }
    return c;
  }

  /** Weights in [0, x) decoded through the LUT. */
  lut(x: number): number {
    return this.count(x, this.lutRowPrefix, this.lutBlkPrefix, ROUTE_LUT);
  }

  /** Weights in [0, x) decoded directly from their number format. */
  direct(x: number): number {
    return this.count(x, this.dirRowPrefix, this.dirBlkPrefix, ROUTE_DIRECT);
  }

  /** Blocks whose first weight lies in [0, x). */
  blockStarts(x: number): number {
    if (x <= 0) return 0;
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    return row * this.blocksPerRow + Math.ceil(col / this.block);
  }

  /** LUT-routed blocks whose first weight lies in [0, x). */
  lutBlockStarts(x: number): number {
    if (x <= 0) return 0;
    const R = this.sliceRows;
    const row = Math.floor(x / this.cols);
    const col = x - row * this.cols;
    const rep = Math.floor(row / R);
    const r = row - rep * R;
    const j = Math.ceil(col / this.block);
    return rep * this.lutStartRowPrefix[R] + this.lutStartRowPrefix[r] + this.lutStartBlkPrefix[r * (this.blocksPerRow + 1) + j];
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
