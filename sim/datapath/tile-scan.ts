// One tile of a layer's weight stream, as the datapath sees it: per lane group, how many weights go to
// the LUT, the ROM or a direct decode, and how many blocks end there (per-block scale multiplies);
// per tile, the blocks that start in it (their fields travel with it), its residuals and its bytes.
// Event mode and fast mode both read groups from here, so they see the same stream.

import { RESIDUAL_BITS } from '../../quant/layer.js';
import { ROUTE_DIRECT, ROUTE_LUT, type LayerWork } from './layer-work.js';

export class TileScan {
  readonly lanes: number;
  /** Per group of the current tile. */
  lutW = new Int32Array(0);
  directW = new Int32Array(0);
  weights = new Int32Array(0);
  blocksEnding = new Int32Array(0);
  /** The layer and tile held. */
  work: LayerWork | null = null;
  tile = -1;
  groups = 0;
  w0 = 0;
  w1 = 0;
  blocksStarting = 0;
  lutBlocksStarting = 0;
  residuals = 0;
  bytes = 0;

  constructor(lanes: number) {
    this.lanes = lanes;
  }

  /** Fill the per-group arrays for tile k of a layer. */
  scan(work: LayerWork, k: number): void {
    const lanes = this.lanes;
    const g = Math.ceil(work.tileWeights / lanes);
    if (this.lutW.length < g) {
      this.lutW = new Int32Array(g);
      this.directW = new Int32Array(g);
      this.weights = new Int32Array(g);
      this.blocksEnding = new Int32Array(g);
    }
    this.work = work;
    this.tile = k;
    const { cols, block, blocksPerRow } = work.layer.geom;
    const w0 = k * work.tileWeights;
    const w1 = Math.min(work.n, w0 + work.tileWeights);
    const groups = Math.ceil((w1 - w0) / lanes);
    this.w0 = w0;
    this.w1 = w1;
    this.groups = groups;
    this.lutW.fill(0, 0, groups);
    this.directW.fill(0, 0, groups);
    this.blocksEnding.fill(0, 0, groups);
    for (let c = 0; c < groups; c++) this.weights[c] = Math.min(lanes, w1 - w0 - c * lanes);
    let starting = 0;
    let lutStarting = 0;
    const route = work.blockRoute;
    // walk the blocks that overlap [w0, w1)
    let row = Math.floor(w0 / cols);
    let j = Math.floor((w0 - row * cols) / block);
    for (;;) {
      const bs = row * cols + j * block;
      if (bs >= w1) break;
      const be = Math.min(row * cols + cols, bs + block);
      const b = row * blocksPerRow + j;
      const r = route[b];
      if (bs >= w0) {
        starting++;
        if (r === ROUTE_LUT) lutStarting++;
      }
      if (be - 1 < w1) this.blocksEnding[Math.floor((be - 1 - w0) / lanes)]++;
      const arr = r === ROUTE_LUT ? this.lutW : r === ROUTE_DIRECT ? this.directW : null;
      if (arr) {
        // distribute the block's weights inside the tile over the lane groups (ROM weights are the rest)
        let i = bs > w0 ? bs : w0;
        const end = be < w1 ? be : w1;
        while (i < end) {
          const c = Math.floor((i - w0) / lanes);
          const gEnd = w0 + (c + 1) * lanes;
          const stop = gEnd < end ? gEnd : end;
          arr[c] += stop - i;
          i = stop;
        }
      }
      if (++j === blocksPerRow) {
        j = 0;
        row++;
      }
    }
    this.blocksStarting = starting;
    this.lutBlocksStarting = lutStarting;
    let res = 0;
    const rs = work.residuals;
    if (rs) res = upperBound(rs, w1 - 1) - upperBound(rs, w0 - 1);
    this.residuals = res;
    const bits = (w1 - w0) * work.layer.elementBits + starting * work.fieldBits + res * RESIDUAL_BITS;
    this.bytes = Math.ceil(bits / 8);
  }
}

/** Number of elements of sorted `a` that are <= x. */
function upperBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}
