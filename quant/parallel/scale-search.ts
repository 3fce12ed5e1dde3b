// The block-scale search over a whole layer, on every core when the layer is large enough.

import type { Codebook } from '../codebooks/codebook.js';
import type { Tensor2D } from '../io/tensor.js';
import type { BlockGeometry } from '../layer.js';
import type { BlockStats } from '../sop/kernels.js';
import { gridSpec, runScaleSearch } from './tasks.js';
import { rowShares, runTasks, sharedFloat32, toShared, type ScaleSearchTask } from './threads.js';

export interface ScaleSearchResult {
  err: Float64Array;
  mag: Uint16Array;
  /** Element codes under the best scales, when asked for. */
  codes: Uint8Array | null;
}

export interface ScaleSearchOptions {
  /** The grid elements round to, and the scale format searched. */
  grid: Codebook;
  scaleFormat: string;
  /** Only even scale codes (the selection bit takes the lowest code bit). */
  evenCodesOnly: boolean;
  /** Refine each block's scale over ±k neighbouring codes. */
  neighbours: number;
  /** Per-layer multiplier applied with the block scale. */
  ts: number;
  /** Squared activation weights per column, or null for plain MSE. */
  aw2: Float64Array | null;
  /** Signed scales (the sign of the block's largest weight). */
  signed: boolean;
  /** Also return the element codes under the best scales. */
  withCodes?: boolean;
  /** Per block: stop a candidate once its error passes this (another book's error). */
  bound?: Float64Array | null;
}

export function scaleSearchAll(t: Tensor2D, geom: BlockGeometry, st: BlockStats, o: ScaleSearchOptions): ScaleSearchResult {
  const { grid, scaleFormat, evenCodesOnly, neighbours, ts, aw2, signed, withCodes = false, bound = null } = o;
  const shares = rowShares(geom.rows, geom.rows * geom.cols);
  const parallel = shares.length > 1;
  const alloc = <T>(C: new (b: ArrayBuffer | SharedArrayBuffer) => T, bytes: number) => new C(parallel ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const err = alloc(Float64Array, 8 * geom.blocks);
  const mag = alloc(Uint16Array, 2 * geom.blocks);
  const codes = withCodes ? alloc(Uint8Array, geom.rows * geom.cols) : null;
  const base = {
    kind: 'scale-search' as const,
    data: parallel ? sharedFloat32(t.data) : t.data,
    rows: geom.rows,
    cols: geom.cols,
    block: geom.block,
    grid: gridSpec(grid),
    scaleFormat,
    evenCodesOnly,
    neighbours,
    ts,
    aw2: aw2 && parallel ? toShared(aw2) : aw2,
    amax: parallel ? toShared(st.amax) : st.amax,
    negative: signed ? (parallel ? toShared(st.negative) : st.negative) : null,
    argmaxCol: parallel ? toShared(st.argmaxCol) : st.argmaxCol,
    bound: bound && parallel ? toShared(bound) : bound,
    outErr: err,
    outMag: mag,
    outCodes: codes,
  };
  const tasks: ScaleSearchTask[] = shares.map(([r0, r1]) => ({ ...base, r0, r1 }));
  if (parallel) runTasks(tasks, (x) => runScaleSearch(x));
  else runScaleSearch(tasks[0]);
  return { err, mag, codes };
}
