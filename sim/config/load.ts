// Load and validate hw-configs: the top level, then each block section against the schema of the
// implementation it names. Errors name the file, the field and what was expected.

import { readJsonFile } from '../../quant/io/bytes.js';
import { ConfigError, InfeasibleError } from './errors.js';
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ZodType } from 'zod';
import type { BlockDef } from '../core/block.js';
import { blockDef, blockKind, datapathDef, datapathNames, implementations, type DatapathDef } from '../core/registry.js';
import '../blocks.js';
import { HwRootSchema, TechnologySchema, type HwRoot, type Technology } from './schema.js';
import { SramModel, SramTable } from '../energy/sram-model.js';
import { LogicModel, anchorCells } from '../energy/logic.js';

export { ConfigError, InfeasibleError };

/** A JSON config or trace document (reading and parsing errors as ConfigErrors). */
export function readJson(path: string): unknown {
  try {
    return readJsonFile(path);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** Validate `doc` against `schema`; the first problem becomes one line naming file and field. */
export function validate<T>(schema: ZodType<T>, doc: unknown, path: string, prefix: string[] = []): T {
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const keys = issue.path.map(String);
  const field = [...prefix, ...keys].join('.') || '(top level)';
  const got = keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), doc);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  throw new ConfigError(`${path}: field '${field}': ${issue.message} (got ${shown})`);
}

/** One block of a loaded config: its kind, the implementation its section names, the parsed section. */
export interface BlockSection {
  kind: string;
  key: string;
  def: BlockDef;
  conf: { impl: string } & Record<string, unknown>;
}

export interface LoadedConfig {
  path: string;
  hw: HwRoot;
  tech: Technology;
  datapath: DatapathDef;
  /** The blocks present, in the datapath's pipeline order. */
  blocks: BlockSection[];
  /** SRAM figures: the technology's CACTI table, or CACTI itself when SOPSIM_CACTI names a binary. */
  sram: SramModel;
  /** Logic energy, area and leakage at the config's node. */
  logic: LogicModel;
}

/** The LUT output format of a config with a LUT SRAM (raw weights are quantized for it), else undefined. */
export function lutOutputOf(cfg: LoadedConfig): string | undefined {
  const out = cfg.blocks.find((b) => b.kind === 'lut_sram')?.conf.output;
  return typeof out === 'string' ? out : undefined;
}

const tables = new Map<string, SramTable>();

/** The SRAM model a technology file names (tables are read once per process). */
export function sramModelOf(techPath: string, tech: Technology): SramModel {
  const p = resolve(dirname(techPath), tech.sram_table);
  let t = tables.get(p);
  if (!t) {
    try {
      t = SramTable.load(p);
    } catch (e) {
      throw new ConfigError(`${techPath}: field 'sram_table': ${p}: ${(e as Error).message.split('\n')[0]}`);
    }
    tables.set(p, t);
  }
  return new SramModel(t, tech, process.env.SOPSIM_CACTI || null);
}

/** The parsed section of a block kind, if the datapath has it. */
export function sectionOf<C>(cfg: Pick<LoadedConfig, 'blocks'>, kind: string): C | undefined {
  return cfg.blocks.find((b) => b.kind === kind)?.conf as C | undefined;
}

export function loadTechnology(path: string): Technology {
  const tech = validate(TechnologySchema, readJson(path), path);
  tech.logic.anchors.forEach((a, i) => {
    try {
      anchorCells(a.op);
    } catch (e) {
      throw new ConfigError(`${path}: field 'logic.anchors.${i}.op': ${(e as Error).message}`);
    }
  });
  return tech;
}

/** The package's hw-configs/ folder, found upwards from this file (dist/ or the sources). */
function bundledHwConfigs(): string | null {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    if (existsSync(join(d, 'hw-configs', 'technology.json'))) return join(d, 'hw-configs');
    if (dirname(d) === d) return null;
  }
}

const technologyNotes = new Set<string>();

/**
 * A hw-config's technology file: beside the config; or, for a bare file name that is not there (a bundled config
 * copied elsewhere to edit), the bundled one of that name, said once on stderr.
 */
function technologyPath(config: string, technology: string): string {
  const beside = resolve(dirname(config), technology);
  if (existsSync(beside) || technology !== basename(technology)) return beside;
  const bundled = bundledHwConfigs();
  if (!bundled || !existsSync(join(bundled, technology))) return beside;
  if (!technologyNotes.has(config)) {
    technologyNotes.add(config);
    process.stderr.write(`note: ${config}: no ${technology} beside it; using the bundled ${join(bundled, technology)}\n`);
  }
  return join(bundled, technology);
}

