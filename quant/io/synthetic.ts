// Seeded synthetic LLM-shaped weight tensors (SPEC §9): Gaussian, Student-t, Laplace, and Gaussian with
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

export function synthesize(spec: SyntheticSpec, name = `synthetic:${spec.dist}:${spec.rows}x${spec.cols}:${spec.seed}`): Tensor2D {
  const { rows, cols, seed } = spec;
  const std = spec.std ?? 0.02;
  const n = rows * cols;
  const data = new Float32Array(n);
  const rng = seedrandom.alea(`${seed}/u`);
  const normal = normalSource(`${seed}/n`);
  const dist = spec.dist.toLowerCase();
  if (dist === 'gaussian' || dist === 'outlier') {
    for (let i = 0; i < n; i++) data[i] = std * normal();
    if (dist === 'outlier') {
      // about 0.5% of input channels (at least 2) carry weights 8-32x larger, as LLM layers facing
      // activation-outlier channels do
      const k = Math.max(2, Math.round(cols * 0.005));
      for (let j = 0; j < k; j++) {
        const c = Math.floor(rng() * cols);
        const f = 8 + 24 * rng();
        for (let r = 0; r < rows; r++) data[r * cols + c] *= f;
      }
    }
  } else if (dist === 'laplace') {
    const b = std / Math.SQRT2;
    for (let i = 0; i < n; i++) {
      const u = rng() - 0.5;
      data[i] = -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    }
  } else if (/^t\d+$/.test(dist) || dist === 'student-t') {
    const dof = dist === 'student-t' ? 4 : Number(dist.slice(1));
    if (dof < 3) throw new InputError(spec.dist, 'Student-t needs at least 3 degrees of freedom (finite variance)');
    const scale = std * Math.sqrt((dof - 2) / dof);
    for (let i = 0; i < n; i++) {
      // chi-square with even dof = 2 x Gamma(dof/2, 1) = -2 ln(U1 ... U_{dof/2}); odd dof adds one z²
      let prod = 1;
      for (let k = 0; k < dof >> 1; k++) prod *= 1 - rng();
      let chi = -2 * Math.log(prod);
      if (dof & 1) {
        const z = normal();
        chi += z * z;
      }
      data[i] = (scale * normal()) / Math.sqrt(chi / dof);
    }
  } else {
    throw new InputError(spec.dist, `unknown synthetic distribution (expected one of gaussian, t<dof> such as t4, laplace, outlier)`);
  }
  return { name, rows, cols, data };
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
