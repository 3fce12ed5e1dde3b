// Traces (docs/MODEL.md §9): an ordered list of layer executions, each with the tokens its activations carry.
// A layer names a packed .sopw file (relative to the trace), or source weights plus a scheme; or the
// whole trace is a seeded synthetic descriptor of a decoder model, expanded here, so a 32-layer 4096-hidden
// model needs no large files. Replaying a trace runs every layer through one datapath in order, so LUT
// residency and reloads between layers are modelled. `passes` repeats the whole list (decode steps).
//
//   { "format": "sopsim-trace", "version": 1, "name": "...", "tokens": 1, "passes": 1,
//     "layers": [ { "name": "L0.q", "sopw": "L0.q.sopw" },
//                 { "name": "L0.k", "weights": "synthetic:t4:4096x4096:3", "scheme": "sop4", "tokens": 4 } ] }
//
//   { "format": "sopsim-trace", "version": 1, "name": "...",
//     "synthetic_model": { "model": "llama-7b", "seed": 1, "scheme": "sop4",
//                          "schemes": { "mlp.down_proj": "E2M3sUE4M4" }, "slice_rows": 16 } }
//
// A synthetic layer is quantized from a representative slice of `slice_rows` rows (0: every row), and the
// simulator streams that slice repeated to the layer's full shape.

import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { checkMemory, QUANTIZE_BYTES_PER_WEIGHT } from '../../quant/io/bytes.js';
import { MODEL_PRESETS, PROJECTIONS } from '../../quant/io/synthetic-model.js';
import { canonicalScheme } from '../../quant/schemes/index.js';
import { ConfigError, readJson, validate } from '../config/load.js';
import { isSyntheticSource } from '../../quant/io/load.js';

/** Limits that keep a trace's expansion and its simulation finite: steps after passes and repeats, tokens. */
export const MAX_STEPS = 1_000_000;
export const MAX_TOKENS = 1_000_000;

const TraceLayer = z
  .object({
    name: z.string().min(1).optional(),
    sopw: z.string().min(1).optional(),
    weights: z.string().min(1).optional(),
    tensor: z.string().min(1).optional(),
    scheme: z.string().min(1).optional(),
    tokens: z.number().int().positive().max(MAX_TOKENS).optional(),
    repeat: z.number().int().positive().max(MAX_STEPS).optional(),
  })
  .strict()
  .refine((l) => (l.sopw ? 1 : 0) + (l.weights ? 1 : 0) === 1, { message: "expected exactly one of 'sopw' or 'weights'" });

const SyntheticModelDescriptor = z
  .object({
    model: z.string().min(1),
    seed: z.number().int().nonnegative().default(1),
    scheme: z.string().min(1).default('sop4'),
    schemes: z.record(z.string(), z.string()).default({}),
    slice_rows: z.number().int().nonnegative().default(16),
    layers: z.number().int().positive().max(MAX_STEPS).optional(),
  })
  .strict();

export const TraceSchema = z
  .object({
    format: z.literal('sopsim-trace'),
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    tokens: z.number().int().positive().max(MAX_TOKENS).default(1),
    passes: z.number().int().positive().max(MAX_STEPS).default(1),
    layers: z.array(TraceLayer).min(1).optional(),
    synthetic_model: SyntheticModelDescriptor.optional(),
  })
  .strict()
  .refine((t) => (t.layers ? 1 : 0) + (t.synthetic_model ? 1 : 0) === 1, { message: "expected exactly one of 'layers' or 'synthetic_model'" });

export interface TraceStep {
  name: string;
  tokens: number;
  /** Absolute path of a packed layer, or a weight source (file or synthetic:) with tensor and scheme. */
  sopw?: string;
  weights?: string;
  tensor?: string;
  scheme?: string;
  /** Synthetic-model layers: rows of the representative slice (0 = the whole tensor). */
  sliceRows?: number;
}

export interface Trace {
  path: string;
  name: string;
  steps: TraceStep[];
}

