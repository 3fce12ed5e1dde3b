// One tile of a layer's weight stream as the datapath sees it: its totals (a TileDemand: weights per
// decoder route, blocks starting and ending, residuals, bytes) in constant time, and per lane group the
// same counts on demand. Both modes read tiles and groups from here, so they see the same stream.

import { RESIDUAL_BITS } from '../../quant/layer.js';
import type { Demand, TileDemand } from '../core/block.js';
import type { LayerWork } from './layer-work.js';

export class TileScan {
  /** The tile's totals. */
  readonly tile: TileDemand;
  /** One lane group's counts (filled by group()). */
  readonly one: Demand;
  w0 = 0;
  w1 = 0;
  groups = 0;
  /** Per group of the current tile (filled by scanGroups): weights, blocks ending, weights per route. */
  weights = new Int32Array(0);
  blocksEnding = new Int32Array(0);
  routedW: Int32Array[];
  private work: LayerWork | null = null;
  private grouped = false;
  /** Stream counts at the tile's start and end (LayerStream.countsAt); the end is the next tile's start. */
  private at0: Float64Array;
  private at1: Float64Array;

  constructor(readonly lanes: number, private readonly routes: number, private readonly tabledRoutes: readonly number[]) {
    this.routedW = Array.from({ length: routes }, () => new Int32Array(0));
    this.tile = {
      tokens: 0,
      groups: 0,
      weights: 0,
      routed: new Float64Array(routes),
      tabled: 0,
      blocksEnding: 0,
      blocksStarting: 0,
      startingRouted: new Float64Array(routes),
      residuals: 0,
      bytes: 0,
      first: 0,
    };
    this.one = { tokens: 0, groups: 0, weights: 0, routed: new Float64Array(routes), tabled: 0, blocksEnding: 0, first: 0 };
    this.at0 = new Float64Array(3 + 2 * routes);
    this.at1 = new Float64Array(3 + 2 * routes);
  }

  /** Tile k of a layer: its totals. */
  scan(work: LayerWork, k: number): void {
    const s = work.stream;
    const t = this.tile;
    const w0 = (this.w0 = k * work.tileWeights);
    const w1 = (this.w1 = Math.min(work.n, w0 + work.tileWeights));
    this.work = work;
    this.groups = Math.ceil((w1 - w0) / this.lanes);
    const a = this.at0;
    const b = this.at1;
    s.countsAt(w0, a);
    s.countsAt(w1, b);
    const R = this.routes;
    t.tokens = work.tokens;
    t.first = w0;
    t.groups = this.groups;
    t.weights = w1 - w0;
    t.blocksStarting = b[0] - a[0];
    t.blocksEnding = b[1] - a[1];
    t.residuals = b[2] - a[2];
    for (let r = 0; r < R; r++) {
      t.routed[r] = b[3 + r] - a[3 + r];
      t.startingRouted[r] = b[3 + R + r] - a[3 + R + r];
    }
    t.tabled = this.tabledOf(t.routed);
    t.bytes = Math.ceil((s.codeBits(w1) - s.codeBits(w0) + t.blocksStarting * work.fieldBits + t.residuals * RESIDUAL_BITS) / 8);
    this.grouped = false;
  }

  private tabledOf(routed: Float64Array): number {
    const tr = this.tabledRoutes;
    let s = 0;
    for (let i = 0; i < tr.length; i++) s += routed[tr[i]];
    return s;
  }

  /** Fill the per-group arrays of the current tile. */
  scanGroups(): void {
    if (this.grouped) return;
    const work = this.work!;
    const s = work.stream;
    const g = this.groups;
    if (this.weights.length < g) {
      this.weights = new Int32Array(g);
      this.blocksEnding = new Int32Array(g);
      this.routedW = this.routedW.map(() => new Int32Array(g));
    }
    let a = this.w0;
    let endA = s.blockEnds(a);
    for (let c = 0; c < g; c++) {
      const b = Math.min(this.w1, a + this.lanes);
      const endB = s.blockEnds(b);
      this.weights[c] = b - a;
      this.blocksEnding[c] = endB - endA;
      a = b;
      endA = endB;
    }
    for (const r of s.usedRoutes) {
      const out = this.routedW[r];
      if (s.usedRoutes.length === 1) {
        out.set(this.weights.subarray(0, g)); // every weight takes the one route
        continue;
      }
      let x = this.w0;
      let prev = s.routed(r, x);
      for (let c = 0; c < g; c++) {
        x += this.weights[c];
        const cur = s.routed(r, x);
        out[c] = cur - prev;
        prev = cur;
      }
    }
    this.grouped = true;
  }

  /** Lane group c of the scanned tile, as a Demand (a view reused for every group). */
  group(c: number): Demand {
    const d = this.one;
    if (c === 0) d.routed.fill(0);
    d.tokens = this.tile.tokens;
    d.groups = 1;
    d.first = this.w0 + c * this.lanes;
    d.weights = this.weights[c];
    d.blocksEnding = this.blocksEnding[c];
    const used = this.work!.stream.usedRoutes;
    for (let i = 0; i < used.length; i++) d.routed[used[i]] = this.routedW[used[i]][c];
    d.tabled = this.tabledOf(d.routed);
    return d;
  }
}
