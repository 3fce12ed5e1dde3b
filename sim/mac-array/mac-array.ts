// MAC array: multiplies decoded weights against the activations of the layer's tokens and accumulates,
// then applies the layer's scale at the output (a power of two is an exponent add).
// Contract: a lane stage: counts weights x tokens MACs and answers the cycles a lane group needs at its
// throughput; counts one output scaling per output of a layer with a layer scale.

import type { Block } from '../core/block.js';
import type { Operand } from '../energy/logic.js';
import { registerKind } from '../core/registry.js';

registerKind({ kind: 'mac_array', contract: 'weights x tokens multiply-accumulates at its throughput, then the layer scale at the output' });

/** What other blocks ask of the MAC array: its operand formats and what a block's partial sum is. */
export interface MacArray extends Block {
  readonly activation: Operand;
  readonly accumulator: Operand;
  /** The weight operand a decoder hands over (a table entry's format where a table decodes). */
  weightOperand(): Operand;
  /** The partial sum of one block's products (fixed point for integer weights, else the accumulator). */
  blockSum(): Operand;
}
