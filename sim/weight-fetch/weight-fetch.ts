// Weight fetch: the DRAM/HBM stream that brings packed layers (tiles, tables, layer headers) on chip.
// Contract: request() is the only way bytes reach the chip and returns the cycle they have arrived; an
// implementation may queue and delay requests but never lose, merge or reorder their bytes' accounting.

import type { Block } from '../core/block.js';
import { registerKind } from '../core/registry.js';

export interface WeightFetch extends Block {
  /** Bytes per core cycle at full rate (the DRAM bound's denominator). */
  readonly rate: number;
  /** Request `bytes` at cycle `now` (`table`: LUT table bytes); returns the cycle the data has arrived. */
  request(now: number, bytes: number, table?: boolean): number;
}

registerKind({ kind: 'weight_fetch', contract: 'brings packed tiles, LUT tables and layer headers from DRAM; request() returns when the bytes have arrived' });
