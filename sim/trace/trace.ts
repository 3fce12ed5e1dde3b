// Traces (SPEC §9): an ordered list of layer executions. Each names a packed .sopw file (relative to the
// trace) or source weights plus a scheme, and the tokens its activations carry. Replaying a trace runs
// every layer through one datapath in order, so LUT residency and reloads between layers are modelled.
//
//   { "format": "sopsim-trace", "version": 1, "name": "...", "tokens": 1,
//     "layers": [ { "name": "L0.q", "sopw": "L0.q.sopw", "tokens": 1 },
//                 { "name": "L0.k", "weights": "synthetic:t4:4096x4096:3", "tensor": "...", "scheme": "sop4" } ] }

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, validate } from '../config/load.js';

const TraceLayer = z
  .object({
    name: z.string().min(1).optional(),
    sopw: z.string().min(1).optional(),
    weights: z.string().min(1).optional(),
    tensor: z.string().min(1).optional(),
    scheme: z.string().min(1).optional(),
    tokens: z.number().int().positive().optional(),
    repeat: z.number().int().positive().optional(),
  })
  .strict()
  .refine((l) => (l.sopw ? 1 : 0) + (l.weights ? 1 : 0) === 1, { message: "expected exactly one of 'sopw' or 'weights'" });

export const TraceSchema = z
  .object({
    format: z.literal('sopsim-trace'),
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    tokens: z.number().int().positive().default(1),
    layers: z.array(TraceLayer).min(1),
  })
  .strict();

export interface TraceStep {
  name: string;
  tokens: number;
  /** Absolute path of a packed layer, or a weight source (file or synthetic:) with tensor and scheme. */
  sopw?: string;
  weights?: string;
  tensor?: string;
  scheme?: string;
}

export interface Trace {
  path: string;
  name: string;
  steps: TraceStep[];
}

export function readTrace(path: string): Trace {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ConfigError(`${path}: ${err.code ? `cannot read file (${err.code})` : `not valid JSON (${err.message})`}`);
  }
  const t = validate(TraceSchema, doc, path);
  const base = dirname(path);
  const rel = (p: string) => (p.startsWith('synthetic:') || isAbsolute(p) ? p : resolve(base, p));
  const steps: TraceStep[] = [];
  t.layers.forEach((l, i) => {
    const step: TraceStep = {
      name: l.name ?? l.tensor ?? (l.sopw ? l.sopw.replace(/^.*\//, '').replace(/\.sopw$/, '') : `layer${i}`),
      tokens: l.tokens ?? t.tokens,
      sopw: l.sopw ? rel(l.sopw) : undefined,
      weights: l.weights ? rel(l.weights) : undefined,
      tensor: l.tensor,
      scheme: l.scheme,
    };
    for (let r = 0; r < (l.repeat ?? 1); r++) steps.push(step);
  });
  return { path, name: t.name, steps };
}

/** Is this path a trace (JSON) rather than a packed layer or a weight file? */
export function looksLikeTrace(path: string): boolean {
  return /\.json$/i.test(path);
}
