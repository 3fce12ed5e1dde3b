// What only values can tell: the decoded weights ŵ that enter the MAC array, and the outputs they make
// for the first token. Event mode calls these per lane group and per tile; the timing never reads them.

import { bf16Value } from '../../quant/formats/bits.js';
import type { QuantizedLayer } from '../../quant/layer.js';

export interface ValueSinks {
  /** Receives every decoded weight value ŵ (flat index), residuals included. */
  capture?: Float64Array;
  /** The first token's activations (length cols; 1 where absent); outputs[row] accumulate ŵ · x. */
  activations?: Float64Array;
  outputs?: Float64Array;
}

/** Decode weights [i0, i1) of a layer (virtual rows repeat the slice) into the sinks. */
export function decodeRange(q: QuantizedLayer, i0: number, i1: number, sinks: ValueSinks): void {
  const { capture, activations, outputs } = sinks;
  const { cols, block, blocksPerRow } = q.geom;
  const sliceRows = q.geom.rows;
  const ts = q.tensorScale;
  const { codes, sel, scales } = q;
  const tables = q.books.map((b) => b.table);
  let row = Math.floor(i0 / cols);
  let col = i0 - row * cols;
  let sr = row % sliceRows; // the slice row a (virtual) row reads
  // walk block by block: the block's table and scale once, then its weights in [i, end)
  let i = i0;
  while (i < i1) {
    const j = Math.floor(col / block);
    const b = sr * blocksPerRow + j;
    const table = tables[sel ? sel[b] : 0];
    const s = scales[b];
    const blockEnd = Math.min(cols, (j + 1) * block);
    const end = Math.min(i1, i + (blockEnd - col));
    const base = sr * cols - i + col; // codes index of weight i
    const out = outputs && row < outputs.length ? outputs : null;
    const a0 = col - i; // activations index of weight i
    for (let k = i; k < end; k++) {
      const v = table[codes[base + k]] * s * ts;
      if (capture) capture[k] = v;
      if (out) out[row] += v * (activations ? activations[a0 + k] : 1); // in row-major order, as a dot product sums
    }
    col += end - i;
    i = end;
    if (col === cols) {
      col = 0;
      row++;
      if (++sr === sliceRows) sr = 0;
    }
  }
}

/** The sparse-add path merges the corrections at weights [w0, w1) into the sinks. */
export function addResiduals(q: QuantizedLayer, w0: number, w1: number, sinks: ValueSinks): void {
  const { capture, activations, outputs } = sinks;
  if (!q.residuals || (!capture && !outputs)) return;
  const { index, bf16 } = q.residuals;
  const cols = q.geom.cols;
  const sliceN = q.geom.rows * cols;
  for (let rep = Math.floor(w0 / sliceN); rep * sliceN < w1; rep++) {
    for (let k = 0; k < index.length; k++) {
      const i = rep * sliceN + index[k];
      if (i < w0 || i >= w1) continue;
      const r = bf16Value(bf16[k]);
      if (capture) capture[i] += r;
      const row = Math.floor(i / cols);
      if (outputs && row < outputs.length) outputs[row] += r * (activations ? activations[i % cols] : 1);
    }
  }
}
