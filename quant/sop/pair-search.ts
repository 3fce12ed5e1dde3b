// sop4: 4-bit indices into a per-layer pair of codebooks chosen per block by a selection bit, with signed
// block scales, a per-layer normaliser and the per-layer pair search (docs/MODEL.md §2-3).
//
// Per block and per codebook we find the best scale code (±k neighbours) and its error; a pair's error is
// then Σ_b min(err_A, err_B). DD4 is fitted jointly with the assignment (LO-BCQ alternation): blocks
// that choose DD4 refit it, blocks re-choose, until the layer error stops falling.

import { Codebook } from '../codebooks/codebook.js';
import { WeightedHistogram, fitDD4 } from '../codebooks/dd4.js';
import { lutFormatName, type LutFormat } from '../codebooks/lut-format.js';
import { fixedCodebookNames, getCodebook } from '../codebooks/registry.js';
import { getFormat } from '../formats/registry.js';
import { sampleRows, type Tensor2D, BadValueError } from '../io/tensor.js';
import { decodeLayer, geometry, type BlockGeometry, type ElementBook, type QuantizedLayer } from '../layer.js';
import { codebookBook } from '../schemes/books.js';
import { ScaleGrid, blockStats, encodeLayer, forEachBlock, layerShift, type BlockStats } from './kernels.js';
import { scaleSearchAll } from '../parallel/scale-search.js';

export interface Sop4Options {
  block: number;
  /** Scale magnitude format (the sign is a separate bit). */
  scaleFormat: string;
  neighbours: number;
  aw2: Float64Array | null;
  lut: LutFormat;
  /** Fold the selection bit into the scale's lowest mantissa bit. */
  selInScale: boolean;
  /** Candidate A codebooks (ROM); default NF4, BOF4, Split87, SH4. */
  fixed?: string[];
  /** Allow DD4 as B. */
  dd4: boolean;
  /** Force one pair, e.g. ['NF4', 'DD4']. */
  pair?: [string, string];
  /** Most DD4 refit rounds per pair. */
  maxRounds?: number;
  /** Run the DD4 refit alternation for every A (default: the two best by the shared initial fit). */
  refineAll?: boolean;
  /** Use these DD4 levels instead of fitting them (with `pair`, replays an earlier search). */
  dd4Levels?: ArrayLike<number>;
  /**
   * Search the pair and fit DD4 on every k-th row only, then select and encode every block with the
   * winner. Default: 1 up to 2^20 weights, then floor(weights / 2^20), at most 8. 1 searches every row.
   */
  searchSample?: number;
  /**
   * Build every candidate pair in full (each searched as a forced pair over every row) and keep the one with the
   * least (activation-weighted) error; info.exhaustive records the default search's pair and what it gives up.
   */
  exhaustive?: boolean;
}

/** The default row stride of the pair search (see Sop4Options.searchSample). */
export function defaultSearchSample(weights: number): number {
  return Math.max(1, Math.min(8, Math.floor(weights / 2 ** 20)));
}

export interface BookErrors {
  book: ElementBook;
  err: Float64Array;
  mag: Uint16Array;
}

export interface Ctx {
  t: Tensor2D;
  geom: BlockGeometry;
  st: BlockStats;
  ts: number;
  opt: Sop4Options;
}

/** Best scale and error of every block on one book; with a `bound` per block, blocks that cannot beat it get Infinity. */
export function evaluateBook(ctx: Ctx, book: ElementBook, bound: Float64Array | null = null): BookErrors {
  const { t, geom, st, ts, opt } = ctx;
  const r = scaleSearchAll(t, geom, st, {
    grid: book.grid,
    scaleFormat: opt.scaleFormat,
    evenCodesOnly: opt.selInScale, // the selection bit takes the scale code's lowest bit
    neighbours: opt.neighbours,
    ts,
    aw2: opt.aw2,
    signed: true,
    bound,
  });
  return { book, err: r.err, mag: r.mag };
}

/** Per block, the largest error among books: a bound under which a rival's errors still decide every pair. */
function worstErrors(books: BookErrors[]): Float64Array {
  const err = Float64Array.from(books[0].err);
  for (const x of books.slice(1)) for (let b = 0; b < err.length; b++) if (x.err[b] > err[b]) err[b] = x.err[b];
  return err;
}

function pairError(a: BookErrors, b: BookErrors): number {
  let e = 0;
  for (let i = 0; i < a.err.length; i++) e += a.err[i] < b.err[i] ? a.err[i] : b.err[i];
  return e;
}

/**
 * Fit a 16-level data-dependent book (DD4, or a LO-BCQ cluster's book, by `name`) on the blocks where `use` is set
 * (all when null): values w / signed amax, weight a² · amax².
 */
