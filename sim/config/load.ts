// Load and validate hw-configs: errors name the file, the field and what was expected.

import { readJsonFile } from '../../quant/io/bytes.js';
import { oneLine } from '../../quant/io/tensor.js';
import { dirname, resolve } from 'node:path';
import type { ZodType } from 'zod';
import { HwConfigSchema, TechnologySchema, type HwConfig, type Technology } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'ConfigError';
  }
}

/** A JSON config or trace document (reading and parsing errors as ConfigErrors). */
export function readJson(path: string): unknown {
  try {
    return readJsonFile(path);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** Validate `doc` against `schema`; the first problem becomes one line naming file and field. */
export function validate<T>(schema: ZodType<T>, doc: unknown, path: string): T {
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : '(top level)';
  const got = issue.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string | number, unknown>)[k as string] : undefined), doc);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  throw new ConfigError(`${path}: field '${field}': ${issue.message} (got ${shown})`);
}

export interface LoadedConfig {
  path: string;
  hw: HwConfig;
  tech: Technology;
}

export function loadTechnology(path: string): Technology {
  return validate(TechnologySchema, readJson(path), path);
}

/** Load a hw-config (and the technology table it names), applying `overrides` (dotted path = number). */
export function loadHwConfig(path: string, overrides: Array<[string, number | string | boolean]> = []): LoadedConfig {
  const doc = readJson(path) as Record<string, unknown>;
  for (const [p, v] of overrides) setPath(doc, p, v, path);
  const hw = validate(HwConfigSchema, doc, path);
  const techPath = resolve(dirname(path), hw.technology);
  let tech: Technology;
  try {
    tech = loadTechnology(techPath);
  } catch (e) {
    throw new ConfigError(`${path}: field 'technology': ${(e as Error).message}`);
  }
  if (!tech.node_scaling[String(hw.node_nm)])
    throw new ConfigError(`${path}: field 'node_nm': ${hw.node_nm} nm is not in ${techPath} (expected one of ${Object.keys(tech.node_scaling).join(', ')})`);
  for (const [act, prims] of Object.entries(hw.actions)) {
    if (!Array.isArray(prims)) continue;
    prims.forEach((p, i) => {
      if (!tech.primitives_pj[p]) throw new ConfigError(`${path}: field 'actions.${act}.${i}': unknown primitive '${p}' (expected one of ${Object.keys(tech.primitives_pj).join(', ')})`);
    });
  }
  if (!tech.dram_pj_per_bit[hw.weight_fetch.dram])
    throw new ConfigError(`${path}: field 'weight_fetch.dram': unknown DRAM '${hw.weight_fetch.dram}' (expected one of ${Object.keys(tech.dram_pj_per_bit).join(', ')})`);
  return { path, hw, tech };
}

/**
 * Set a numeric (or boolean/string) config value by dotted path, e.g. `lut.capacity_bytes`; a path that
 * ends at a sourced constant sets its value. Unknown paths are errors naming the path.
 */
export function setPath(doc: Record<string, unknown>, path: string, value: number | string | boolean, file = 'config'): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = doc;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = o[keys[i]];
    if (!next || typeof next !== 'object') throw new ConfigError(`${file}: --set ${path}: no field '${keys.slice(0, i + 1).join('.')}' in the config`);
    o = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (!(last in o)) throw new ConfigError(`${file}: --set ${path}: no field '${path}' in the config`);
  const cur = o[last];
  if (cur && typeof cur === 'object' && 'value' in (cur as object)) (cur as Record<string, unknown>).value = value;
  else if (cur !== null && typeof cur === 'object') throw new ConfigError(`${file}: --set ${path}: '${path}' is a section, not a value`);
  else o[last] = value;
}
