// .npy reader (format versions 1-3; little-endian f4, f2, f8; C or Fortran order; 2-D only). The header is
// read first; the data only once its shape is known to be sane and to fit the memory budget.

import { checkMemory, fileBytes, QUANTIZE_BYTES_PER_WEIGHT, type ByteSource } from './bytes.js';
import { decodeValue } from './safetensors.js';
import { InputError, type Tensor2D } from './tensor.js';

/** Longest header accepted (numpy itself writes them padded to a multiple of 64 bytes, far below this). */
const MAX_HEADER_BYTES = 1 << 20;

export function readNpy(from: string | ByteSource, name?: string): Tensor2D {
  const src = typeof from === 'string' ? fileBytes(from) : from;
  const path = src.path;
  const tensorName = name ?? path.replace(/^.*\//, '').replace(/\.npy$/i, '');
  if (src.size < 10) throw new InputError(path, `not a .npy file (${src.size} bytes, too short for the preamble)`);
  const pre = src.read(0, 12 <= src.size ? 12 : 10);
  if (Buffer.from(pre.subarray(0, 6)).toString('latin1') !== '\x93NUMPY') throw new InputError(path, 'not a .npy file (bad magic)');
  const major = pre[6];
  if (major < 1 || major > 3) throw new InputError(path, `unsupported .npy version ${major}`);
  const hlenBytes = major === 1 ? 2 : 4;
  if (8 + hlenBytes > pre.length) throw new InputError(path, 'truncated .npy preamble');
  const dv = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
  const hlen = hlenBytes === 2 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + hlenBytes + hlen;
  if (hlen > MAX_HEADER_BYTES || start > src.size) throw new InputError(path, `truncated .npy header (${hlen} bytes announced, file is ${src.size})`);
  const header = Buffer.from(src.read(8 + hlenBytes, hlen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeStr === undefined) throw new InputError(path, 'corrupt .npy header (no descr or shape)');
  const dims = shapeStr.split(',').map((s) => s.trim()).filter(Boolean);
  if (dims.length !== 2) throw new InputError(path, `array is not 2-D (shape (${dims.join(', ')}))`);
  if (!dims.every((d) => /^\d+$/.test(d))) throw new InputError(path, `corrupt .npy header: shape (${dims.join(', ')}) is not two non-negative integers`);
  const [rows, cols] = dims.map(Number);
  const dtypes: Record<string, [string, number]> = { '<f4': ['F32', 4], '|f4': ['F32', 4], '<f2': ['F16', 2], '<f8': ['F64', 8] };
  const [dtype, size] = dtypes[descr] ?? ['', 0];
  if (!size) throw new InputError(path, `dtype '${descr}' is not supported (expected <f4, <f2 or <f8)`);
  if (rows === 0 || cols === 0) throw new InputError(path, `array is empty (shape (${rows}, ${cols}))`);
  const n = rows * cols;
  if (!Number.isSafeInteger(n * size) || start + n * size > src.size) throw new InputError(path, `truncated .npy data: ${src.size - start} bytes, expected ${n * size}`);
  checkMemory(path, `array (${rows}, ${cols})`, n * QUANTIZE_BYTES_PER_WEIGHT);
  const bytes = src.read(start, n * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    // element k in file order; Fortran order stores columns first
    const i = fortran ? (k % rows) * cols + Math.floor(k / rows) : k;
    data[i] = decodeValue(view, dtype, k);
    if (!Number.isFinite(data[i])) throw new InputError(path, `element ${k} is not a finite float32 number`);
  }
  return { name: tensorName, rows, cols, data };
}
