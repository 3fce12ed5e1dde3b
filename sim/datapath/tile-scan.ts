// One tile of a layer's weight stream, as the datapath sees it: per lane group, how many weights go to
// the LUT, the ROM or a direct decode, and how many blocks end there (per-block scale multiplies);
// per tile, the blocks that start in it (their fields travel with it), its residuals and its bytes.
// Event mode and fast mode both read groups from here, so they see the same stream.

import { RESIDUAL_BITS } from '../../quant/layer.js';
import type { LayerWork } from './layer-work.js';

export class TileScan {
  readonly lanes: number;
  /** Per group of the current tile (filled by scanGroups). */
  lutW = new Int32Array(0);
  directW = new Int32Array(0);
  weights = new Int32Array(0);
  blocksEnding = new Int32Array(0);
  /** The layer whose tile is held. */
  work: LayerWork | null = null;
  groups = 0;
  w0 = 0;
  w1 = 0;
  /** Tile totals. */
  lutWeights = 0;
  directWeights = 0;
  blocksStarting = 0;
  lutBlocksStarting = 0;
  blocksEnded = 0;
  residuals = 0;
  bytes = 0;
  private grouped = false;

  constructor(lanes: number) {
    this.lanes = lanes;
  }

  /** Tile k of a layer: its totals (constant time); per-group detail on demand. */
  scan(work: LayerWork, k: number): void {
    const s = work.stream;
    const w0 = k * work.tileWeights;
    const w1 = Math.min(work.n, w0 + work.tileWeights);
    this.work = work;
    this.w0 = w0;
    this.w1 = w1;
    this.groups = Math.ceil((w1 - w0) / this.lanes);
    this.lutWeights = s.lut(w1) - s.lut(w0);
    this.directWeights = s.direct(w1) - s.direct(w0);
    this.blocksStarting = s.blockStarts(w1) - s.blockStarts(w0);
    this.lutBlocksStarting = s.lutBlockStarts(w1) - s.lutBlockStarts(w0);
    this.blocksEnded = s.blockEnds(w1) - s.blockEnds(w0);
    this.residuals = s.residuals(w1) - s.residuals(w0);
    const bits = (w1 - w0) * work.layer.elementBits + this.blocksStarting * work.fieldBits + this.residuals * RESIDUAL_BITS;
    this.bytes = Math.ceil(bits / 8);
    this.grouped = false;
  }

  /** Fill the per-group arrays of the current tile. */
  scanGroups(): void {
    if (this.grouped) return;
    const work = this.work!;
    const s = work.stream;
    const g = this.groups;
    if (this.lutW.length < g) {
      this.lutW = new Int32Array(g);
      this.directW = new Int32Array(g);
      this.weights = new Int32Array(g);
      this.blocksEnding = new Int32Array(g);
    }
    let a = this.w0;
    let lutA = s.lut(a);
    let dirA = s.direct(a);
    let endA = s.blockEnds(a);
    for (let c = 0; c < g; c++) {
      const b = Math.min(this.w1, a + this.lanes);
      const lutB = s.lut(b);
      const dirB = s.direct(b);
      const endB = s.blockEnds(b);
      this.weights[c] = b - a;
      this.lutW[c] = lutB - lutA;
      this.directW[c] = dirB - dirA;
      this.blocksEnding[c] = endB - endA;
      a = b;
      lutA = lutB;
      dirA = dirB;
      endA = endB;
    }
    this.grouped = true;
  }
}
