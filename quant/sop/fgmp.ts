// FGMP (fine-grained mixed precision, Hooper et al. 2025): every block of 16 weights is NVFP4 (E2M1 codes, 4 bits)
// or FP8 E4M3 (8 bits), chosen per block, one metadata bit saying which; both kinds share NVFP4's scaling (a UE4M3
// scale per block, an FP32 tensor scale of amax / (448 x 6)).
//
// Which blocks get FP8: those where FP4 would hurt most, by the sensitivity-weighted perturbation
//   gain_b = Σ_i F_i (w_i - Q4(w_i))² - Σ_i F_i (w_i - Q8(w_i))²,
// F the per-weight sensitivity — here the activation statistics' a_j² (the diagonal Fisher information with the
// output gradients taken equal), or 1 without them; the top `fp8Fraction` of blocks by gain go to FP8. The FP4
// blocks' scales are searched (±k UE4M3 codes, clipping included) to minimise the same weighted error: FGMP's
// sensitivity-weighted clipping.

import { getFormat } from '../formats/registry.js';
import { BadValueError, type Tensor2D } from '../io/tensor.js';
import { geometry, type QuantizedLayer } from '../layer.js';
import { formatBook } from '../schemes/books.js';
import { scaleSearchAll } from '../parallel/scale-search.js';
import { ScaleGrid, blockStats, encodeLayer } from './kernels.js';

export interface FgmpOptions {
  block: number;
  /** Share of blocks stored as FP8 (0 to 1). */
  fp8Fraction: number;
  neighbours: number;
  /** a_j² per input channel (the sensitivity), or null for plain squared error. */
  aw2: Float64Array | null;
}

/** The blocks to store in FP8: the `k` largest gains, ties to the lower block index. */
export function fp8Blocks(gain: Float64Array, k: number): Uint8Array {
  const order = Array.from({ length: gain.length }, (_, b) => b).sort((a, b) => gain[b] - gain[a] || a - b);
  const sel = new Uint8Array(gain.length);
  for (let i = 0; i < k; i++) sel[order[i]] = 1;
  return sel;
}

export function quantizeFgmp(t: Tensor2D, opt: FgmpOptions): QuantizedLayer {
  if (!(opt.fp8Fraction >= 0 && opt.fp8Fraction <= 1)) throw new BadValueError(`fgmp: --fp8-fraction ${opt.fp8Fraction}: expected a number from 0 to 1`);
  const geom = geometry(t.rows, t.cols, opt.block);
  const st = blockStats(t.data, geom);
  const ts = st.max > 0 ? Math.fround(st.max / (448 * 6)) : 1; // NVFP4's FP32 tensor scale
  const fp4Book = { ...formatBook(getFormat('E2M1')), codeBits: 4 };
  const fp8Book = formatBook(getFormat('E4M3'));
  const search = (grid: typeof fp4Book.grid) => scaleSearchAll(t, geom, st, { grid, scaleFormat: 'UE4M3', evenCodesOnly: false, neighbours: opt.neighbours, ts, aw2: opt.aw2, signed: false });
  const fp4 = search(fp4Book.grid);
  const fp8 = search(fp8Book.grid);
  const gain = new Float64Array(geom.blocks);
  for (let b = 0; b < geom.blocks; b++) gain[b] = fp4.err[b] - fp8.err[b];
  const k = Math.round(opt.fp8Fraction * geom.blocks);
  const sel = fp8Blocks(gain, k);
  const sg = new ScaleGrid(getFormat('UE4M3'), false);
  const scaleCodes = new Uint32Array(geom.blocks);
  const scales = new Float64Array(geom.blocks);
  for (let b = 0; b < geom.blocks; b++) {
    const m = (sel[b] ? fp8 : fp4).mag[b];
    scaleCodes[b] = sg.codes[m];
    scales[b] = sg.mags[m];
  }
  const codes = new Uint8Array(t.rows * t.cols);
  encodeLayer(t.data, geom, scales, ts, [fp4Book.grid, fp8Book.grid], sel, codes);
  return {
    name: t.name,
    scheme: 'fgmp',
    geom,
    elementBits: 8,
    books: [fp4Book, fp8Book],
    codes,
    scale: { format: 'UE4M3', signed: false, magnitudeBits: 8 }, // UE4M3 is stored in a byte, as NVFP4 stores it
    scaleCodes,
    scaleSigns: null,
    scales,
    sel,
    selInScale: false,
    tensorScale: ts,
    tensorScaleBits: 32,
    lut: 'exact',
    info: { fp8_fraction: k / geom.blocks, fp8_blocks: k },
  };
}
