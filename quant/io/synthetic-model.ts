// A seeded synthetic decoder-only model: every linear layer of a Llama-style stack at real shapes
// (q, k, v, o: hidden x hidden; gate, up: inter x hidden; down: hidden x inter), generated one tensor at a
// time, so a user without weights can run the whole flow and nothing large is held or committed.
//
//   synthetic-model:<preset>[:<seed>]        presets: llama-7b (32 x 4096 / 11008), small, tiny
//   synthetic-model:L<layers>-H<hidden>-I<inter>[:<seed>]

import { InputError, type Tensor2D } from './tensor.js';
import { synthesize } from './synthetic.js';

export interface ModelShape {
  layers: number;
  hidden: number;
  inter: number;
}

export const MODEL_PRESETS: Record<string, ModelShape> = {
  'llama-7b': { layers: 32, hidden: 4096, inter: 11008 },
  small: { layers: 4, hidden: 1024, inter: 2752 },
  tiny: { layers: 2, hidden: 256, inter: 688 },
};

export const PROJECTIONS = ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'] as const;

export interface SyntheticModel {
  spec: string;
  shape: ModelShape;
  seed: number;
  names: string[];
  shapeOf(name: string): [number, number];
  /** The tensor, or every stride-th row of it (drawn without the rows between). */
  read(name: string, stride?: number): Tensor2D;
  /** How a tensor is drawn: its distribution, scale and seed. */
  recipe(name: string): { dist: string; std: number; seed: number; rows: number; cols: number; projection: string; layer: number };
}

export function parseSyntheticModel(src: string): SyntheticModel | null {
  const m = /^synthetic-model:([A-Za-z0-9-]+)(?::(\d+))?$/.exec(src.trim());
  if (!m) return null;
  let shape = MODEL_PRESETS[m[1]];
  if (!shape) {
    const g = /^L(\d+)-H(\d+)-I(\d+)$/i.exec(m[1]);
    if (!g) throw new InputError(src, `unknown synthetic model '${m[1]}' (expected ${Object.keys(MODEL_PRESETS).join(', ')} or L<layers>-H<hidden>-I<inter>)`);
    shape = { layers: Number(g[1]), hidden: Number(g[2]), inter: Number(g[3]) };
    if (shape.layers < 1 || shape.hidden < 1 || shape.inter < 1) throw new InputError(src, 'layers, hidden and inter must be at least 1');
  }
  const seed = m[2] ? Number(m[2]) : 1;
  const names: string[] = [];
  for (let l = 0; l < shape.layers; l++) for (const p of PROJECTIONS) names.push(`model.layers.${l}.${p}.weight`);
  const shapeOf = (name: string): [number, number] => {
    const p = /\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)\./.exec(name)?.[1];
    if (!p || !names.includes(name)) throw new InputError(src, `no tensor named '${name}' (the model has ${names.length}: ${names[0]}, ...)`);
    if (p === 'gate_proj' || p === 'up_proj') return [shape.inter, shape.hidden];
    if (p === 'down_proj') return [shape.hidden, shape.inter];
    return [shape.hidden, shape.hidden];
  };
  return {
    spec: src,
    shape,
    seed,
    names,
    shapeOf,
    recipe(name: string) {
      const [rows, cols] = shapeOf(name);
      const idx = names.indexOf(name);
      const layer = Math.floor(idx / PROJECTIONS.length);
      const projection = PROJECTIONS[idx % PROJECTIONS.length];
      // layers differ: attention and MLP inputs heavy-tailed, v/o closer to Gaussian, every fourth
      // down_proj with outlier input channels, and a per-layer spread of scales
      const dist = projection.endsWith('down_proj') && layer % 4 === 1 ? 'outlier' : projection.endsWith('v_proj') || projection.endsWith('o_proj') ? 'gaussian' : 't4';
      const std = 0.02 * (0.6 + (0.8 * ((layer * 7 + idx) % 5)) / 4);
      return { dist, std, seed: seed * 100003 + idx, rows, cols, projection, layer };
    },
    read(name: string, stride = 1): Tensor2D {
      const r = this.recipe(name);
      return synthesize({ dist: r.dist, rows: r.rows, cols: r.cols, seed: r.seed, std: r.std }, name, stride);
    },
  };
}