/** Load a hw-config (and the technology table it names), applying `overrides` (dotted path = value). */
export function loadHwConfig(path: string, overrides: Array<[string, number | string | boolean]> = []): LoadedConfig {
  const doc = readJson(path);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${path}: expected a JSON object (a hw-config)`);
  const d = doc as Record<string, unknown>;
  for (const [p, v] of overrides) setPath(d, p, v, path);
  const rootKeys = new Set(Object.keys(HwRootSchema.shape));
  const root = validate(HwRootSchema, Object.fromEntries(Object.entries(d).filter(([k]) => rootKeys.has(k))), path);
  const dp = datapathDef(root.datapath);
  if (!dp) throw new ConfigError(`${path}: field 'datapath': unknown datapath '${root.datapath}' (expected one of ${datapathNames().join(', ')})`);
  const techPath = technologyPath(path, root.technology);
  let tech: Technology;
  try {
    tech = loadTechnology(techPath);
  } catch (e) {
    throw new ConfigError(`${path}: field 'technology': ${(e as Error).message}`);
  }
  if (!tech.node_scaling[String(root.node_nm)])
    throw new ConfigError(`${path}: field 'node_nm': ${root.node_nm} nm is not in ${techPath} (expected one of ${Object.keys(tech.node_scaling).join(', ')})`);
  const keyOf = new Map(dp.blocks.map((k) => [blockKind(k)!.key, k]));
  for (const k of Object.keys(d))
    if (!rootKeys.has(k) && !keyOf.has(k)) throw new ConfigError(`${path}: field '${k}': not a block of datapath '${dp.name}' (expected one of ${[...keyOf.keys()].join(', ')})`);
  const blocks: BlockSection[] = [];
  for (const kind of dp.blocks) {
    const key = blockKind(kind)!.key;
    const section = d[key];
    if (section === undefined || section === null) {
      if (dp.required.includes(kind)) throw new ConfigError(`${path}: field '${key}': datapath '${dp.name}' needs this block (expected an object with "impl")`);
      continue;
    }
    blocks.push(loadSection(path, kind, key, section, tech));
  }
  checkComposition(path, root, blocks);
  return { path, hw: root, tech, datapath: dp, blocks, sram: sramModelOf(techPath, tech), logic: new LogicModel(tech, root.node_nm) };
}

/**
 * What the blocks must agree on: a tile holds at least one lane group's widest fields, and the weight
 * buffer's ports take the DRAM's writes plus the unpacker's reads (which, on average, cannot outrun the
 * DRAM: min(DRAM rate, lanes x code_bits / 8) bytes a cycle).
 */
function checkComposition(path: string, root: HwRoot, blocks: BlockSection[]): void {
  const conf = (kind: string) => sectionOf<Record<string, unknown>>({ blocks }, kind);
  const num = (c: Record<string, unknown> | undefined, k: string) => {
    const v = c?.[k];
    const x = v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
    return typeof x === 'number' ? x : undefined;
  };
  const buf = conf('weight_buffer');
  const unp = conf('unpacker');
  const fetch = conf('weight_fetch');
  const lanes = num(unp, 'lanes');
  const codeBits = num(unp, 'code_bits');
  const tile = num(buf, 'tile_bytes');
  if (lanes !== undefined && codeBits !== undefined && tile !== undefined && tile * 8 < lanes * codeBits)
    throw new InfeasibleError(`${path}: field 'weight_buffer.tile_bytes': ${tile} B cannot hold one lane group (${lanes} lanes x ${codeBits} bits = ${(lanes * codeBits) / 8} B); expected at least ${(lanes * codeBits) / 8}`);
  const gb = num(fetch, 'gb_per_s');
  const ports = num(buf, 'ports') ?? 1;
  const width = num(buf, 'width_bits');
  if (gb !== undefined && width !== undefined && lanes !== undefined && codeBits !== undefined) {
    const rate = gb / root.clock_ghz.value;
    const need = rate + Math.min(rate, (lanes * codeBits) / 8);
    const have = (ports * width) / 8;
    if (have + 1e-9 < need)
      throw new InfeasibleError(
        `${path}: field 'weight_buffer.ports': ${ports} port(s) of ${width} bits move ${have} B a cycle, but the DRAM writes ${+rate.toFixed(3)} B a cycle and the unpacker reads up to ${+Math.min(rate, (lanes * codeBits) / 8).toFixed(3)}; expected ports x width_bits / 8 >= ${+need.toFixed(3)}`,
      );
  }
}

function loadSection(path: string, kind: string, key: string, section: unknown, tech: Technology): BlockSection {
  const names = implementations(kind).map((i) => i.impl);
  const impl = section && typeof section === 'object' ? (section as Record<string, unknown>).impl : undefined;
  const def = typeof impl === 'string' ? blockDef(kind, impl) : undefined;
  if (!def) throw new ConfigError(`${path}: field '${key}.impl': ${impl === undefined ? 'missing' : `unknown implementation ${JSON.stringify(impl)}`} (registered: ${names.join(', ')})`);
  const conf = validate(def.schema, section, path, [key]) as BlockSection['conf'];
  const bad = def.checkTech?.(conf, tech);
  if (bad) throw new ConfigError(`${path}: field '${key}.${bad.field}': ${bad.message}`);
  return { kind, key, def, conf };
}

/**
 * Set a config value by dotted path, e.g. `lut.capacity_bytes`; a path that ends at a sourced constant
 * sets its value. Unknown paths are errors naming the path.
 */
export function setPath(doc: Record<string, unknown>, path: string, value: number | string | boolean, file = 'config'): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = doc;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = Object.hasOwn(o, keys[i]) ? o[keys[i]] : undefined;
    if (!next || typeof next !== 'object') throw new ConfigError(`${file}: --set ${path}: no field '${keys.slice(0, i + 1).join('.')}' in the config`);
    o = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  // only own fields of objects: a list's items and length, and inherited names, are not config values
  if (Array.isArray(o)) throw new ConfigError(`${file}: --set ${path}: '${keys.slice(0, -1).join('.')}' is a list, not a section`);
  if (!Object.hasOwn(o, last)) throw new ConfigError(`${file}: --set ${path}: no field '${path}' in the config`);
  const cur = o[last];
  if (cur && typeof cur === 'object' && 'value' in (cur as object)) (cur as Record<string, unknown>).value = value;
  else if (cur !== null && typeof cur === 'object') throw new ConfigError(`${file}: --set ${path}: '${path}' is a section, not a value`);
  else o[last] = value;
}
