// .npy reader (format versions 1-3; little-endian f4, f2, f8; C or Fortran order; 2-D only).

import { readFileSync } from 'node:fs';
import { InputError, type Tensor2D } from './tensor.js';
import { halfToFloat } from './half.js';

export function readNpy(path: string, name = path.replace(/^.*\//, '').replace(/\.npy$/i, '')): Tensor2D {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new InputError(path, 'not a .npy file (bad magic)');
  const major = buf[6];
  const hlenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw new InputError(path, `unsupported .npy version ${major}`);
  const hlen = hlenBytes === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + hlenBytes + hlen;
  if (start > buf.length) throw new InputError(path, `truncated .npy header (${hlen} bytes announced, file is ${buf.length})`);
  const header = buf.toString('latin1', 8 + hlenBytes, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeStr === undefined) throw new InputError(path, 'corrupt .npy header (no descr or shape)');
  const shape = shapeStr.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.length !== 2) throw new InputError(path, `array is not 2-D (shape (${shape.join(', ')}))`);
  const sizes: Record<string, number> = { '<f4': 4, '<f2': 2, '<f8': 8, '|f4': 4 };
  const size = sizes[descr];
  if (!size) throw new InputError(path, `dtype '${descr}' is not supported (expected <f4, <f2 or <f8)`);
  const [rows, cols] = shape;
  const n = rows * cols;
  if (start + n * size > buf.length) throw new InputError(path, `truncated .npy data: ${buf.length - start} bytes, expected ${n * size}`);
  const view = new DataView(buf.buffer, buf.byteOffset + start, n * size);
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    // element k in file order; Fortran order stores columns first
    const i = fortran ? (k % rows) * cols + Math.floor(k / rows) : k;
    const v = size === 4 ? view.getFloat32(4 * k, true) : size === 8 ? view.getFloat64(8 * k, true) : halfToFloat(view.getUint16(2 * k, true));
    if (!Number.isFinite(v)) throw new InputError(path, `element ${k} is not a finite number`);
    data[i] = v;
  }
  return { name, rows, cols, data };
}
