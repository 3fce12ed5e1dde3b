// The codebook registry: the fixed ROM codebooks by name, plus user codebooks loaded from JSON (docs/MODEL.md §2).
// DD4 is not here: it is fitted per layer by quant/sop (see dd4.ts).

import { readJsonFile } from '../io/bytes.js';
import { InputError, BadValueError } from '../io/tensor.js';
import { Codebook } from './codebook.js';
import { NF4_LEVELS, SH4_LEVELS, bof4, split87 } from './fixed.js';

export const FIXED_CODEBOOKS = ['NF4', 'BOF4', 'SPLIT87', 'SH4'] as const;

const user = new Map<string, Codebook>();
const cache = new Map<string, Codebook>();

function canonical(name: string): string {
  return name.trim().toUpperCase();
}

/** A fixed or user codebook by name (case-insensitive); BOF4 and Split87 depend on the block size g. */
export function getCodebook(name: string, g = 16): Codebook {
  const key = canonical(name);
  const u = user.get(key);
  if (u) return u;
  const ck = `${key}/${g}`;
  const hit = cache.get(ck);
  if (hit) return hit;
  let cb: Codebook;
  switch (key) {
    case 'NF4':
      cb = new Codebook('NF4', NF4_LEVELS);
      break;
    case 'BOF4':
      cb = new Codebook('BOF4', bof4(g));
      break;
    case 'SPLIT87':
      cb = new Codebook('Split87', split87(g));
      break;
    case 'SH4':
      cb = new Codebook('SH4', SH4_LEVELS);
      break;
    default:
      throw new BadValueError(`unknown codebook '${name}' (expected one of NF4, BOF4, Split87, SH4, DD4${user.size ? ', ' + [...user.keys()].join(', ') : ''})`);
  }
  cache.set(ck, cb);
  return cb;
}

/** Names of every codebook a pair may use as its fixed member. */
export function fixedCodebookNames(): string[] {
  return [...FIXED_CODEBOOKS, ...user.keys()];
}

/**
 * Register a user codebook from a JSON file: `{"name": "...", "levels": [16 numbers in [-1, 1]]}`
 * or a bare array of 16 numbers (named after the file). Returns the codebook.
 */
export function loadUserCodebook(path: string): Codebook {
  const doc = readJsonFile(path);
  if (doc === null || typeof doc !== 'object') throw new InputError(path, 'expected {"name": ..., "levels": [16 numbers]} or an array of 16 numbers');
  const obj = Array.isArray(doc) ? { levels: doc } : (doc as { name?: unknown; levels?: unknown });
  const name = typeof obj.name === 'string' && obj.name.length > 0 ? obj.name : path.replace(/^.*\//, '').replace(/\.json$/i, '');
  const lv = obj.levels;
  if (!Array.isArray(lv) || lv.length !== 16 || !lv.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new InputError(path, "field 'levels': expected an array of 16 finite numbers");
  if (!lv.every((v) => v >= -1 && v <= 1)) throw new InputError(path, "field 'levels': expected every level in [-1, 1]");
  if (new Set(lv).size !== 16) throw new InputError(path, "field 'levels': expected 16 distinct values");
  if (Math.max(...lv.map(Math.abs)) !== 1) throw new InputError(path, "field 'levels': expected -1 or 1 among the levels (a block's scale maps its largest weight to the largest |level|)");
  const key = canonical(name);
  if ((FIXED_CODEBOOKS as readonly string[]).includes(key) || key === 'DD4') throw new InputError(path, `field 'name': '${name}' is a built-in codebook`);
  const cb = new Codebook(name, lv, 'user');
  user.set(key, cb);
  return cb;
}
