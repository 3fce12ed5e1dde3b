// A 2-D weight tensor [out, in] in row-major order: the quantizer's input.

export interface Tensor2D {
  name: string;
  rows: number;
  cols: number;
  data: Float32Array;
}

/** A one-line error naming the file (or source) and the problem; the CLI maps it to exit code 2. */
export class InputError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'InputError';
  }
}
