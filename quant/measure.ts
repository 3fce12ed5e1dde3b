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
  const { rows, cols, block, blocksPerRow } = q.geom;
  const acc = new ErrorAccumulator();
  const ts = q.tensorScale;
  const w = t.data;
  // residual corrections land on top of the decoded value, as in decodeLayer
  const corr = new Map<number, number>();
  if (q.residuals) for (let k = 0; k < q.residuals.index.length; k++) corr.set(q.residuals.index[k], bf16Value(q.residuals.bf16[k]));
  for (let r = 0; r < rows; r++) {
    for (let bj = 0; bj < blocksPerRow; bj++) {
      const b = r * blocksPerRow + bj;
      const table = q.books[q.sel ? q.sel[b] : 0].table;
      const s = q.scales[b];
      const c0 = bj * block;
      const c1 = Math.min(cols, c0 + block);
      for (let c = c0, i = r * cols + c0; c < c1; c++, i++) {
        let v = table[q.codes[i]] * s * ts;
        if (corr.size) {
          const x = corr.get(i);
          if (x !== undefined) v += x;
        }
        const a = activations ? activations[c] : 1;
        acc.add(w[i], v, a * a);
      }
    }
  }
  const bits = bitsAccount(q);
  return {
    tensor: q.name,
    scheme: q.scheme,
    shape: [rows, cols],
    block: q.scale.format || q.sel ? block : 0,
    bpw: bits.bpw,
    bpw_block: bits.bpwBlock,
    ...acc.metrics(),
    bits,
  };
}
