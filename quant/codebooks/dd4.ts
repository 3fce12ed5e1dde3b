// DD4: a per-layer, data-dependent 16-level codebook fitted by weighted 1-D Lloyd (docs/MODEL.md §2).
// The fit runs on a fine histogram of block-normalised values (value y in [-1, 1], weight = activation
// importance × block scale², so the fit minimises the error of the weights themselves, not of y).
// +1 stays fixed: under signed scaling every block's largest weight lands exactly there.

export const DD4_BINS = 8192;

export class WeightedHistogram {
  readonly bins: number;
  readonly w0: Float64Array;
  readonly w1: Float64Array;

  constructor(bins = DD4_BINS) {
    this.bins = bins;
    this.w0 = new Float64Array(bins);
    this.w1 = new Float64Array(bins);
  }

  clear(): void {
    this.w0.fill(0);
    this.w1.fill(0);
  }

  add(y: number, w: number): void {
    let k = Math.floor(((y + 1) / 2) * this.bins);
    if (k < 0) k = 0;
    else if (k >= this.bins) k = this.bins - 1;
    this.w0[k] += w;
    this.w1[k] += w * y;
  }
}

/** Weighted quantiles of the histogram at the centres of n equal-mass intervals (a deterministic start). */
export function histogramQuantiles(hist: WeightedHistogram, n: number): number[] {
  const { bins, w0, w1 } = hist;
  let total = 0;
  for (let k = 0; k < bins; k++) total += w0[k];
  const out: number[] = [];
  let acc = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const target = ((i + 0.5) / n) * total;
    while (k < bins - 1 && acc + w0[k] < target) acc += w0[k++];
    out.push(w0[k] > 0 ? w1[k] / w0[k] : -1 + ((k + 0.5) * 2) / bins);
  }
  return out;
}

/**
 * Weighted Lloyd on a histogram with the level +1 held fixed. Starts from `init` (default: weighted
 * quantiles); a level whose cell is empty is moved to split the heaviest cell, so no level is wasted.
 */
export function fitDD4(hist: WeightedHistogram, init?: ArrayLike<number>, iterations = 60, size = 16): number[] {
  const start = init ? Array.from(init) : [...histogramQuantiles(hist, size - 1), 1];
  if (!start.includes(1)) start[start.length - 1] = 1;
  const lv = start.sort((a, b) => a - b);
  const n = lv.length;
  const { bins, w0, w1 } = hist;
  const s0 = new Float64Array(n);
  const s1 = new Float64Array(n);
  const s2 = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    s0.fill(0);
    s1.fill(0);
    s2.fill(0);
    let cell = 0;
    for (let k = 0; k < bins; k++) {
      if (w0[k] === 0) continue;
      const yc = w1[k] / w0[k];
      while (cell < n - 1 && (lv[cell] + lv[cell + 1]) / 2 < yc) cell++;
      s0[cell] += w0[k];
      s1[cell] += w1[k];
      s2[cell] += w0[k] * (yc - lv[cell]) ** 2;
    }
    let moved = 0;
    for (let i = 0; i < n; i++) {
      if (lv[i] === 1) continue;
      if (s0[i] === 0) {
        // empty cell: split the cell with the largest error instead
        let j = 0;
        for (let q = 1; q < n; q++) if (s2[q] > s2[j]) j = q;
        if (s2[j] === 0) continue;
        const c = s1[j] / s0[j];
        const step = Math.max(1e-4, Math.sqrt(s2[j] / s0[j]) / 2);
        lv[i] = Math.min(1 - 1e-6, Math.max(-1, c + (c < lv[j] || lv[j] === 1 ? -step : step)));
        s2[j] = 0;
        moved = Infinity;
        continue;
      }
      const c = Math.min(1, Math.max(-1, s1[i] / s0[i]));
      moved = Math.max(moved, Math.abs(c - lv[i]));
      lv[i] = c;
    }
    lv.sort((a, b) => a - b);
    if (moved < 1e-9) break;
  }
  return lv;
}
