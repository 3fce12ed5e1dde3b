// The registry: block kinds, their implementations and the datapaths composed of them, by name.
// Implementations register themselves when their module loads (sim/blocks.ts imports them all), so
// adding one is a new file and an import line; the core never names an implementation.

import type { BlockDef, BlockKind } from './block.js';

/** A datapath: which block kinds it is composed of, and how they are consulted. */
export interface DatapathDef {
  name: string;
  summary: string;
  /** Kinds it may hold, in pipeline order (built, priced and reported in this order). */
  blocks: readonly string[];
  /** Kinds that must be present. */
  required: readonly string[];
  /** Decoder kinds in the order they are asked to claim an element book. */
  decoders: readonly string[];
  /** Lane-stage tie-break: when blocks limit a group equally, the stall counts for the earliest. */
  stallOrder: readonly string[];
}

const kinds = new Map<string, BlockKind>();
const defs = new Map<string, Map<string, BlockDef>>();
const datapaths = new Map<string, DatapathDef>();

export function registerKind(k: { kind: string; key?: string; contract: string }): void {
  if (kinds.has(k.kind)) throw new Error(`block kind '${k.kind}' registered twice`);
  kinds.set(k.kind, { kind: k.kind, key: k.key ?? k.kind, contract: k.contract });
  defs.set(k.kind, new Map());
}

export function registerBlock<C extends { impl: string }>(def: BlockDef<C>): void {
  const m = defs.get(def.kind);
  if (!m) throw new Error(`implementation '${def.impl}' of unknown block kind '${def.kind}'`);
  if (m.has(def.impl)) throw new Error(`implementation '${def.impl}' of '${def.kind}' registered twice`);
  m.set(def.impl, def as unknown as BlockDef);
}

export function registerDatapath(d: DatapathDef): void {
  if (datapaths.has(d.name)) throw new Error(`datapath '${d.name}' registered twice`);
  for (const k of [...d.blocks, ...d.required, ...d.decoders, ...d.stallOrder]) if (!kinds.has(k)) throw new Error(`datapath '${d.name}' names unknown block kind '${k}'`);
  datapaths.set(d.name, d);
}

export function blockKinds(): BlockKind[] {
  return [...kinds.values()];
}

export function blockKind(kind: string): BlockKind | undefined {
  return kinds.get(kind);
}

export function implementations(kind: string): BlockDef[] {
  return [...(defs.get(kind)?.values() ?? [])];
}

export function blockDef(kind: string, impl: string): BlockDef | undefined {
  return defs.get(kind)?.get(impl);
}

export function datapathDef(name: string): DatapathDef | undefined {
  return datapaths.get(name);
}

export function datapathNames(): string[] {
  return [...datapaths.keys()];
}
