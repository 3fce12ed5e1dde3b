// Unpacker: splits the packed stream into element codes, one lane group (up to `lanes` weights) a cycle.
// Contract: every weight passes through exactly once; the lane count sets the group size every other
// lane-stage block sees. It never limits a group beyond one cycle.

import type { Block } from '../core/block.js';
import { registerKind } from '../core/registry.js';

export interface Unpacker extends Block {
  readonly lanes: number;
}

registerKind({ kind: 'unpacker', contract: 'splits the packed stream into element codes, up to `lanes` a cycle' });
