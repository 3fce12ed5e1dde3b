// Decoders: the blocks that turn an element code into a weight operand (a direct number-format decode,
// a fixed-codebook ROM, a LUT SRAM). Each claims the element books it decodes when a layer is set up;
// the weights of a claimed book reach it as Demand.routed[its route].

import type { Block } from './block.js';

export interface Decoder extends Block {
  /** This decoder's index into Demand.routed. */
  readonly route: number;
  /** True when its output is a table entry (ROM, LUT) that the output path converts. */
  readonly tabled: boolean;
}
