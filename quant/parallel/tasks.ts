// The task bodies, shared by this thread and the workers.

import { Codebook, type CodebookKind } from '../codebooks/codebook.js';
import { getFormat } from '../formats/registry.js';
import { ScaleGrid, blockEncode, searchBlockScale } from '../sop/kernels.js';
import { scaleSearchWasm } from '../sop/wasm-kernel.js';
import type { GridSpec, ScaleSearchTask } from './threads.js';

const grids = new Map<string, Codebook>();

/** Rebuild a grid from its spec (cached by content). */
export function gridFrom(g: GridSpec): Codebook {
  const key = `${g.name}|${g.kind}|${Array.from(g.levels).join(',')}|${Array.from(g.codes).join(',')}|${Array.from(g.tieUp).join('')}`;
  let c = grids.get(key);
  if (!c) {
    c = new Codebook(g.name, g.levels, g.kind as CodebookKind, g.codes, g.tieUp);
    grids.set(key, c);
    if (grids.size > 256) grids.delete(grids.keys().next().value!);
  }
  return c;
}

export function gridSpec(c: Codebook): GridSpec {
  return { name: c.name, kind: c.kind, levels: c.levels, codes: c.codes, tieUp: c.tieUp };
}

/** Best scale (±k neighbours) and its error for every block of rows [r0, r1): in WebAssembly when it can. */
export function runScaleSearch(t: ScaleSearchTask): void {
  const grid = gridFrom(t.grid);
  const sg = new ScaleGrid(getFormat(t.scaleFormat), t.evenCodesOnly);
  if (!scaleSearchWasm({ ...t, grid, sg })) searchJs(t, grid, sg);
}

/** The same search in JavaScript (the reference the WebAssembly module is tested against). */
export function runScaleSearchJs(t: ScaleSearchTask): void {
  searchJs(t, gridFrom(t.grid), new ScaleGrid(getFormat(t.scaleFormat), t.evenCodesOnly));
}

function searchJs(t: ScaleSearchTask, grid: Codebook, sg: ScaleGrid): void {
  const bpr = Math.ceil(t.cols / t.block);
  const out = { err: 0, mag: 0 };
  for (let r = t.r0; r < t.r1; r++) {
    for (let j = 0; j < bpr; j++) {
      const b = r * bpr + j;
      const col0 = j * t.block;
      const len = Math.min(t.block, t.cols - col0);
      const neg = t.negative ? t.negative[b] : 0;
      searchBlockScale(t.data, r * t.cols + col0, len, col0, t.amax[b], neg, grid, sg, t.neighbours, t.ts, t.aw2, out, t.argmaxCol[b], t.bound ? t.bound[b] : Infinity);
      t.outErr[b] = out.err;
      t.outMag[b] = out.mag;
      if (t.outCodes) blockEncode(t.data, r * t.cols + col0, len, (neg ? -1 : 1) * sg.mags[out.mag], t.ts, grid, t.outCodes);
    }
  }
}