export function fitDD4Book(ctx: Ctx, use: ((b: number) => boolean) | null, hist: WeightedHistogram, init?: ArrayLike<number>, name = 'DD4'): ElementBook {
  const { t, geom, st, opt } = ctx;
  const w = t.data;
  const aw2 = opt.aw2;
  hist.clear();
  const { w0, w1, bins } = hist;
  const half = bins / 2;
  forEachBlock(geom, (b, off, len, col0) => {
    const amax = st.amax[b];
    if (amax === 0 || (use !== null && !use(b))) return;
    const inv = 1 / (st.negative[b] ? -amax : amax);
    const wb = amax * amax;
    for (let i = 0; i < len; i++) {
      // the histogram's add(), inlined: y in [-1, 1] to bin floor((y + 1) / 2 · bins)
      const y = w[off + i] * inv;
      let k = Math.floor((y + 1) * half);
      if (k < 0) k = 0;
      else if (k >= bins) k = bins - 1;
      const wt = aw2 === null ? wb : aw2[col0 + i] * wb;
      w0[k] += wt;
      w1[k] += wt * y;
    }
  });
  const levels = fitDD4(hist, init);
  return codebookBook(new Codebook(name, levels, 'data-dependent'), opt.lut, true, true);
}

export function quantizeSop4(t: Tensor2D, opt: Sop4Options): QuantizedLayer {
  if (opt.exhaustive && !opt.pair) return exhaustivePairs(t, opt);
  const stride = opt.pair ? 1 : (opt.searchSample ?? defaultSearchSample(t.rows * t.cols));
  if (stride > 1 && t.rows >= 2 * stride) {
    // search on every stride-th row, then run the winning pair (and its DD4) over the whole layer
    const found = quantizeSop4(sampleRows(t, stride), { ...opt, searchSample: 1 });
    const dd = found.books.find((b) => b.name === 'DD4');
    const q = quantizeSop4(t, { ...opt, pair: found.info.pair as [string, string], dd4Levels: dd ? dd.grid.levels : undefined });
    q.info = { ...q.info, dd4_rounds: found.info.dd4_rounds, search_sample: stride };
    return q;
  }
  const geom = geometry(t.rows, t.cols, opt.block);
  const scaleFmt = getFormat(opt.scaleFormat);
  const sg = new ScaleGrid(scaleFmt, opt.selInScale);
  const st = blockStats(t.data, geom);
  const p = layerShift(st.max, sg.max); // every SOP codebook has max |level| = 1
  const ctx: Ctx = { t, geom, st, ts: 2 ** p, opt };
  const maxRounds = opt.maxRounds ?? 6;

  const fixedNames = opt.pair ? [opt.pair[0]] : (opt.fixed ?? fixedCodebookNames());
  const bNames = opt.pair ? [opt.pair[1]] : [...new Set([...fixedNames, ...(opt.dd4 ? ['DD4'] : [])])];
  const evaluated = new Map<string, BookErrors>();
  // with a forced pair, B is searched only where it can still beat A (the blocks' choice is all that matters)
  const fixedBook = (name: string, bound: Float64Array | null = null): BookErrors => {
    const key = name.toUpperCase();
    let e = evaluated.get(key);
    if (!e) {
      const cb = getCodebook(name, geom.block);
      // ROM codebooks cost no table bits; a user codebook is shipped to the LUT with the layer
      e = evaluateBook(ctx, codebookBook(cb, opt.lut, cb.kind === 'user', cb.kind === 'user'), bound);
      evaluated.set(key, e);
    }
    return e;
  };

  let best: { a: BookErrors; b: BookErrors; err: number; rounds: number } | null = null;
  const consider = (a: BookErrors, b: BookErrors, err: number, rounds: number) => {
    if (!best || err < best.err) best = { a, b, err, rounds };
  };
  const hist = new WeightedHistogram();
  let dd0: BookErrors | null = null;
  const ddCandidates: Array<{ A: BookErrors; err: number }> = [];
  for (const an of fixedNames) {
    const A = fixedBook(an);
    for (const bn of bNames) {
      if (bn.toUpperCase() === an.toUpperCase()) continue;
      if (bn.toUpperCase() !== 'DD4') {
        // unordered: (A, B) and (B, A) are the same pair
        if (!opt.pair && fixedNames.indexOf(bn) >= 0 && fixedNames.indexOf(bn) < fixedNames.indexOf(an)) continue;
        const B = fixedBook(bn, opt.pair ? A.err : null);
        consider(A, B, pairError(A, B), 0);
        continue;
      }
      if (opt.dd4Levels) {
        // replay: the DD4 levels an earlier search found, no fitting
        const B = evaluateBook(ctx, codebookBook(new Codebook('DD4', opt.dd4Levels, 'data-dependent'), opt.lut, true, true), opt.pair ? A.err : null);
        consider(A, B, pairError(A, B), 0);
        continue;
      }
      // DD4 starts from one fit on every block, shared by all A; every (A, DD4) pair is scored with it. Its
      // errors are needed only where it beats some A: searched under the largest A error per block
      if (!dd0) dd0 = evaluateBook(ctx, fitDD4Book(ctx, null, hist), worstErrors(fixedNames.map((n) => fixedBook(n))));
      const e = pairError(A, dd0);
      consider(A, dd0, e, 0);
      ddCandidates.push({ A, err: e });
    }
  }
  // then the refit alternation runs for the most promising A's (all of them with refineAll)
  ddCandidates.sort((x, y) => x.err - y.err);
  for (const { A, err } of ddCandidates.slice(0, opt.refineAll ? ddCandidates.length : 2)) {
    let B = dd0!;
    let e = err;
    let rounds = 0;
    while (rounds < maxRounds) {
      const cur = B;
      // a refit B matters only where it beats A: searched under A's errors (exact for the pair and the next fit)
      const nb = evaluateBook(ctx, fitDD4Book(ctx, (b) => cur.err[b] < A.err[b], hist, cur.book.grid.levels), A.err);
      const ne = pairError(A, nb);
      rounds++;
      if (!(ne < e * (1 - 1e-6))) break;
      B = nb;
      e = ne;
    }
    consider(A, B, e, rounds);
  }
  if (!best) throw new BadValueError('sop4: no codebook pair to search (give at least two codebooks)');
  const win: { a: BookErrors; b: BookErrors; err: number; rounds: number } = best;

  // encode with the winning pair
  const { a, b } = win;
  const codes = new Uint8Array(t.rows * t.cols);
  const sel = new Uint8Array(geom.blocks);
  const scaleCodes = new Uint32Array(geom.blocks);
  const scaleSigns = new Uint8Array(geom.blocks);
  const scales = new Float64Array(geom.blocks);
  let onB = 0;
  for (let blk = 0; blk < geom.blocks; blk++) {
    const useB = b.err[blk] < a.err[blk] ? 1 : 0;
    const m = (useB ? b : a).mag[blk];
    sel[blk] = useB;
    onB += useB;
    scaleCodes[blk] = sg.codes[m];
    scaleSigns[blk] = st.negative[blk];
    scales[blk] = (st.negative[blk] ? -1 : 1) * sg.mags[m];
  }
  encodeLayer(t.data, geom, scales, ctx.ts, [a.book.grid, b.book.grid], sel, codes);
  return {
    name: t.name,
    scheme: 'sop4',
    geom,
    elementBits: 4,
    books: [a.book, b.book],
    codes,
    scale: { format: scaleFmt.name, signed: true, magnitudeBits: sg.bits },
    scaleCodes,
    scaleSigns,
    scales,
    sel,
    selInScale: opt.selInScale,
    tensorScale: ctx.ts,
    tensorScaleBits: 8, // the normaliser is 2^p: its exponent p as a signed byte, as e4m3-pot stores its scale
    lut: lutFormatName(opt.lut),
    info: {
      pair: [a.book.name, b.book.name],
      share: { [a.book.name]: 1 - onB / geom.blocks, [b.book.name]: onB / geom.blocks },
      dd4_rounds: win.rounds,
      layer_shift: p,
    },
  };
}

