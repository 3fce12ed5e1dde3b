// Accumulators: the running output sums the MAC array adds into, one per output being built and token.
// Contract: counts an update per lane group and token (the group's reduced sum added in) and a drain per
// output (rounded to the activation format on its way to the activation buffer).

import { registerKind } from '../core/registry.js';

registerKind({ kind: 'accumulator', contract: 'running output sums: updated once per lane group and token, drained once per output' });
