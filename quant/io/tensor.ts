// A 2-D weight tensor [out, in] in row-major order: the quantizer's input.

export interface Tensor2D {
  name: string;
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Text on one line: line breaks and other control characters become spaces. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/** Text safe to print to a terminal: control characters (ESC, line breaks, ...) shown as escapes, never sent raw. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** A one-line error naming the file (or source) and the problem; the CLI maps it to exit code 2. */
export class InputError extends Error {
  constructor(source: string, problem: string) {
    // one line whatever the problem quotes (a JSON parser's excerpt of a broken file may hold newlines)
    super(oneLine(`${source}: ${problem}`));
    this.name = 'InputError';
  }
}

/**
 * A value a user gave that sopsim cannot take — an unknown scheme, format or codebook name, a malformed number
 * format, an output path that cannot be written: bad input like InputError (exit 2), where no file is at fault.
 */
export class BadValueError extends Error {
  constructor(problem: string) {
    super(oneLine(problem));
    this.name = 'BadValueError';
  }
}

/** Every stride-th row of t (rows 0, stride, 2·stride, ...), copied; t itself when stride is 1. */
export function sampleRows(t: Tensor2D, stride: number): Tensor2D {
  if (stride <= 1) return t;
  const rows = Math.ceil(t.rows / stride);
  const data = new Float32Array(rows * t.cols);
  for (let r = 0; r < rows; r++) data.set(t.data.subarray(r * stride * t.cols, (r * stride + 1) * t.cols), r * t.cols);
  return { name: t.name, rows, cols: t.cols, data };
}
