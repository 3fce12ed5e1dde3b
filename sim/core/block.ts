// What every hardware block is to the datapath: a named implementation of a block kind, built from its
// own config section, that counts what it does, prices its actions and answers for the cycles a demand
// takes in it. The datapath (sim/datapath/datapath.ts) only sums and orders what blocks answer.

import type { ZodType } from 'zod';
import type { ElementBook, QuantizedLayer } from '../../quant/layer.js';
import type { LoadedConfig } from '../config/load.js';
import type { Technology } from '../config/schema.js';
import type { EnergyAction } from '../energy/actions.js';
import type { Cells } from '../energy/logic.js';
import type { Counters } from '../kernel/counters.js';
import type { LayerWork } from '../datapath/layer-work.js';

/** Why a cycle did not issue a lane group. */
export const STALL_CAUSES = ['dram', 'lut_port', 'mac', 'scale', 'sparse', 'lut_reload', 'fill', 'activation'] as const;
export type StallCause = (typeof STALL_CAUSES)[number];
/**
 * Causes that are waiting (for data, for tables, for the pipeline to drain); the others are throughput-limited
 * cycles: a block busy with a lane group for more than one cycle (a MAC-bound group keeps the MACs busy).
 */
export const WAITING_CAUSES: readonly StallCause[] = ['dram', 'lut_reload', 'fill'];

/**
 * A share of a tile's decode work: one lane group, or a whole tile whose groups each take one cycle.
 * Counts are additive, so a block charges the same totals whichever share it is shown.
 */
export interface Demand {
  tokens: number;
  /** Lane groups in this share (1 for a lane group). */
  groups: number;
  weights: number;
  /** Weights per decoder route (index: the decoder's position in the datapath's decoder list). */
  routed: Float64Array;
  /** Weights decoded through a table (ROM or LUT): everything not decoded directly. */
  tabled: number;
  /** Blocks whose last weight lies in this share. */
  blocksEnding: number;
  /** Stream index of the share's first weight (blocks whose cost depends on the weights themselves read from it). */
  first: number;
}

/** A whole tile: its blocks, their routes, its residual corrections and its bytes. */
export interface TileDemand extends Demand {
  blocksStarting: number;
  /** Blocks starting in the tile per decoder route. */
  startingRouted: Float64Array;
  residuals: number;
  bytes: number;
}

/** What a block sees of the datapath it is built into. */
export interface BlockEnv {
  cfg: LoadedConfig;
  counters: Counters;
  /** A block built before this one (the composition's order), if the datapath has it. */
  block<B extends Block>(kind: string): B | undefined;
  /** The route index of a decoder kind in this datapath, or -1. */
  route(kind: string): number;
}

export interface Block {
  /** Component name in counters, energy lines and reports, e.g. 'lut_sram'. */
  readonly component: string;
  /** The registered implementation, e.g. 'banked-sram'. */
  readonly impl: string;
  /** Per-action energies, each bound to one of this block's counter handles. */
  actions(): EnergyAction[];
  /** A layer starts / ends on the datapath. */
  beginLayer?(work: LayerWork): void;
  endLayer?(work: LayerWork): void;
  /** Lane stage: add this share's counts. */
  charge?(d: Demand): void;
  /** Lane stage: cycles one lane group needs in this block (a group takes the largest answer, at least 1). */
  groupCycles?(d: Demand): number;
  /** Lane stage: the most cycles any lane group of the current layer can need here. */
  groupBound?(work: LayerWork): number;
  /**
   * Lane stage: the cycles beyond one that the lane groups of stream weights [w0, w1) need here, summed
   * (lets fast mode take a tile whole when this is the only block a group can need more than a cycle in).
   */
  groupExtra?(w0: number, w1: number): number;
  /** Which stall a lane group limited by this block counts as. */
  readonly stall?: StallCause;
  /** Tile stage: add the tile's counts; return the cycles the tile needs at least in this block (0: none). */
  chargeTile?(t: TileDemand): number;
  /** Before a layer's first tile: make what it needs ready (LUT tables); returns the cycle it is ready. */
  prepareLayer?(work: LayerWork, now: number): number;
  /** While `current` runs: bring in what `next` needs, if there is room. */
  prefetchNext?(next: LayerWork, current: LayerWork, now: number): void;
  /** Storage blocks: accesses in a report's counters (the run's, or one layer's). */
  sram?(counters: Counters): SramAccesses;
  /** Storage blocks: silicon area and where the figure comes from (CACTI, a register file). */
  area?(): { mm2: number; source: string };
  /** Logic blocks: the cells of all their units, for area, leakage and the flip-flops the clock drives. */
  logic?(): { cells: Cells; what: string };
  /** The share of its peak rate the block used over `cycles` cycles (0 to 1). */
  utilisation?(counters: Counters, cycles: number): number;
  /** A lower bound on cycles the report states, from this block's counters. */
  bound?(counters: Counters): { name: string; cycles: number };
}

export interface SramAccesses {
  reads: number;
  writes: number;
  bits_read: number;
  bits_written: number;
}

/** How a decoder would decode one element book of a layer, or why it cannot. */
export interface RouteClaim {
  /** A table the decoder must hold while the layer runs (LUT SRAM), with its residency identity. */
  table?: { id: string; entries: number };
}

export interface RouteQuery {
  book: ElementBook;
  layer: QuantizedLayer;
  /** The layer's name in the run, for messages. */
  label: string;
  /** What identifies the layer's own tables in the run: the same step repeated keeps them, two steps named alike do not share them. */
  key: string;
  /** Decoder kinds present in this datapath. */
  decoders: readonly string[];
  /** The hw-config's path, for errors. */
  file: string;
}

/** A registered implementation of a block kind. */
export interface BlockDef<C extends { impl: string } = { impl: string }> {
  kind: string;
  impl: string;
  /** One line: what this implementation models. */
  summary: string;
  /** Its config section (the `impl` key included); defaults live here. Lists under its `actions` key
   *  name technology primitives and are checked against the technology table at load. */
  schema: ZodType<C>;
  create(conf: C, env: BlockEnv): Block;
  /**
   * Decoders only: claim a book (null: leave it to the next decoder); throw a ConfigError when the book
   * is this decoder's kind but cannot be held (a LUT too narrow for it).
   */
  route?(conf: C, q: RouteQuery): RouteClaim | null;
  /** Any other check against the technology table: the field (within the section) and what is wrong. */
  checkTech?(conf: C, tech: Technology): { field: string; message: string } | null;
}

/** A block kind: its role and what any implementation may and may not do. */
export interface BlockKind {
  kind: string;
  /** The hw-config key of its section (defaults to the kind). */
  key: string;
  contract: string;
}
