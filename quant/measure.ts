// Error of a quantized layer against its source, computed block by block (no full ŵ array).

import type { Tensor2D } from './io/tensor.js';
import { bitsAccount, type BitsAccount, type QuantizedLayer } from './layer.js';
import { ErrorAccumulator, type ErrorMetrics } from './metrics.js';
import { bf16Value } from './formats/bits.js';

export interface LayerReport extends ErrorMetrics {
  tensor: string;
  scheme: string;
  shape: [number, number];
  block: number;
  bpw: number;
  bpw_block: number;
  bits: BitsAccount;
}

export function measure(t: Tensor2D, q: QuantizedLayer, activations?: Float64Array | null): LayerReport {
  const { rows, cols, block } = q.geom;
  // a layer stored transposed (blocks along the output dimension) holds W[o][i] at [i][o]: stored row r is input r
  const tr = q.transposed === true;
  const acc = new ErrorAccumulator();
  const ts = q.tensorScale;
  const w = t.data;
  const codes = q.codes;
  // residual corrections land on top of the decoded value, as in decodeLayer; blocks come in index order,
  // so a cursor over the sorted corrections finds them
  const res = q.residuals ? Array.from(q.residuals.index, (idx, k) => [idx, bf16Value(q.residuals!.bf16[k])] as [number, number]).sort((a, b) => a[0] - b[0]) : [];
  let next = 0;
  let nextAt = res.length ? res[0][0] : Infinity;
  // running sums in locals, blocks walked inline (sums captured by a callback would live on the heap), in
  // weight order
  let sw2 = 0;
  let se2 = 0;
  let aww = 0;
  let aw2 = 0;
  let aq2 = 0;
  for (let r = 0, b = 0; r < rows; r++) {
    for (let c0 = 0; c0 < cols; c0 += block, b++) {
      const table = q.books[q.sel ? q.sel[b] : 0].table;
      const s = q.scales[b];
      const off = r * cols + c0;
      const end = off + Math.min(block, cols - c0);
      for (let i = off, c = c0; i < end; i++, c++) {
        let v = table[codes[i]] * s * ts;
        if (i === nextAt) {
          v += res[next][1];
          nextAt = ++next < res.length ? res[next][0] : Infinity;
        }
        const x = tr ? w[c * rows + r] : w[i];
        const a = activations ? activations[tr ? r : c] : 1;
        const a2 = a * a;
        const d = x - v;
        sw2 += x * x;
        se2 += d * d;
        aww += a2 * x * v;
        aw2 += a2 * x * x;
        aq2 += a2 * v * v;
      }
    }
  }
  acc.addSums(rows * cols, sw2, se2, aww, aw2, aq2);
  const bits = bitsAccount(q);
  return {
    tensor: q.name,
    scheme: q.scheme,
    shape: tr ? [cols, rows] : [rows, cols],
    block: q.scale.format || q.sel ? block : 0,
    bpw: bits.bpw,
    bpw_block: bits.bpwBlock,
    ...acc.metrics(),
    bits,
  };
}
