// The conventional placement: every decoded weight is multiplied by its block scale before the MAC
// array, whatever the tokens; the MAC array then multiplies the scaled weight as a float.

import { multiply, parseOperand, significand } from '../energy/logic.js';
import { registerPlacement } from './scale-multiplier.js';

registerPlacement({
  impl: 'per-element',
  summary: 'one multiply per decoded weight, before the MAC array',
  counted: 'decoded weights x block scale',
  blockSums: false,
  multiplies: (d) => d.weights,
  mostPerGroup: (lanes) => lanes,
  unit: (mac, scale) => {
    const w = mac.weightOperand();
    return { cells: multiply(w, scale), what: `${w.name} weight x ${scale.name} scale (exact product)` };
  },
  // the exact product: the scale's exponent, both significands
  scaled: (w, scale) => parseOperand(`e${scale.kind === 'float' ? Math.max(scale.exp, w.kind === 'float' ? w.exp : 0) : 8}m${significand(w) + significand(scale) - 1}`),
});
