// Checkpoints as they ship: a folder of safetensors shards, or the `model.safetensors.index.json` that maps each
// tensor to its shard. Every shard's header is read on open; a tensor's bytes only when it is read, from its own
// shard — so a 7B checkpoint is one weight source (one global budget) without being read whole.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readJsonFile } from './bytes.js';
import { matrixNames, openSafetensors, readSafetensor, type SafetensorsFile } from './safetensors.js';
import { InputError, sampleRows } from './tensor.js';
import type { WeightSource } from './load.js';

export const INDEX_NAME = 'model.safetensors.index.json';

/** Is this path a checkpoint of several files (a folder, or a safetensors index)? */
export function isCheckpoint(path: string): boolean {
  if (/\.index\.json$/i.test(path)) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The shard files of a checkpoint folder or index, in order; the index's map when there is one. */
function shardsOf(path: string): { files: string[]; map: Map<string, string> | null } {
  let index = /\.index\.json$/i.test(path) ? path : null;
  if (!index) {
    if (existsSync(join(path, INDEX_NAME))) index = join(path, INDEX_NAME);
    else {
      const files = readdirSync(path).filter((f) => /\.safetensors$/i.test(f)).sort();
      if (files.length === 0) throw new InputError(path, `a folder with no .safetensors files and no ${INDEX_NAME}`);
      return { files: files.map((f) => join(path, f)), map: null };
    }
  }
  const doc = readJsonFile(index) as { weight_map?: unknown };
  const wm = doc && typeof doc === 'object' ? doc.weight_map : undefined;
  if (!wm || typeof wm !== 'object' || Array.isArray(wm)) throw new InputError(index, "field 'weight_map': expected an object mapping tensor names to shard files");
  const map = new Map<string, string>();
  const files: string[] = [];
  for (const [name, shard] of Object.entries(wm as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard === '' || shard.includes('/') || shard.includes('\\'))
      throw new InputError(index, `field 'weight_map.${name}': expected a shard file name beside the index, got ${JSON.stringify(shard)}`);
    const file = join(dirname(resolve(index)), shard);
    if (!files.includes(file)) {
      if (!existsSync(file)) throw new InputError(index, `shard '${shard}' (of tensor '${name}') not found beside the index`);
      files.push(file);
    }
    map.set(name, file);
  }
  return { files, map };
}

/** One weight source over every shard of a checkpoint. */
export function openCheckpoint(path: string): WeightSource {
  const { files, map } = shardsOf(path);
  const shards = files.map((f) => openSafetensors(f));
  const home = new Map<string, SafetensorsFile>();
  for (const f of shards)
    for (const n of f.names) {
      const other = home.get(n);
      if (other) throw new InputError(path, `tensor '${n}' is in two shards: ${other.path} and ${f.path}`);
      if (map && map.get(n) !== resolve(f.path)) throw new InputError(f.path, `tensor '${n}' is here, but the index puts it in ${map.get(n) ?? 'no shard'}`);
      home.set(n, f);
    }
  if (map) for (const [n, file] of map) if (!home.has(n)) throw new InputError(file, `the index lists tensor '${n}' in this shard, which does not hold it`);
  const names = shards.flatMap((f) => matrixNames(f));
  const of = (n: string): SafetensorsFile => {
    const f = home.get(n);
    if (!f) throw new InputError(path, `no tensor named '${n}' in the checkpoint (${shards.length} shard${shards.length > 1 ? 's' : ''}, ${names.length} matrices)`);
    return f;
  };
  return {
    path,
    tensors: () => names,
    read: (n) => readSafetensor(of(n), n),
    sample: (n, stride) => sampleRows(readSafetensor(of(n), n), stride),
    shape: (n) => home.get(n)?.entries[n]?.shape ?? [],
  };
}
