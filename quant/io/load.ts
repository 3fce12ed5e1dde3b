// One loader for every weight source: safetensors, a sharded checkpoint (a folder, or its
// model.safetensors.index.json), .npy, or `synthetic:<dist>:<rows>x<cols>[:seed]`.

import { existsSync } from 'node:fs';
import { checkMemory, QUANTIZE_BYTES_PER_WEIGHT } from './bytes.js';
import { matrixNames, openSafetensors, readSafetensor } from './safetensors.js';
import { readNpy } from './npy.js';
import { isCheckpoint, openCheckpoint, openShardFiles } from './checkpoint.js';
import { parseSyntheticSource, synthesize } from './synthetic.js';
import { parseSyntheticModel } from './synthetic-model.js';
import { InputError, sampleRows, type Tensor2D } from './tensor.js';

export interface WeightSource {
  path: string;
  /** Names of the 2-D tensors the source holds. */
  tensors(): string[];
  read(name: string): Tensor2D;
  /** Every stride-th row of a tensor (rows 0, stride, ...), reading or drawing no more than a source must. */
  sample(name: string, stride: number): Tensor2D;
  /** Shape of a tensor without reading its data. */
  shape(name: string): number[];
  /** The file holding a tensor (a checkpoint's shard), where that is not `path`. */
  fileOf?(name: string): string;
}

/** A weight source as the command line gives it: one path (file, folder, index, synthetic), or several shard files. */
export type WeightsSpec = string | string[];

/** A synthetic weight source (`synthetic:<dist>:...` or `synthetic-model:<model>...`), not a file path. */
export function isSyntheticSource(p: string): boolean {
  return /^synthetic(-model)?:/.test(p);
}

export function openWeights(spec: WeightsSpec): WeightSource {
  if (Array.isArray(spec)) return spec.length === 1 ? openWeights(spec[0]) : openShardFiles(spec);
  const path = spec;
  const syn = parseSyntheticSource(path);
  if (syn) {
    const name = path;
    const one = (n: string, stride: number) => {
      if (n !== name) throw new InputError(path, `no tensor named '${n}' (a synthetic source has one tensor, '${name}')`);
      checkMemory(path, `a ${Math.ceil(syn.rows / stride)}x${syn.cols} tensor`, Math.ceil(syn.rows / stride) * syn.cols * QUANTIZE_BYTES_PER_WEIGHT);
      return synthesize(syn, name, stride);
    };
    return {
      path,
      tensors: () => [name],
      read: (n) => one(n, 1),
      sample: (n, stride) => one(n, stride),
      shape: () => [syn.rows, syn.cols],
    };
  }
  const model = parseSyntheticModel(path);
  if (model) {
    const draw = (n: string, stride: number) => {
      const [rows, cols] = model.shapeOf(n);
      checkMemory(path, `tensor '${n}' (${Math.ceil(rows / stride)}x${cols})`, Math.ceil(rows / stride) * cols * QUANTIZE_BYTES_PER_WEIGHT);
      return model.read(n, stride);
    };
    return { path, tensors: () => model.names, read: (n) => draw(n, 1), sample: draw, shape: (n) => (model.names.includes(n) ? model.shapeOf(n) : []) };
  }
  if (path.startsWith('synthetic:')) throw new InputError(path, 'expected synthetic:<dist>:<rows>x<cols>[:<seed>], e.g. synthetic:gaussian:256x2048:1');
  if (!existsSync(path)) throw new InputError(path, 'no such file');
  if (isCheckpoint(path)) return openCheckpoint(path);
  if (/\.npy$/i.test(path)) {
    const name = path.replace(/^.*\//, '').replace(/\.npy$/i, '');
    let cached: Tensor2D | null = null;
    const get = () => (cached ??= readNpy(path, name));
    return {
      path,
      tensors: () => [name],
      read: (n) => {
        if (n !== name) throw new InputError(path, `no tensor named '${n}' (a .npy file holds one array, '${name}')`);
        return get();
      },
      sample(n, stride) {
        return sampleRows(this.read(n), stride);
      },
      shape: () => [get().rows, get().cols],
    };
  }
  const f = openSafetensors(path);
  return { path, tensors: () => matrixNames(f), read: (n) => readSafetensor(f, n), sample: (n, stride) => sampleRows(readSafetensor(f, n), stride), shape: (n) => f.entries[n]?.shape ?? [] };
}

/** Tensor names the layer policy leaves out: embeddings, norms and the output head (not matrix multiplies of a decode step). */
export const NOT_LINEAR = /embed|norm|lm_head/i;

/**
 * The linear layers of a source, the one policy of every command that takes a whole model: its 2-D tensors
 * other than embeddings, norms and lm_head (or those `include` selects). Says on stderr what it leaves out.
 */
export function linearLayers(src: WeightSource, include?: RegExp, quiet = false): string[] {
  const all = src.tensors();
  const kept = all.filter((n) => (include ? include.test(n) : !NOT_LINEAR.test(n)));
  const left = all.filter((n) => !kept.includes(n));
  if (left.length && !quiet && !isSyntheticSource(src.path))
    process.stderr.write(`note: ${src.path}: ${left.length} tensor${left.length > 1 ? 's' : ''} left out by the layer policy (embeddings, norms, lm_head${include ? '; --include' : ''}): ${left.slice(0, 4).join(', ')}${left.length > 4 ? ', ...' : ''} (name one with --tensor to run it)\n`);
  return kept;
}
