// The error every bad hw-config, trace or layer-on-hardware mismatch raises: one line naming the file,
// the field and what was expected (the CLI exits 2 on it).

import { oneLine } from '../../quant/io/tensor.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'ConfigError';
  }
}

/**
 * Values that are each valid but do not compose into a datapath that can run (a tile smaller than a lane group,
 * buffer ports short of the DRAM rate, a LUT too small for a table): a sweep marks such a point infeasible
 * and runs the others, where a malformed value stops it.
 */
export class InfeasibleError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'InfeasibleError';
  }
}
