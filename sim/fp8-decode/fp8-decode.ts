// Direct decode: a weight's code read as its number format (the sign, exponent and mantissa fields of
// an FP8 weight, an integer) straight into a MAC operand, with no table. The FP8 baseline decodes every
// weight here; the SOP datapath uses it for wide formats and layers promoted to FP8.
// Contract: a decoder (sim/core/decoder.ts); any number of decodes per cycle, one per weight routed here.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'fp8_decode', contract: 'decodes number-format codes (FP8, INT) directly, no table; never limits a lane group' });
