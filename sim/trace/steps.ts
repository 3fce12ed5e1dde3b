// Turn what a user names on the command line — a packed .sopw, a trace, or weights plus a scheme — into
// the ordered layer executions a datapath runs, each with its quantized layer and, where known, the
// source weights (the FP8 baseline is quantized from those).

import { dirname, isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { isSyntheticSource, linearLayers, openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { parseSyntheticModel } from '../../quant/io/synthetic-model.js';
import { InputError, type Tensor2D } from '../../quant/io/tensor.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { readSopw } from '../../quant/packed/sopw.js';
import { canonicalScheme, quantize } from '../../quant/schemes/index.js';
import { parseLutFormat, type LutFormat } from '../../quant/codebooks/lut-format.js';
import { looksLikeTrace, readTrace, type TraceStep } from './trace.js';

export interface Step {
  name: string;
  /** The step's place among the run's distinct steps (a repeated pass is the same step): its tables' identity. */
  id: number;
  tokens: number;
  /** Rows the layer really has; more than the quantized layer's when it is a repeated slice. */
  rows?: number;
  /** The scheme, when known without quantizing (weights quantized on demand). */
  scheme?: string;
  /** The layer as packed for the datapath under test. */
  layer(): QuantizedLayer;
  /** The source weights (of the slice, for a repeated slice), when they can be found. */
  source(): Tensor2D | null;
}

type StepBody = Omit<Step, 'id'>;

export interface StepOptions {
  tensor?: string;
  scheme?: string;
  /** The LUT output format raw weights are quantized for (the datapath's `lut.output`; default hif8). */
  lut?: string;
  tokens?: number;
}

function fromSopw(path: string, name: string | undefined, tokens: number): StepBody {
  let cached: QuantizedLayer | null = null;
  const load = () => (cached ??= readSopw(path).layer);
  return {
    name: name ?? load().name,
    tokens,
    layer: load,
    source: () => {
      const q = load();
      const src = q.info.source as { file?: string; tensor?: string } | undefined;
      if (!src?.file || !src.tensor) return null;
      // a relative source is relative to the .sopw's folder (they move together); older files hold absolute paths
      const file = isSyntheticSource(src.file) || isAbsolute(src.file) ? src.file : join(dirname(path), src.file);
      if (!isSyntheticSource(file) && !existsSync(file)) return null;
      const t = openWeights(file).read(src.tensor);
      // a source that is not this layer's shape is not its source (the file was replaced or renamed)
      // (a layer stored transposed, blocks along its outputs, is [in, out]: its source is [out, in])
      const [rows, cols] = q.transposed ? [q.geom.cols, q.geom.rows] : [q.geom.rows, q.geom.cols];
      if (t.rows !== rows || t.cols !== cols) {
        process.stderr.write(`note: ${path}: its source ${file} tensor '${src.tensor}' is ${t.rows}x${t.cols}, the layer ${rows}x${cols}; not using it\n`);
        return null;
      }
      return t;
    },
  };
}

function fromWeights(file: string, tensor: string, scheme: string, tokens: number, lut: LutFormat | undefined, name = tensor): StepBody {
  const src = openWeights(file);
  let t: Tensor2D | null = null;
  const read = () => (t ??= src.read(tensor));
  return { name, tokens, scheme, layer: () => quantize(read(), scheme, lut ? { lut } : {}), source: read };
}

/**
 * A synthetic-model layer described by a slice of its rows, quantized once per (distribution, shape,
 * scheme) and shared: every layer keeps its own name (so its LUT tables are its own), and the datapath
 * streams the slice repeated to the full shape.
 */
function fromSlice(s: TraceStep, cache: Map<string, { t: Tensor2D; q: Map<string, QuantizedLayer> }>, lut: LutFormat | undefined): StepBody {
  const model = parseSyntheticModel(s.weights!)!;
  const r = model.recipe(s.tensor!);
  const rows = s.sliceRows && s.sliceRows < r.rows ? s.sliceRows : r.rows;
  if (rows === r.rows) return fromWeights(s.weights!, s.tensor!, s.scheme!, s.tokens, lut, s.name);
  const key = `${model.seed}/${r.projection}/${r.dist}/${rows}x${r.cols}`;
  const slice = () => {
    let e = cache.get(key);
    if (!e) {
      e = { t: synthesize({ dist: r.dist, rows, cols: r.cols, seed: model.seed * 7919 + PROJ_SEED[r.projection], std: 0.02 }, key), q: new Map() };
      cache.set(key, e);
    }
    return e;
  };
  return {
    name: s.name,
    tokens: s.tokens,
    rows: r.rows,
    layer: () => {
      const e = slice();
      let q = e.q.get(s.scheme!);
      if (!q) e.q.set(s.scheme!, (q = quantize(e.t, s.scheme!, lut ? { lut } : {})));
      return q;
    },
    source: () => slice().t,
  };
}

const PROJ_SEED: Record<string, number> = { 'self_attn.q_proj': 1, 'self_attn.k_proj': 2, 'self_attn.v_proj': 3, 'self_attn.o_proj': 4, 'mlp.gate_proj': 5, 'mlp.up_proj': 6, 'mlp.down_proj': 7 };

export function resolveSteps(input: string, opt: StepOptions): Step[] {
  const tokens = opt.tokens ?? 1;
  const lut = opt.lut ? parseLutFormat(opt.lut) : undefined;
  if (/\.sopw$/i.test(input)) {
    if (!existsSync(input)) throw new InputError(input, 'no such file');
    return [{ ...fromSopw(input, undefined, tokens), id: 0 }];
  }
  if (looksLikeTrace(input)) {
    const tr = readTrace(input);
    const cache = new Map<string, { t: Tensor2D; q: Map<string, QuantizedLayer> }>();
    const memo = new Map<TraceStep, Step>();
    return tr.steps.map((s) => {
      let step = memo.get(s); // passes repeat the same step objects: share their layers
      if (!step) {
        const st = { ...s, tokens: opt.tokens ?? s.tokens };
        let body: StepBody;
        if (st.sopw) body = fromSopw(st.sopw, st.name, st.tokens);
        else if (st.sliceRows !== undefined) body = fromSlice(st, cache, lut);
        else {
          const src = openWeights(st.weights!);
          body = fromWeights(st.weights!, st.tensor ?? src.tensors()[0], canonicalScheme(st.scheme ?? 'sop4'), st.tokens, lut, st.name);
        }
        step = { ...body, id: memo.size };
        memo.set(s, step);
      }
      return step;
    });
  }
  const src = openWeights(input);
  const scheme = canonicalScheme(opt.scheme ?? 'sop4');
  const names = opt.tensor ? [opt.tensor] : linearLayers(src);
  if (names.length === 0) throw new InputError(input, 'no 2-D tensors');
  return names.map((n, i) => ({ ...fromWeights(input, n, scheme, tokens, lut), id: i }));
}
