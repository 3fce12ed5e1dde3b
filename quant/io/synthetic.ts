// Seeded synthetic LLM-shaped weight tensors (docs/MODEL.md §9): Gaussian, Student-t, Laplace, and Gaussian with
// outlier input channels. Every random draw comes from seedrandom, so a seed gives identical tensors.

import seedrandom from 'seedrandom';
import { InputError, type Tensor2D } from './tensor.js';

export type SyntheticDist = string; // gaussian | laplace | outlier | t<dof>

export interface SyntheticSpec {
  dist: SyntheticDist;
  rows: number;
  cols: number;
  seed: number;
  /** Standard deviation of the bulk (typical of trained LLM linear layers). */
  std?: number;
}

/** A seeded normal generator (Box-Muller on seedrandom's alea stream). */
export function normalSource(seed: string | number): () => number {
  const rng = seedrandom.alea(String(seed));
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let u = rng();
    while (u <= 0) u = rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A seeded tensor. Every row draws from its own stream (seeded by the tensor's seed and the row index), so
 * `stride` > 1 yields exactly rows 0, stride, 2·stride, ... of the full tensor without drawing the others.
 */
export function synthesize(spec: SyntheticSpec, name = `synthetic:${spec.dist}:${spec.rows}x${spec.cols}:${spec.seed}`, stride = 1): Tensor2D {
  const { rows, cols, seed } = spec;
  const std = spec.std ?? 0.02;
  const dist = spec.dist.toLowerCase();
  const tdof = dist === 'student-t' ? 4 : /^t\d+$/.test(dist) ? Number(dist.slice(1)) : 0;
  if (dist !== 'gaussian' && dist !== 'outlier' && dist !== 'laplace' && tdof === 0)
    throw new InputError(spec.dist, `unknown synthetic distribution (expected one of gaussian, t<dof> such as t4, laplace, outlier)`);
  if (tdof > 0 && tdof < 3) throw new InputError(spec.dist, 'Student-t needs at least 3 degrees of freedom (finite variance)');
  const step = Math.max(1, Math.floor(stride));
  const outRows = Math.ceil(rows / step);
  const data = new Float32Array(outRows * cols);
  for (let o = 0; o < outRows; o++) {
    const r = o * step;
    const row = data.subarray(o * cols, (o + 1) * cols);
    if (dist === 'gaussian' || dist === 'outlier') {
      const normal = normalSource(`${seed}/n/${r}`);
      for (let j = 0; j < cols; j++) row[j] = std * normal();
    } else if (dist === 'laplace') {
      const rng = seedrandom.alea(`${seed}/u/${r}`);
      const b = std / Math.SQRT2;
      for (let j = 0; j < cols; j++) {
        const u = rng() - 0.5;
        row[j] = -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
      }
    } else studentRow(row, seedrandom.alea(`${seed}/t/${r}`), tdof, std * Math.sqrt((tdof - 2) / tdof));
  }
  if (dist === 'outlier') {
    // about 0.5% of input channels (at least 2) carry weights 8-32x larger, as LLM layers facing
    // activation-outlier channels do (the channels come from one stream, whatever rows are drawn)
    const rng = seedrandom.alea(`${seed}/u`);
    const k = Math.max(2, Math.round(cols * 0.005));
    for (let j = 0; j < k; j++) {
      const c = Math.floor(rng() * cols);
      const f = 8 + 24 * rng();
      for (let o = 0; o < outRows; o++) data[o * cols + c] *= f;
    }
  }
  return { name, rows: outRows, cols, data };
}

/**
 * Student-t with `dof` degrees of freedom times `scale`, by Bailey's polar method: (u, v) uniform in the
 * unit disc, w = u² + v², t = u · sqrt(dof · (w^(-2/dof) - 1) / w). Two uniforms per draw, no chi-square.
 */
function studentRow(row: Float32Array, rng: () => number, dof: number, scale: number): void {
  const e = -2 / dof;
  for (let j = 0; j < row.length; j++) {
    let u: number;
    let w: number;
    do {
      u = 2 * rng() - 1;
      const v = 2 * rng() - 1;
      w = u * u + v * v;
    } while (w >= 1 || w === 0);
    const p = dof === 4 ? 1 / Math.sqrt(w) : w ** e;
    row[j] = scale * u * Math.sqrt((dof * (p - 1)) / w);
  }
}

/** Parse `synthetic:<dist>:<rows>x<cols>[:<seed>]`. */
export function parseSyntheticSource(src: string): SyntheticSpec | null {
  const m = /^synthetic:([a-z0-9-]+)(?::(\d+)x(\d+))?(?::(\d+))?$/i.exec(src.trim());
  if (!m) return null;
  const rows = m[2] ? Number(m[2]) : 256;
  const cols = m[3] ? Number(m[3]) : 2048;
  if (rows < 1 || cols < 1) throw new InputError(src, 'a synthetic tensor needs at least 1 row and 1 column');
  return { dist: m[1].toLowerCase(), rows, cols, seed: m[4] ? Number(m[4]) : 1 };
}
