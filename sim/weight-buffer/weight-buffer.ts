// Weight buffer: tile slots between DRAM and the unpacker.
// Contract: holds `slots` tiles of up to `tileBytes`; every tile is written once as it arrives and read
// once as it is decoded (tileLoaded); an implementation prices those accesses, never the timing.

import type { Block } from '../core/block.js';
import { registerKind } from '../core/registry.js';

export interface WeightBuffer extends Block {
  readonly slots: number;
  /** Payload bytes a tile is sized to. */
  readonly tileBytes: number;
  /** Bits of one buffer word (what the unpacker reads at once). */
  readonly wordBits: number;
  /** A tile of `bytes` is written on arrival and read by the unpacker. */
  tileLoaded(bytes: number): void;
}

registerKind({ kind: 'weight_buffer', contract: 'tile slots between DRAM and the unpacker; each tile written once and read once' });
