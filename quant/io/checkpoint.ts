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
  return openShards(path, files, map);
}

/** Several shard files named one by one (`quantize-model a.safetensors b.safetensors`): one source, no index. */
export function openShardFiles(files: string[]): WeightSource {
  for (const f of files) if (!/\.safetensors$/i.test(f)) throw new InputError(f, 'several weight files must all be safetensors shards of one checkpoint (or give its folder or index)');
  for (const f of files) if (!existsSync(f)) throw new InputError(f, 'no such file');
  if (new Set(files.map((f) => resolve(f))).size !== files.length) throw new InputError(files.join(' '), 'a shard is named twice');
  return openShards(files.join(' '), files.map((f) => resolve(f)), null);
}

function openShards(path: string, files: string[], map: Map<string, string> | null): WeightSource {
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
    fileOf: (n) => of(n).path,
  };
}

/** What a checkpoint's config.json says of its architecture (the fields sopsim checks and records). */
export interface ModelConfig {
  path: string;
  model_type: string | null;
  architectures: string[];
  num_hidden_layers: number | null;
  hidden_size: number | null;
  intermediate_size: number | null;
  num_attention_heads: number | null;
  num_key_value_heads: number | null;
  vocab_size: number | null;
}

/** The config.json beside a checkpoint (its folder, its index, or its shard files), or null when there is none. */
export function readModelConfig(spec: string | string[]): ModelConfig | null {
  const first = Array.isArray(spec) ? spec[0] : spec;
  let folder: string;
  try {
    folder = statSync(first).isDirectory() ? first : dirname(first);
  } catch {
    return null;
  }
  const path = join(folder, 'config.json');
  if (!existsSync(path)) return null;
  const doc = readJsonFile(path) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(path, 'expected a JSON object (a Hugging Face model config)');
  const int = (k: string): number | null => {
    const v = doc[k];
    if (v === undefined || v === null) return null;
    if (!Number.isInteger(v) || (v as number) < 1) throw new InputError(path, `field '${k}': expected a whole number >= 1, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const arch = doc.architectures;
  return {
    path,
    model_type: typeof doc.model_type === 'string' ? doc.model_type : null,
    architectures: Array.isArray(arch) ? arch.filter((a): a is string => typeof a === 'string') : [],
    num_hidden_layers: int('num_hidden_layers'),
    hidden_size: int('hidden_size'),
    intermediate_size: int('intermediate_size'),
    num_attention_heads: int('num_attention_heads'),
    num_key_value_heads: int('num_key_value_heads') ?? int('num_attention_heads'),
    vocab_size: int('vocab_size'),
  };
}

/**
 * Check the layers against the config: as many decoder blocks as num_hidden_layers, and every linear layer's input
 * width the hidden size, the intermediate size, or (o_proj) the attention width. A mismatch names the field.
 */
export function checkAgainstConfig(c: ModelConfig, layers: Array<{ name: string; cols: number }>): void {
  const blocks = new Set(layers.map((l) => /(?:^|\.)layers\.(\d+)\./.exec(l.name)?.[1]).filter((b) => b !== undefined));
  if (c.num_hidden_layers !== null && blocks.size > 0 && blocks.size !== c.num_hidden_layers)
    throw new InputError(c.path, `field 'num_hidden_layers': ${c.num_hidden_layers}, but the weights hold ${blocks.size} decoder blocks (config.json of another model?)`);
  const widths = new Set([c.hidden_size, c.intermediate_size].filter((w): w is number => w !== null));
  if (widths.size === 0) return;
  for (const l of layers) {
    if (widths.has(l.cols) || /o_proj/.test(l.name)) continue;
    throw new InputError(c.path, `field 'hidden_size': ${c.hidden_size} (intermediate_size ${c.intermediate_size}), but layer '${l.name}' reads ${l.cols} inputs (config.json of another model?)`);
  }
}

/** One line for stderr: what the config says. */
export function describeConfig(c: ModelConfig): string {
  const arch = [c.model_type, c.architectures.length ? `(${c.architectures.join(', ')})` : ''].filter(Boolean).join(' ') || 'unknown architecture';
  const heads = c.num_attention_heads !== null ? `, ${c.num_attention_heads} heads${c.num_key_value_heads !== c.num_attention_heads ? ` (${c.num_key_value_heads} KV)` : ''}` : '';
  return `${c.path}: ${arch}, ${c.num_hidden_layers ?? '?'} layers, hidden ${c.hidden_size ?? '?'}, intermediate ${c.intermediate_size ?? '?'}${heads}, vocabulary ${c.vocab_size ?? '?'}`;
}
