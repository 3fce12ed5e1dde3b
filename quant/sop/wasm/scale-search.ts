// AssemblyScript: the per-block scale search of ../kernels.ts (searchBlockScale + blockError + blockEncode)
// compiled to WebAssembly, for the quantizer's hottest loop. It must give the JavaScript kernels' results
// bit for bit: the same candidates in the same order, the same pruning and early exit, and every float
// operation in the same order (WebAssembly f64 arithmetic is IEEE double, as JavaScript's is, and has no
// fused multiply-add). test/quant/wasm-kernel.test.ts compares the two. Built by `npm run build` (asc).
//
// All arrays live in linear memory at addresses the JavaScript side chooses (quant/sop/wasm-kernel.ts).

const BUCKETS: i32 = 4096;

// the element grid (a Codebook's tables) and the scale grid (a ScaleGrid's), set once per search
let gLevels: usize = 0;
let gMids: usize = 0;
let gTieUp: usize = 0;
let gCodes: usize = 0;
let gCell: usize = 0;
let gCellLevel: usize = 0;
let gAmbiguous: usize = 0;
let gMidCount: i32 = 0;
let gLo: f64 = 0;
let gInvWidth: f64 = 0;
let gMaxAbs: f64 = 0;
let gZeroCode: u8 = 0;
let sMags: usize = 0;
let sMids: usize = 0;
let sCodes: usize = 0;
let sCount: i32 = 0;

export function setGrid(levels: usize, mids: usize, tieUp: usize, codes: usize, cell: usize, cellLevel: usize, ambiguous: usize, levelCount: i32, lo: f64, invWidth: f64, maxAbs: f64, zeroCode: i32): void {
  gLevels = levels;
  gMids = mids;
  gTieUp = tieUp;
  gCodes = codes;
  gCell = cell;
  gCellLevel = cellLevel;
  gAmbiguous = ambiguous;
  gMidCount = levelCount - 1;
  gLo = lo;
  gInvWidth = invWidth;
  gMaxAbs = maxAbs;
  gZeroCode = <u8>zeroCode;
}

export function setScaleGrid(mags: usize, mids: usize, codes: usize, count: i32): void {
  sMags = mags;
  sMids = mids;
  sCodes = codes;
  sCount = count;
}

/** ScaleGrid.nearest: index of the magnitude nearest to t (ties to the even code). */
function nearestScale(t: f64): i32 {
  let lo: i32 = 0;
  let hi: i32 = sCount - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (load<f64>(sMids + (<usize>m << 3)) < t) lo = m + 1;
    else hi = m;
  }
  if (lo < sCount - 1 && t == load<f64>(sMids + (<usize>lo << 3)) && (load<u32>(sCodes + (<usize>lo << 2)) & 1) == 1) lo++;
  return lo;
}

/** Index of the grid level nearest to y from bucket k (Codebook.nearest's bucket path). */
@inline
function levelIndex(k: i32, y: f64): i32 {
  let c = <i32>load<u8>(gCell + <usize>k);
  const n = gMidCount;
  while (c < n && load<f64>(gMids + (<usize>c << 3)) < y) c++;
  if (c < n && load<f64>(gMids + (<usize>c << 3)) == y && load<u8>(gTieUp + <usize>c) == 1) c++;
  return c;
}

@inline
function bucket(f: f64): i32 {
  return f <= 0 ? 0 : f >= <f64>BUCKETS ? BUCKETS : <i32>f;
}

/** blockError: weighted squared error of len weights at w (importance at aw2, 0 = none) under s × ts. */
function blockError(w: usize, len: i32, aw2: usize, s: f64, ts: f64, limit: f64): f64 {
  const eff = s * ts;
  const inv = 1 / eff;
  const A = inv * gInvWidth;
  const B = -gLo * gInvWidth;
  const cellLevel = gCellLevel;
  const ambiguous = gAmbiguous;
  let err: f64 = 0;
  for (let i: i32 = 0; i < len; i++) {
    const x = <f64>load<f32>(w + (<usize>i << 2));
    const k = bucket(x * A + B);
    let q = load<f64>(cellLevel + (<usize>k << 3));
    if (load<u8>(ambiguous + <usize>k) != 0) q = load<f64>(gLevels + (<usize>levelIndex(k, x * inv) << 3));
    const d = x - q * eff;
    err += aw2 == 0 ? d * d : load<f64>(aw2 + (<usize>i << 3)) * d * d;
    if (err > limit) return err;
  }
  return err;
}

