// LUT SRAM: holds per-layer tables (DD4 codebooks, 64-entry FP6 tables, fixed codebooks the ROM lacks)
// at the LUT output width.
// Contract: a decoder (sim/core/decoder.ts) and a lane stage: claims every element book that reaches it
// (refusing one its output width cannot hold exactly), makes a layer's tables resident before its first
// tile (prepareLayer: the cycle they can be read), may prefetch the next layer's, and answers the cycles
// a lane group's lookups take at its ports.

import type { Decoder } from '../core/decoder.js';
import { registerKind } from '../core/registry.js';

export interface LutTableRef {
  /** Identity for residency: per-layer tables are named by layer, shared format tables by format. */
  id: string;
  entries: number;
}

export interface LutSram extends Decoder {
  readonly entryBits: number;
  /** Bytes one copy of a table occupies. */
  tableBytes(t: LutTableRef): number;
  /** Copies of a table the SRAM holds. */
  copies(t: LutTableRef): number;
  isResident(id: string): boolean;
  /** Make tables resident at `now`; returns the cycle from which all of them can be read. */
  acquire(tables: LutTableRef[], now: number): number;
  /** During a layer using `current`, load `next` if it fits without evicting `current`. */
  prefetch(next: LutTableRef[], current: LutTableRef[], now: number): void;
}

registerKind({ kind: 'lut_sram', key: 'lut', contract: 'holds per-layer tables at the LUT output width; claims the books no earlier decoder took; lookups limited by its ports' });
