// LO-BCQ (locally-optimal block clustered quantization): the blocks of a layer fall into N clusters, each with a
// 16-level codebook of its own; a block stores 4-bit codes, its scale (sign and magnitude, as SOP's) and a
// log2 N-bit selector naming its cluster's book. Clustering and codebook design alternate, Lloyd style: every block
// takes the book that reconstructs it best (each with its own best scale), then every book is refitted (Lloyd-Max,
// weighted as the error is) to the blocks that took it, until the layer's error stops falling. SOP's pair is the
// two-cluster case with one of the two books fixed in a ROM.
//
// Starting point: blocks ordered by how peaked they are (the mean |w| / amax of the block, which separates
// Gaussian-like from heavy-tailed blocks) and cut into N equal groups, one book fitted to each.

import { Codebook } from '../codebooks/codebook.js';
import { WeightedHistogram } from '../codebooks/dd4.js';
import { codebookBook } from '../schemes/books.js';
import { lutFormatName, type LutFormat } from '../codebooks/lut-format.js';
import { getFormat } from '../formats/registry.js';
import { BadValueError, sampleRows, type Tensor2D } from '../io/tensor.js';
import { geometry, type ElementBook, type QuantizedLayer } from '../layer.js';
import { ScaleGrid, blockStats, encodeLayer, forEachBlock, layerShift } from './kernels.js';
import { defaultSearchSample, evaluateBook, fitDD4Book, type BookErrors, type Ctx } from './pair-search.js';

export interface LoBcqOptions {
  block: number;
  /** Number of clusters (books), 2 to 256. */
  codebooks: number;
  /** Scale magnitude format (the sign is a separate bit). */
  scaleFormat: string;
  neighbours: number;
  aw2: Float64Array | null;
  lut: LutFormat;
  /** Most assignment / refit rounds. */
  rounds?: number;
  /** Cluster on every k-th row, then assign every block of the layer (default as sop4's search). */
  searchSample?: number;
  /** Replay: these books' levels instead of clustering (with the full layer, no search). */
  levels?: number[][];
}

/** Per block, the book with the least error; the layer's total error. */
function assign(errs: BookErrors[], blocks: number): { sel: Uint8Array; total: number } {
  const sel = new Uint8Array(blocks);
  let total = 0;
  for (let b = 0; b < blocks; b++) {
    let k = 0;
    for (let j = 1; j < errs.length; j++) if (errs[j].err[b] < errs[k].err[b]) k = j;
    sel[b] = k;
    total += errs[k].err[b];
  }
  return { sel, total };
}

/** The starting clusters: blocks ordered by mean |w| / amax, cut into N groups of equal size. */
function initialClusters(ctx: Ctx, n: number): Uint8Array {
  const { t, geom, st } = ctx;
  const peak = new Float64Array(geom.blocks);
  forEachBlock(geom, (b, off, len) => {
    let s = 0;
    for (let i = 0; i < len; i++) s += Math.abs(t.data[off + i]);
    peak[b] = st.amax[b] > 0 ? s / len / st.amax[b] : 0;
  });
  const order = Array.from({ length: geom.blocks }, (_, b) => b).sort((a, b) => peak[a] - peak[b] || a - b);
  const cluster = new Uint8Array(geom.blocks);
  order.forEach((b, r) => (cluster[b] = Math.min(n - 1, Math.floor((r * n) / geom.blocks))));
  return cluster;
}

const bookName = (k: number) => `LB${k}`;

/** Cluster and design: the books' levels after the alternation (on the rows given). */
function clusterBooks(ctx: Ctx, n: number, rounds: number): { books: ElementBook[]; rounds: number } {
  const hist = new WeightedHistogram();
  let cluster = initialClusters(ctx, n);
  let books = Array.from({ length: n }, (_, k) => fitDD4Book(ctx, (b) => cluster[b] === k, hist, undefined, bookName(k)));
  let best = Infinity;
  let done = 0;
  for (; done < rounds; done++) {
    const errs = books.map((book) => evaluateBook(ctx, book));
    const { sel, total } = assign(errs, ctx.geom.blocks);
    if (!(total < best * (1 - 1e-6))) break;
    best = total;
    cluster = sel;
    // a book no block took keeps its levels (it is refitted only from blocks that chose it)
    books = books.map((book, k) => (cluster.includes(k) ? fitDD4Book(ctx, (b) => cluster[b] === k, hist, book.grid.levels, bookName(k)) : book));
  }
  return { books, rounds: done };
}

export function quantizeLoBcq(t: Tensor2D, opt: LoBcqOptions): QuantizedLayer {
  const n = opt.codebooks;
  if (!Number.isInteger(n) || n < 2 || n > 256) throw new BadValueError(`lo-bcq: --codebooks ${n}: expected a whole number from 2 to 256`);
  const sopOpt = { block: opt.block, scaleFormat: opt.scaleFormat, neighbours: opt.neighbours, aw2: opt.aw2, lut: opt.lut, selInScale: false, dd4: true };
  const sg = new ScaleGrid(getFormat(opt.scaleFormat), false);
  const ctxOf = (x: Tensor2D): Ctx => {
    const geom = geometry(x.rows, x.cols, opt.block);
    const st = blockStats(x.data, geom);
    return { t: x, geom, st, ts: 2 ** layerShift(st.max, sg.max), opt: sopOpt };
  };
  // the books: replayed, or clustered on a row sample (large layers) or on the whole layer
  let books: ElementBook[];
  let rounds = 0;
  const stride = opt.searchSample ?? defaultSearchSample(t.rows * t.cols);
  if (opt.levels) books = opt.levels.map((l, k) => codebookBook(new Codebook(bookName(k), l, 'data-dependent'), opt.lut, true, true));
  else {
    const sample = stride > 1 && t.rows >= 2 * stride ? sampleRows(t, stride) : t;
    ({ books, rounds } = clusterBooks(ctxOf(sample), n, opt.rounds ?? 6));
  }
  // every block of the layer takes its best book, with that book's best scale
  const ctx = ctxOf(t);
  const errs = books.map((book) => evaluateBook(ctx, book));
  const { sel } = assign(errs, ctx.geom.blocks);
  const { geom, st } = ctx;
  const scaleCodes = new Uint32Array(geom.blocks);
  const scaleSigns = new Uint8Array(geom.blocks);
  const scales = new Float64Array(geom.blocks);
  const share = new Array<number>(n).fill(0);
  for (let b = 0; b < geom.blocks; b++) {
    const m = errs[sel[b]].mag[b];
    scaleCodes[b] = sg.codes[m];
    scaleSigns[b] = st.negative[b];
    scales[b] = (st.negative[b] ? -1 : 1) * sg.mags[m];
    share[sel[b]]++;
  }
  const codes = new Uint8Array(t.rows * t.cols);
  encodeLayer(t.data, geom, scales, ctx.ts, books.map((b) => b.grid), sel, codes);
  return {
    name: t.name,
    scheme: 'lo-bcq',
    geom,
    elementBits: 4,
    books,
    codes,
    scale: { format: sg.format.name, signed: true, magnitudeBits: sg.bits },
    scaleCodes,
    scaleSigns,
    scales,
    sel,
    selInScale: false,
    tensorScale: ctx.ts,
    tensorScaleBits: 8,
    lut: lutFormatName(opt.lut),
    info: { codebooks: n, rounds, share: share.map((s) => s / geom.blocks), ...(stride > 1 && !opt.levels ? { search_sample: stride } : {}) },
  };
}
