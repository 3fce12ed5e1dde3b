// Fixed-codebook ROM: fixed 4-bit codebooks (NF4, BOF4, Split87, SH4) hard-wired per lane.
// Contract: a decoder (sim/core/decoder.ts); claims only fixed codebooks it holds that the layer does
// not ship in its LUT; serves any number of lanes per cycle (one ROM per lane), never limits a group.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'codebook_rom', contract: 'fixed codebooks hard-wired per lane; claims the fixed books it holds; never limits a lane group' });
