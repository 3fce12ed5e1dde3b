// Turn what a user names on the command line — a packed .sopw, a trace, or weights plus a scheme — into
// the ordered layer executions a datapath runs, each with its quantized layer and, where known, the
// source weights (the FP8 baseline is quantized from those).

import { existsSync } from 'node:fs';
import { openWeights } from '../../quant/io/load.js';
import { InputError, type Tensor2D } from '../../quant/io/tensor.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { readSopw } from '../../quant/packed/sopw.js';
import { canonicalScheme, quantize } from '../../quant/schemes/index.js';
import { looksLikeTrace, readTrace } from './trace.js';

export interface Step {
  name: string;
  tokens: number;
  /** The layer as packed for the datapath under test. */
  layer(): QuantizedLayer;
  /** The source weights, when they can be found. */
  source(): Tensor2D | null;
}

export interface StepOptions {
  tensor?: string;
  scheme?: string;
  tokens?: number;
}

function fromSopw(path: string, name: string | undefined, tokens: number): Step {
  let cached: QuantizedLayer | null = null;
  const load = () => (cached ??= readSopw(path).layer);
  return {
    name: name ?? load().name,
    tokens,
    layer: load,
    source: () => {
      const src = load().info.source as { file?: string; tensor?: string } | undefined;
      if (!src?.file || !src.tensor || (!src.file.startsWith('synthetic') && !existsSync(src.file))) return null;
      return openWeights(src.file).read(src.tensor);
    },
  };
}

function fromWeights(file: string, tensor: string, scheme: string, tokens: number, name = tensor): Step {
  const src = openWeights(file);
  let t: Tensor2D | null = null;
  const read = () => (t ??= src.read(tensor));
  return { name, tokens, layer: () => quantize(read(), scheme), source: read };
}

export function resolveSteps(input: string, opt: StepOptions): Step[] {
  const tokens = opt.tokens ?? 1;
  if (/\.sopw$/i.test(input)) {
    if (!existsSync(input)) throw new InputError(input, 'no such file');
    return [fromSopw(input, undefined, tokens)];
  }
  if (looksLikeTrace(input)) {
    const tr = readTrace(input);
    return tr.steps.map((s) => {
      if (s.sopw) return fromSopw(s.sopw, s.name, opt.tokens ?? s.tokens);
      const src = openWeights(s.weights!);
      const tensor = s.tensor ?? src.tensors()[0];
      return fromWeights(s.weights!, tensor, canonicalScheme(s.scheme ?? 'sop4'), opt.tokens ?? s.tokens, s.name);
    });
  }
  const src = openWeights(input);
  const scheme = canonicalScheme(opt.scheme ?? 'sop4');
  const names = opt.tensor ? [opt.tensor] : src.tensors();
  if (names.length === 0) throw new InputError(input, 'no 2-D tensors');
  return names.map((n) => fromWeights(input, n, scheme, tokens));
}
