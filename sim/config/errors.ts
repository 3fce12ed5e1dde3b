// The error every bad hw-config, trace or layer-on-hardware mismatch raises: one line naming the file,
// the field and what was expected (the CLI exits 2 on it).

import { oneLine } from '../../quant/io/tensor.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'ConfigError';
  }
}
