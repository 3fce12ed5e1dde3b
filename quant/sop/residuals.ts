// Sparse residual correction (docs/MODEL.md §6): keep the k largest activation-weighted residuals |w - ŵ|·a_j of a
// layer as (index, BF16 value) corrections; k follows from a bpw allowance. They are counted in bpw,
// stored in the packed file and added by the simulator's sparse-add path.

import { bf16Bits } from '../formats/bits.js';
import type { Tensor2D } from '../io/tensor.js';
import { RESIDUAL_BITS, blockOf, forEachDecodedBlock, type QuantizedLayer } from '../layer.js';

/**
 * The k-th largest of non-negative values (1 <= k <= a.length). Non-negative float32s order as their bit
 * patterns do, so two histogram passes find it: the top 16 bits pick the bin holding it, then the few
 * values in that bin are sorted. No copy of `a`.
 */
export function kthLargest(a: Float32Array, k: number): number {
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const hist = new Uint32Array(65536);
  for (let i = 0; i < bits.length; i++) hist[bits[i] >>> 16]++;
  let bin = 65535;
  let above = 0; // values in bins above `bin`
  while (above + hist[bin] < k) above += hist[bin--];
  const inBin = new Float32Array(hist[bin]);
  let m = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i] >>> 16 === bin) inBin[m++] = a[i];
  inBin.sort();
  return inBin[inBin.length - (k - above)];
}

/** Number of corrections a bpw allowance buys for n weights. */
export function residualCount(allowanceBpw: number, n: number): number {
  return Math.max(0, Math.floor((allowanceBpw * n) / RESIDUAL_BITS));
}

/**
 * A copy of `q` carrying the top-k corrections (k from `allowanceBpw`), chosen by |w - ŵ|·a_j (a = 1
 * without statistics); ties go to the lower index. Corrections that round to zero in BF16 are dropped.
 */
export function withResiduals(t: Tensor2D, q: QuantizedLayer, allowanceBpw: number, activations: Float64Array | null = null): QuantizedLayer {
  const n = t.rows * t.cols;
  const k = Math.min(n, residualCount(allowanceBpw, n));
  if (k === 0) return { ...q, residuals: undefined };
  // importance |w - ŵ|·a_j, decoding block by block (no full ŵ array)
  const imp = new Float32Array(n);
  const ts = q.tensorScale;
  const codes = q.codes;
  const w = t.data;
  forEachDecodedBlock(q, (off, len, c0, table, s) => {
    for (let i = off, c = c0; i < off + len; i++, c++) {
      const r = Math.abs(w[i] - table[codes[i]] * s * ts);
      imp[i] = activations ? r * activations[c] : r;
    }
  });
  // every index above the k-th largest, then the lowest-index ties up to k, in index order
  const thr = kthLargest(imp, k);
  let above = 0;
  for (let i = 0; i < n; i++) if (imp[i] > thr) above++;
  let ties = k - above;
  const index = new Uint32Array(k);
  let m = 0;
  for (let i = 0; i < n && m < k; i++) {
    const v = imp[i];
    if (v > thr || (v === thr && ties-- > 0)) index[m++] = i;
  }
  const keepIdx = new Uint32Array(k);
  const keepVal = new Uint16Array(k);
  let kept = 0;
  for (let j = 0; j < m; j++) {
    const i = index[j];
    const b = blockOf(q.geom, i);
    const wq = q.books[q.sel ? q.sel[b] : 0].table[codes[i]] * q.scales[b] * ts;
    const code = bf16Bits(w[i] - wq);
    if ((code & 0x7fff) === 0) continue; // a zero correction costs bits and changes nothing
    keepIdx[kept] = i;
    keepVal[kept++] = code;
  }
  return {
    ...q,
    scheme: q.scheme,
    residuals: { index: keepIdx.slice(0, kept), bf16: keepVal.slice(0, kept) },
    info: { ...q.info, residuals: kept, residual_allowance_bpw: allowanceBpw },
  };
}
