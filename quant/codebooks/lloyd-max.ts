// Lloyd-Max codebooks for Gaussian blocks normalised by their absmax (BOF4, Split87; docs/MODEL.md §2).
//
// For g i.i.d. N(0,1) weights with M = max|x|, a non-maximal element divided by M has density
//   f(y) = ∫ 2g·m·φ(m)·φ(y·m)·(2Φ(m) − 1)^(g−2) dm   on |y| < 1
// (the maximal element itself lands exactly on ±1, where a fixed level represents it with no error).
// The error that matters is that of w = y·M, not of y, so each block counts with weight M² (as BOF4
// does): the levels are Lloyd-Max optimal for f_w(y) = ∫ m²·(…) dm, which favours large-scale blocks.
// f_w is tabulated on a fine grid by quadrature, deterministically; Lloyd-Max then alternates
// "boundaries at midpoints" and "free levels at cell centroids" on the cumulative moments of f_w.

import { BadValueError } from '../io/tensor.js';

const Y_STEPS = 4000; // grid on [0, 1] for f (symmetric)
const M_MAX = 9; // φ(9) ~ 1e-18: the tail beyond contributes nothing in float64
const M_STEPS = 6000;

interface Moments {
  /** y grid on [-1, 1], with cumulative ∫f and ∫y·f from -1. */
  y: Float64Array;
  c0: Float64Array;
  c1: Float64Array;
}

const momentCache = new Map<number, Moments>();

/** Cumulative moments of the block-normalised density for block size g (cached per g). */
function blockNormalisedMoments(g: number): Moments {
  const hit = momentCache.get(g);
  if (hit) return hit;
  if (!Number.isInteger(g) || g < 2) throw new BadValueError(`Lloyd-Max codebooks need a block size of at least 2, got ${g}`);
  const dm = M_MAX / M_STEPS;
  const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI);
  // weight(m) = m²·2g·m·φ(m)·(2Φ(m)−1)^(g−2), with 2Φ(m)−1 = 2∫0^m φ by the trapezoid rule
  const mw = new Float64Array(M_STEPS + 1);
  const ms = new Float64Array(M_STEPS + 1);
  let cdf = 0;
  let prevPhi = invSqrt2Pi;
  for (let k = 0; k <= M_STEPS; k++) {
    const m = k * dm;
    const phi = invSqrt2Pi * Math.exp(-0.5 * m * m);
    if (k > 0) cdf += dm * (phi + prevPhi);
    prevPhi = phi;
    ms[k] = m;
    const trap = k === 0 || k === M_STEPS ? 0.5 : 1;
    mw[k] = trap * dm * 2 * g * m * m * m * phi * Math.pow(cdf, g - 2);
  }
  const n = 2 * Y_STEPS + 1;
  const y = new Float64Array(n);
  const f = new Float64Array(n);
  for (let i = 0; i <= Y_STEPS; i++) {
    const yy = i / Y_STEPS;
    let acc = 0;
    for (let k = 0; k <= M_STEPS; k++) {
      const t = yy * ms[k];
      acc += mw[k] * invSqrt2Pi * Math.exp(-0.5 * t * t);
    }
    y[Y_STEPS + i] = yy;
    y[Y_STEPS - i] = -yy;
    f[Y_STEPS + i] = acc;
    f[Y_STEPS - i] = acc;
  }
  const c0 = new Float64Array(n);
  const c1 = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const h = y[i] - y[i - 1];
    c0[i] = c0[i - 1] + (h * (f[i] + f[i - 1])) / 2;
    c1[i] = c1[i - 1] + (h * (y[i] * f[i] + y[i - 1] * f[i - 1])) / 2;
  }
  const mom = { y, c0, c1 };
  momentCache.set(g, mom);
  return mom;
}

/** Cumulative moment at a point, linearly interpolated on the grid. */
function cumulative(mom: Moments, c: Float64Array, at: number): number {
  const n = mom.y.length;
  const pos = ((at + 1) / 2) * (n - 1);
  if (pos <= 0) return 0;
  if (pos >= n - 1) return c[n - 1];
  const i = Math.floor(pos);
  const t = pos - i;
  return c[i] * (1 - t) + c[i + 1] * t;
}

/**
 * Lloyd-Max levels for the block-normalised Gaussian density, with some levels held fixed.
 * `init` gives every level (sorted); `fixed[i]` marks those that do not move.
 */
export function lloydMaxBlockGaussian(g: number, init: number[], fixed: boolean[], iterations = 4000): number[] {
  const mom = blockNormalisedMoments(g);
  const lv = init.slice();
  for (let it = 0; it < iterations; it++) {
    let moved = 0;
    for (let i = 0; i < lv.length; i++) {
      if (fixed[i]) continue;
      const a = i === 0 ? -1 : (lv[i - 1] + lv[i]) / 2;
      const b = i === lv.length - 1 ? 1 : (lv[i] + lv[i + 1]) / 2;
      const mass = cumulative(mom, mom.c0, b) - cumulative(mom, mom.c0, a);
      if (mass <= 0) continue;
      const c = (cumulative(mom, mom.c1, b) - cumulative(mom, mom.c1, a)) / mass;
      moved = Math.max(moved, Math.abs(c - lv[i]));
      lv[i] = c;
    }
    if (moved < 1e-13) break;
  }
  return lv;
}

/** Block-scale-weighted MSE of a codebook on the block-normalised density (non-maximal elements only). */
export function blockGaussianMse(g: number, levels: number[]): number {
  const mom = blockNormalisedMoments(g);
  // integrate (y - q(y))^2 f(y) over the grid by the trapezoid rule
  const { y } = mom;
  let acc = 0;
  let prev = 0;
  for (let i = 0; i < y.length; i++) {
    let best = Infinity;
    for (const l of levels) best = Math.min(best, (y[i] - l) ** 2);
    const fi = i === 0 ? 0 : (mom.c0[i] - mom.c0[i - 1]) / (y[i] - y[i - 1]);
    if (i > 0) acc += ((y[i] - y[i - 1]) * (best * fi + prev)) / 2;
    prev = best * fi;
  }
  return acc;
}

/** BOF4 for block size g: 16 Lloyd-Max levels with ±1 fixed (symmetric start, so symmetric result). */
export function bof4Levels(g: number): number[] {
  const init = Array.from({ length: 16 }, (_, i) => -1 + (2 * i) / 15);
  const fixed = init.map((_, i) => i === 0 || i === 15);
  return lloydMaxBlockGaussian(g, init, fixed);
}

/** Split87 for block size g: +1 and 0 fixed, 7 free levels in (0, 1) and 7 in (-1, 0) (signed absmax). */
export function split87Levels(g: number): number[] {
  const neg = Array.from({ length: 7 }, (_, i) => -(7 - i) / 8);
  const pos = Array.from({ length: 7 }, (_, i) => (i + 1) / 8);
  const init = [...neg, 0, ...pos, 1];
  const fixed = init.map((v) => v === 0 || v === 1);
  return lloydMaxBlockGaussian(g, init, fixed);
}