/** blockEncode: the element codes of len weights at w under s × ts. */
function blockEncode(w: usize, len: i32, s: f64, ts: f64, out: usize): void {
  const eff = s * ts;
  if (eff == 0) {
    for (let i: i32 = 0; i < len; i++) store<u8>(out + <usize>i, gZeroCode);
    return;
  }
  const inv = 1 / eff;
  const A = inv * gInvWidth;
  const B = -gLo * gInvWidth;
  for (let i: i32 = 0; i < len; i++) {
    const x = <f64>load<f32>(w + (<usize>i << 2));
    const k = bucket(x * A + B);
    let c = <i32>load<u8>(gCell + <usize>k);
    if (load<u8>(gAmbiguous + <usize>k) != 0) c = levelIndex(k, x * inv);
    store<u8>(out + <usize>i, <u8>load<u32>(gCodes + (<usize>c << 2)));
  }
}

/**
 * The element codes of every block of `rows` rows under its own signed scale (f64 per block) × ts: all
 * blocks, or with `sel` those whose selection byte equals `want` (the grid set for that book of a pair).
 */
export function encodeBlocks(w: usize, rows: i32, cols: i32, block: i32, scales: usize, sel: usize, want: i32, ts: f64, out: usize): void {
  const bpr = (cols + block - 1) / block;
  let b: i32 = 0;
  for (let r: i32 = 0; r < rows; r++) {
    for (let j: i32 = 0; j < bpr; j++, b++) {
      if (sel != 0 && <i32>load<u8>(sel + <usize>b) != want) continue;
      const col0 = j * block;
      const at = <usize>r * <usize>cols + <usize>col0;
      blockEncode(w + (at << 2), min(block, cols - col0), load<f64>(scales + (<usize>b << 3)), ts, out + at);
    }
  }
}

/**
 * runScaleSearch over `rows` rows of `cols` weights (blocks numbered from 0 at these addresses): per block
 * the best of the 2k+1 scale codes around the nearest to amax / maxAbs / ts, with searchBlockScale's
 * pruning, bound and tie rule. aw2, neg, bound and outCodes may be 0 (none).
 */
export function scaleSearch(w: usize, rows: i32, cols: i32, block: i32, aw2: usize, amax: usize, neg: usize, argmax: usize, bound: usize, outErr: usize, outMag: usize, outCodes: usize, k: i32, ts: f64): void {
  const bpr = (cols + block - 1) / block;
  const last = sCount - 1;
  let b: i32 = 0;
  for (let r: i32 = 0; r < rows; r++) {
    for (let j: i32 = 0; j < bpr; j++, b++) {
      const col0 = j * block;
      const len = min(block, cols - col0);
      const off = w + ((<usize>r * <usize>cols + <usize>col0) << 2);
      const a = load<f64>(amax + (<usize>b << 3));
      const negative = neg != 0 && load<u8>(neg + <usize>b) != 0;
      const sign: f64 = negative ? -1 : 1;
      const bnd = bound != 0 ? load<f64>(bound + (<usize>b << 3)) : Infinity;
      const aw = aw2 != 0 ? aw2 + (<usize>col0 << 3) : 0;
      let bestErr = bnd;
      let best: i32 = 0;
      if (a == 0) {
        bestErr = 0;
      } else {
        const i0 = nearestScale(a / gMaxAbs / ts);
        best = i0;
        const a2max = aw2 != 0 ? load<f64>(aw2 + (<usize>load<i32>(argmax + (<usize>b << 2)) << 3)) : 1;
        for (let step: i32 = 0; step <= 2 * k; step++) {
          const d = (step + 1) >> 1;
          const i = step == 0 ? i0 : step & 1 ? i0 - d : i0 + d;
          if (i < 0 || i > last) continue;
          const mag = load<f64>(sMags + (<usize>i << 3));
          if (mag == 0) continue;
          const reach = gMaxAbs * mag * ts;
          if (reach < a && a2max * (a - reach) * (a - reach) >= bestErr) continue;
          const e = blockError(off, len, aw, sign * mag, ts, bestErr);
          if (e < bestErr) {
            bestErr = e;
            best = i;
          }
        }
        if (!(bestErr < bnd)) bestErr = Infinity;
      }
      store<f64>(outErr + (<usize>b << 3), bestErr);
      store<u16>(outMag + (<usize>b << 1), <u16>best);
      if (outCodes != 0) blockEncode(off, len, sign * load<f64>(sMags + (<usize>best << 3)), ts, outCodes + (<usize>r * <usize>cols + <usize>col0));
    }
  }
}
