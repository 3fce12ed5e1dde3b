// safetensors reader (F32, F16, BF16, F64): an 8-byte little-endian header length, a JSON header, the data.
// Every length and offset is checked; problems are one-line errors naming the file.

import { readFileSync } from 'node:fs';
import { InputError, type Tensor2D } from './tensor.js';
import { halfToFloat } from './half.js';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

export interface SafetensorsFile {
  path: string;
  names: string[];
  entries: Record<string, Entry>;
  buf: Buffer;
  dataStart: number;
}

export function openSafetensors(path: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.length < 8) throw new InputError(path, `truncated safetensors file: ${buf.length} bytes, need at least 8 for the header length`);
  const n = Number(buf.readBigUInt64LE(0));
  if (n <= 0 || 8 + n > buf.length) throw new InputError(path, `corrupt safetensors header: header length ${n} does not fit in ${buf.length} bytes`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch {
    throw new InputError(path, 'corrupt safetensors header: not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InputError(path, 'corrupt safetensors header: expected a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const entries: Record<string, Entry> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as Entry;
    if (!e || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2)
      throw new InputError(path, `tensor '${name}': expected {dtype, shape, data_offsets}`);
    const [b, en] = e.data_offsets;
    const numel = e.shape.reduce((a, d) => a * d, 1);
    const size = DTYPE_BYTES[e.dtype];
    if (!Number.isInteger(b) || !Number.isInteger(en) || b < 0 || en < b || en > dataLen)
      throw new InputError(path, `tensor '${name}': data_offsets [${b}, ${en}] outside the ${dataLen}-byte data section (file truncated?)`);
    if (size && en - b !== numel * size)
      throw new InputError(path, `tensor '${name}': ${en - b} bytes for ${numel} ${e.dtype} values (expected ${numel * size})`);
    entries[name] = e;
  }
  return { path, names: Object.keys(entries), entries, buf, dataStart };
}

/** Read one tensor as a 2-D float32 matrix. */
export function readSafetensor(f: SafetensorsFile, name: string): Tensor2D {
  const e = f.entries[name];
  if (!e) throw new InputError(f.path, `no tensor named '${name}' (the file has ${f.names.length}: ${f.names.slice(0, 6).join(', ')}${f.names.length > 6 ? ', ...' : ''})`);
  if (!DTYPE_BYTES[e.dtype]) throw new InputError(f.path, `tensor '${name}': dtype ${e.dtype} is not supported (expected F32, F16, BF16 or F64)`);
  if (e.shape.length !== 2) throw new InputError(f.path, `tensor '${name}' is not 2-D (shape [${e.shape.join(', ')}])`);
  const [rows, cols] = e.shape;
  const n = rows * cols;
  const start = f.dataStart + e.data_offsets[0];
  const data = new Float32Array(n);
  const view = new DataView(f.buf.buffer, f.buf.byteOffset + start, n * DTYPE_BYTES[e.dtype]);
  switch (e.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const u = new Uint32Array(1);
      const fl = new Float32Array(u.buffer);
      for (let i = 0; i < n; i++) {
        u[0] = view.getUint16(2 * i, true) << 16;
        data[i] = fl[0];
      }
      break;
    }
  }
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(data[i])) throw new InputError(f.path, `tensor '${name}': element ${i} is not a finite number`);
  return { name, rows, cols, data };
}

/** Names of the 2-D tensors in the file, in header order. */
export function matrixNames(f: SafetensorsFile): string[] {
  return f.names.filter((n) => f.entries[n].shape.length === 2);
}
