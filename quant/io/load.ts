// One loader for every weight source: safetensors, .npy, or `synthetic:<dist>:<rows>x<cols>[:seed]`.

import { existsSync } from 'node:fs';
import { matrixNames, openSafetensors, readSafetensor } from './safetensors.js';
import { readNpy } from './npy.js';
import { parseSyntheticSource, synthesize } from './synthetic.js';
import { parseSyntheticModel } from './synthetic-model.js';
import { InputError, type Tensor2D } from './tensor.js';

export interface WeightSource {
  path: string;
  /** Names of the 2-D tensors the source holds. */
  tensors(): string[];
  read(name: string): Tensor2D;
  /** Shape of a tensor without reading its data. */
  shape(name: string): number[];
}

export function openWeights(path: string): WeightSource {
  const syn = parseSyntheticSource(path);
  if (syn) {
    const name = path;
    return {
      path,
      tensors: () => [name],
      read: (n) => {
        if (n !== name) throw new InputError(path, `no tensor named '${n}' (a synthetic source has one tensor, '${name}')`);
        return synthesize(syn, name);
      },
      shape: () => [syn.rows, syn.cols],
    };
  }
  const model = parseSyntheticModel(path);
  if (model) return { path, tensors: () => model.names, read: (n) => model.read(n), shape: (n) => (model.names.includes(n) ? model.shapeOf(n) : []) };
  if (path.startsWith('synthetic:')) throw new InputError(path, 'expected synthetic:<dist>:<rows>x<cols>[:<seed>], e.g. synthetic:gaussian:256x2048:1');
  if (!existsSync(path)) throw new InputError(path, 'no such file');
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
      shape: () => [get().rows, get().cols],
    };
  }
  const f = openSafetensors(path);
  return { path, tensors: () => matrixNames(f), read: (n) => readSafetensor(f, n), shape: (n) => f.entries[n]?.shape ?? [] };
}