export function readTrace(path: string): Trace {
  const t = validate(TraceSchema, readJson(path), path);
  const base = dirname(path);
  const rel = (p: string) => (isSyntheticSource(p) || isAbsolute(p) ? p : resolve(base, p));
  const pass: TraceStep[] = [];
  if (t.layers) {
    t.layers.forEach((l, i) => {
      const step: TraceStep = {
        name: l.name ?? l.tensor ?? (l.sopw ? l.sopw.replace(/^.*\//, '').replace(/\.sopw$/, '') : `layer${i}`),
        tokens: l.tokens ?? t.tokens,
        sopw: l.sopw ? rel(l.sopw) : undefined,
        weights: l.weights ? rel(l.weights) : undefined,
        tensor: l.tensor,
        scheme: l.scheme,
      };
      if (pass.length + (l.repeat ?? 1) > MAX_STEPS) throw new ConfigError(`${path}: field 'layers.${i}.repeat': the trace would have over ${MAX_STEPS} steps`);
      for (let r = 0; r < (l.repeat ?? 1); r++) pass.push(step);
    });
  } else {
    const d = t.synthetic_model!;
    const preset = MODEL_PRESETS[d.model];
    if (!preset && !/^L\d+-H\d+-I\d+$/i.test(d.model))
      throw new ConfigError(`${path}: field 'synthetic_model.model': unknown model '${d.model}' (expected ${Object.keys(MODEL_PRESETS).join(', ')} or L<layers>-H<hidden>-I<inter>)`);
    const layers = d.layers ?? (preset ? preset.layers : Number(/^L(\d+)/i.exec(d.model)![1]));
    const shape = preset ?? { hidden: Number(/-H(\d+)/i.exec(d.model)![1]), inter: Number(/-I(\d+)/i.exec(d.model)![1]) };
    if (!(layers * PROJECTIONS.length <= MAX_STEPS)) throw new ConfigError(`${path}: field 'synthetic_model': ${layers} layers is over ${MAX_STEPS} steps`);
    // the replay holds one quantized slice of a projection at a time (slice_rows 0: a whole tensor)
    const [r, c] = d.slice_rows === 0 ? (shape.inter >= shape.hidden ? [shape.inter, shape.hidden] : [shape.hidden, shape.hidden]) : [d.slice_rows, Math.max(shape.hidden, shape.inter)];
    try {
      checkMemory(path, `a ${r}x${c} slice of synthetic_model ${d.model}`, r * c * QUANTIZE_BYTES_PER_WEIGHT);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    const check = (field: string, s: string) => {
      try {
        return canonicalScheme(s);
      } catch (e) {
        throw new ConfigError(`${path}: field '${field}': ${(e as Error).message}`);
      }
    };
    const dflt = check('synthetic_model.scheme', d.scheme);
    for (const [k, v] of Object.entries(d.schemes)) {
      if (!PROJECTIONS.includes(k as (typeof PROJECTIONS)[number])) throw new ConfigError(`${path}: field 'synthetic_model.schemes.${k}': unknown projection (expected one of ${PROJECTIONS.join(', ')})`);
      check(`synthetic_model.schemes.${k}`, v);
    }
    for (let l = 0; l < layers; l++)
      for (const p of PROJECTIONS) {
        const name = `model.layers.${l}.${p}.weight`;
        pass.push({ name, tokens: t.tokens, weights: `synthetic-model:${d.model}:${d.seed}`, tensor: name, scheme: canonicalScheme(d.schemes[p] ?? dflt), sliceRows: d.slice_rows });
      }
  }
  if (pass.length * t.passes > MAX_STEPS) throw new ConfigError(`${path}: ${pass.length} layers x ${t.passes} passes is ${pass.length * t.passes} steps, over the limit of ${MAX_STEPS}`);
  const steps: TraceStep[] = [];
  for (let p = 0; p < t.passes; p++) for (const s of pass) steps.push(s); // (no spread: passes can be long)
  return { path, name: t.name, steps };
}

/** Is this path a trace (JSON) rather than a packed layer or a weight file? */
export function looksLikeTrace(path: string): boolean {
  return /\.json$/i.test(path);
}
