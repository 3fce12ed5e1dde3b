// SOP block-scaled atoms `<element>s<scale>` (e.g. E2M3sUE4M4, docs/MODEL.md §3): small-float elements, one
// scale per block of g in a short format, a per-layer power-of-two normaliser, neighbour-code refinement.

import type { LutFormat } from '../codebooks/lut-format.js';
import { lutFormatName } from '../codebooks/lut-format.js';
import type { Minifloat } from '../formats/minifloat.js';
import type { Tensor2D } from '../io/tensor.js';
import { geometry, type QuantizedLayer } from '../layer.js';
import { formatBook } from '../schemes/books.js';
import { ScaleGrid, blockStats, encodeLayer, layerShift } from './kernels.js';
import { scaleSearchAll } from '../parallel/scale-search.js';

export interface ScaledOptions {
  block: number;
  /** ±k neighbouring scale codes tried per block. */
  neighbours: number;
  /** Per-input-channel importance a_j² (or null for plain MSE). */
  aw2: Float64Array | null;
  lut: LutFormat;
  /** Extra integer shift added to the normaliser ("Flayer"), searched when `searchShift` is set. */
  shift?: number;
  searchShift?: boolean;
}

export function quantizeScaled(t: Tensor2D, scheme: string, element: Minifloat, scaleFmt: Minifloat, opt: ScaledOptions): QuantizedLayer {
  const geom = geometry(t.rows, t.cols, opt.block);
  const w = t.data;
  const book = formatBook(element, element.bits <= 6, element.bits <= 6 ? opt.lut : undefined);
  const sg = new ScaleGrid(scaleFmt);
  const st = blockStats(w, geom);
  const grid = book.grid;
  const base = layerShift(st.max / grid.maxAbs, sg.max);
  const shifts = opt.searchShift ? [0, -1, -2, -3, 1] : [opt.shift ?? 0];
  let best: { p: number; err: number; mags: Uint16Array; codes: Uint8Array | null } | null = null;
  for (const dp of shifts) {
    const p = base + dp;
    // with one shift to try, the search writes the codes as it goes
    const r = scaleSearchAll(t, geom, st, { grid, scaleFormat: scaleFmt.name, evenCodesOnly: false, neighbours: opt.neighbours, ts: 2 ** p, aw2: opt.aw2, signed: false, withCodes: shifts.length === 1 });
    let err = 0;
    for (let b = 0; b < geom.blocks; b++) err += r.err[b];
    if (!best || err < best.err) best = { p, err, mags: r.mag, codes: r.codes };
  }
  const { p, mags } = best!;
  const ts = 2 ** p;
  const codes = best!.codes ?? new Uint8Array(t.rows * t.cols);
  const scaleCodes = new Uint32Array(geom.blocks);
  const scales = new Float64Array(geom.blocks);
  for (let b = 0; b < geom.blocks; b++) {
    scales[b] = sg.mags[mags[b]];
    scaleCodes[b] = sg.codes[mags[b]];
  }
  if (!best!.codes) encodeLayer(w, geom, scales, ts, [grid], null, codes);
  return {
    name: t.name,
    scheme,
    geom,
    elementBits: element.bits,
    books: [book],
    codes,
    scale: { format: scaleFmt.name, signed: false, magnitudeBits: scaleFmt.bits },
    scaleCodes,
    scaleSigns: null,
    scales,
    sel: null,
    selInScale: false,
    tensorScale: ts,
    tensorScaleBits: 8, // the normaliser is 2^p: its exponent p as a signed byte, as e4m3-pot stores its scale
    lut: lutFormatName(opt.lut),
    info: { layer_shift: p },
  };
}