/** The (activation-weighted) squared error of a layer against its weights. */
function layerError(t: Tensor2D, q: QuantizedLayer, aw2: Float64Array | null): number {
  const w = decodeLayer(q);
  let e = 0;
  for (let i = 0; i < w.length; i++) {
    const d = t.data[i] - w[i];
    e += d * d * (aw2 ? aw2[i % t.cols] : 1);
  }
  return e;
}

/** Every pair the default search considers, each built in full; the best kept, and what the default gave up. */
function exhaustivePairs(t: Tensor2D, opt: Sop4Options): QuantizedLayer {
  const plain = { ...opt, exhaustive: false };
  const dflt = quantizeSop4(t, plain);
  const dfltErr = layerError(t, dflt, opt.aw2);
  let best = dflt;
  let bestErr = dfltErr;
  const fixed = opt.fixed ?? fixedCodebookNames();
  const bs = [...new Set([...fixed, ...(opt.dd4 ? ['DD4'] : [])])];
  let tried = 1;
  for (let i = 0; i < fixed.length; i++)
    for (const b of bs) {
      const j = fixed.indexOf(b);
      if (b.toUpperCase() === fixed[i].toUpperCase() || (j >= 0 && j < i)) continue;
      const q = quantizeSop4(t, { ...plain, pair: [fixed[i], b], searchSample: 1 });
      tried++;
      const e = layerError(t, q, opt.aw2);
      if (e < bestErr) {
        best = q;
        bestErr = e;
      }
    }
  best.info = { ...best.info, exhaustive: { pairs_built: tried, default_pair: dflt.info.pair, default_shortfall_db: bestErr > 0 ? 10 * Math.log10(dfltErr / bestErr) : 0 } };
  return best;
}
