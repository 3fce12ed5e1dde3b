// LUT output path: turns a table entry (ROM or LUT) into the MAC's weight operand. With HIF the entry
// is a short integer mantissa and the table's exponent is added once per block product; with a BF16
// LUT the entry is the operand itself.
// Contract: one conversion per weight decoded through a table (Demand.tabled); never limits a group.

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'hif_output', contract: 'converts each table entry (ROM, LUT) into a MAC operand; never limits a lane group' });
