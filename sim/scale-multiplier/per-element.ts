// The conventional placement: every decoded weight is multiplied by its block scale before the MAC
// array, whatever the tokens.

import { registerPlacement } from './scale-multiplier.js';

registerPlacement({
  impl: 'per-element',
  summary: 'one multiply per decoded weight, before the MAC array',
  counted: 'decoded weights x block scale',
  multiplies: (d) => d.weights,
  mostPerGroup: (lanes) => lanes,
});
