// Sparse-add path: merges sparse residual corrections (index, BF16 value) into the outputs, beside the
// main decode of the same tile.
// Contract: tile stage only: counts a tile's corrections and returns the cycles they need, which the
// tile takes at least; it never touches lane groups.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'sparse_add', contract: 'adds a tile\'s sparse residual corrections beside its decode; a tile lasts at least as long as they take' });
