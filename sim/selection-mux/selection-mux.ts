// Selection-bit mux: per block of a two-book layer, routes the block's indices to the LUT SRAM or to the
// fixed-codebook ROM by its selection bit.
// Contract: counts one selection per block of a two-book layer, at the tile the block starts in; it
// decides nothing about routes (the decoders claimed the books) and never limits a lane group.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'selection_mux', contract: 'per block of a two-book layer, sends its codes to the LUT or the ROM; never limits a lane group' });
