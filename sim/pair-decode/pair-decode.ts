// Pair decode: two neighbouring 4-bit codes decoded together into MAC operands (OliVe's outlier-victim pairs:
// a code 1000 in either slot makes the pair an outlier pair — that slot 0, the other an abfloat). Sits at the
// edge of the MAC array in place of a table.
// Contract: a decoder (sim/core/decoder.ts); any number of decodes per cycle, one per weight routed here.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'pair_decode', contract: 'decodes pairs of codes whose meaning depends on the pair (OliVe); never limits a lane group' });
