// Finding hw-configs (a path, or a bundled name such as `sop-hif`) and parsing --set overrides.

import { existsSync } from 'node:fs';
import { parseBytes, readJsonFile } from '../../quant/io/bytes.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHwConfig, type LoadedConfig } from '../../sim/config/load.js';
import { UsageError } from './common.js';

/** The bundled hw-configs/ directory: the package root's, found upwards from here (dist/ or the sources). */
export const BUNDLED_HW = findUp(dirname(fileURLToPath(import.meta.url)));

function findUp(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'hw-configs', 'sop-hif.json'))) return join(d, 'hw-configs');
    if (dirname(d) === d) return resolve(from, '..', '..', '..', 'hw-configs');
  }
}

export function hwPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const bundled = join(BUNDLED_HW, nameOrPath.endsWith('.json') ? nameOrPath.replace(/^.*\//, '') : `${nameOrPath}.json`);
  if (existsSync(bundled)) return bundled;
  throw new UsageError(`${nameOrPath}: no such hw-config (give a path, or a bundled name: sop-hif, sop-bf16lut, fp8-e4m3)`);
}

/** Parse `path=value` overrides; values are numbers, true/false, or strings. */
/**
 * One --set value: true/false, a size with a suffix (4K, 64KiB, 1M: powers of 1024), a number, or else a
 * string (an enum such as lut.output=bf16).
 */
export function parseSetValue(v: string): number | string | boolean {
  const t = v.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^\d+(\.\d+)?\s*[kmgt](i?b)?$/i.test(t)) return parseBytes(t)!;
  const num = Number(t);
  return Number.isFinite(num) && t !== '' ? num : t;
}

export function parseSets(sets: string[] | undefined): Array<[string, number | string | boolean]> {
  return (sets ?? []).map((s) => {
    const m = /^([A-Za-z0-9_.]+)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--set '${s}': expected path=value, e.g. lut.capacity_bytes=8192`);
    return [m[1], parseSetValue(m[2])];
  });
}

export function loadHw(nameOrPath: string, sets?: string[]): LoadedConfig {
  return loadHwConfig(hwPath(nameOrPath), parseSets(sets));
}

/** Baseline hw-config documents, read once per thread (which sections each has). */
const baselineDocs = new Map<string, Record<string, unknown>>();

export function baselineDoc(baseline: string): Record<string, unknown> {
  let doc = baselineDocs.get(baseline);
  if (!doc) baselineDocs.set(baseline, (doc = readJsonFile(hwPath(baseline)) as Record<string, unknown>));
  return doc;
}

/**
 * The --set values a baseline takes too (sweep, compare, replay): every one whose section the baseline has (a clock, the DRAM,
 * the weight buffer, the MACs...), none of a block it lacks (the LUT, the ROM, the selection mux).
 */
export function baselineSets(baseline: string, setStrings: string[]): string[] {
  const doc = baselineDoc(baseline);
  return setStrings.filter((s) => Object.hasOwn(doc, s.slice(0, s.indexOf('.') < 0 ? s.indexOf('=') : s.indexOf('.'))));
}


/** A baseline hw-config, taking the shared --set values it has a block for when `follow` (--baseline-sets). */
export function loadBaseline(baseline: string, sets: string[], follow: boolean): LoadedConfig {
  return loadHw(baseline, follow ? baselineSets(baseline, sets) : []);
}

/** The --baseline-sets option of sweep, compare and replay: one description, one default. */
export const BASELINE_SETS_OPTION = {
  type: 'boolean',
  default: true,
  describe: "apply every --set to the baseline too where the baseline has that block (a DRAM bandwidth or a clock moves both sides; LUT keys only the SOP side); --no-baseline-sets keeps the baseline as configured",
} as const;
