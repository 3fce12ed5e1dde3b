// LUT bank conflicts from a layer's real indices. The lanes of a lane group are split in contiguous runs
// over the table copies (replicas) in use; in each copy an entry lives in bank (code mod banks: tables are
// placed at multiples of the bank count), and a bank's arbiter grants `ports` requests a cycle (lanes
// asking for the same entry each take a read: there is no broadcast). A lane group waits for its slowest
// bank: it takes max over copies and banks of ceil(requests to the bank / ports) cycles, or none if no
// lane reads the LUT.

import type { LayerWork } from '../datapath/layer-work.js';
import { blockOf } from '../../quant/layer.js';

export interface LutGeometry {
  lanes: number;
  /** Table copies serving the lanes (the fewest copies any of the layer's tables has). */
  copies: number;
  banks: number;
  ports: number;
  /** The LUT's decoder route. */
  route: number;
}

/** Cycles each lane group of a layer needs in the LUT, with sums over ranges of groups in constant time. */
export class LutConflicts {
  /** Groups after which the costs repeat (the slice of a repeated layer), or all groups of the layer. */
  readonly period: number;
  /** Most cycles any lane group needs. */
  readonly max: number;
  /** Per group of the period: cycles (0 when no lane reads the LUT). */
  private readonly cost: Uint16Array;
  /** Prefix sums over the period of the cycles beyond one. */
  private readonly extra: Float64Array;

  constructor(work: LayerWork, private readonly g: LutGeometry) {
    const q = work.layer;
    const sliceN = q.geom.rows * q.geom.cols;
    const repeated = work.rows !== q.geom.rows;
    if (repeated && sliceN % g.lanes !== 0) throw new Error(`LUT conflicts: a repeated slice of ${sliceN} weights is not a whole number of ${g.lanes}-lane groups`);
    this.period = repeated ? sliceN / g.lanes : Math.ceil(work.n / g.lanes);
    this.cost = new Uint16Array(this.period);
    this.extra = new Float64Array(this.period + 1);
    const load = new Int32Array(g.copies * g.banks);
    const perCopy = Math.ceil(g.lanes / g.copies);
    let max = 0;
    for (let k = 0; k < this.period; k++) {
      load.fill(0);
      const i0 = k * g.lanes;
      const i1 = Math.min(i0 + g.lanes, sliceN);
      let worst = 0;
      for (let i = i0; i < i1; i++) {
        if (work.blockRoute[blockOf(q.geom, i)] !== g.route) continue;
        const copy = ((i - i0) / perCopy) | 0;
        const at = copy * g.banks + (q.codes[i] % g.banks);
        const n = ++load[at];
        const cycles = Math.ceil(n / g.ports);
        if (cycles > worst) worst = cycles;
      }
      this.cost[k] = worst;
      this.extra[k + 1] = this.extra[k] + (worst > 1 ? worst - 1 : 0);
      if (worst > max) max = worst;
    }
    this.max = max;
  }

  /** Cycles of the lane group starting at stream weight `first`. */
  cycles(first: number): number {
    return this.cost[(first / this.g.lanes) % this.period];
  }

  /** Cycles beyond one, summed over the lane groups of stream weights [w0, w1) (w0 on a group boundary). */
  extraIn(w0: number, w1: number): number {
    const g0 = w0 / this.g.lanes;
    const g1 = Math.ceil(w1 / this.g.lanes);
    return this.prefix(g1) - this.prefix(g0);
  }

  /** Extra cycles of groups [0, g). */
  private prefix(gi: number): number {
    const p = this.period;
    const full = Math.floor(gi / p);
    return full * this.extra[p] + this.extra[gi - full * p];
  }
}

const cache = new WeakMap<object, Map<string, LutConflicts>>();

/** A layer's conflicts on a geometry, computed once per packed layer (slices repeated across a trace share it). */
export function conflictsFor(work: LayerWork, g: LutGeometry): LutConflicts {
  let m = cache.get(work.layer);
  if (!m) cache.set(work.layer, (m = new Map()));
  const key = `${g.lanes}/${g.copies}/${g.banks}/${g.ports}/${g.route}/${work.rows}/${work.routes.join(',')}`;
  let c = m.get(key);
  if (!c) m.set(key, (c = new LutConflicts(work, g)));
  return c;
}
