// safetensors reader (F32, F16, BF16, F64, F8_E4M3): an 8-byte little-endian header length, a JSON header, the data.
// Only the header is read on open; a tensor's bytes are read when it is asked for, after its size has been
// checked against the memory budget. Every length, offset and shape is checked; problems are one-line
// errors naming the file and the tensor.

import { checkMemory, fileBytes, QUANTIZE_BYTES_PER_WEIGHT, type ByteSource } from './bytes.js';
import { halfToFloat } from './half.js';
import { getFormat } from '../formats/registry.js';
import { InputError, type Tensor2D } from './tensor.js';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, F8_E4M3: 1 };

/** The largest header this reader accepts (the format's own reference implementation caps it at 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  path: string;
  names: string[];
  entries: Record<string, Entry>;
  src: ByteSource;
  dataStart: number;
}

export function openSafetensors(from: string | ByteSource): SafetensorsFile {
  const src = typeof from === 'string' ? fileBytes(from) : from;
  const path = src.path;
  if (src.size < 8) throw new InputError(path, `truncated safetensors file: ${src.size} bytes, need at least 8 for the header length`);
  const lenBytes = src.read(0, 8);
  const n = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (n <= 1 || n > MAX_HEADER_BYTES || 8 + n > src.size)
    throw new InputError(path, `corrupt safetensors header: header length ${n} does not fit in ${src.size} bytes (at most ${MAX_HEADER_BYTES})`);
  let header: unknown;
  const text = Buffer.from(src.read(8, n)).toString('utf8');
  // the format: the header begins with '{' (no prefix), has no duplicate names, and may end in spaces
  if (text[0] !== '{') throw new InputError(path, `corrupt safetensors header: expected it to begin with '{', found ${JSON.stringify(text.slice(0, 8))}`);
  try {
    header = JSON.parse(text);
  } catch {
    throw new InputError(path, 'corrupt safetensors header: not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new InputError(path, 'corrupt safetensors header: expected a JSON object');
  const twice = duplicateKey(text);
  if (twice !== null) throw new InputError(path, `corrupt safetensors header: tensor ${JSON.stringify(twice)} is named twice`);
  const dataStart = 8 + n;
  const dataLen = src.size - dataStart;
  // no inherited names: a tensor may be called __proto__ or constructor
  const entries: Record<string, Entry> = Object.create(null);
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as Entry;
    if (!e || typeof e !== 'object' || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2)
      throw new InputError(path, `tensor '${name}': expected {dtype, shape, data_offsets}`);
    if (!e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new InputError(path, `tensor '${name}': shape [${e.shape.join(', ')}] is not a list of non-negative integers`);
    const [b, en] = e.data_offsets;
    const numel = e.shape.reduce((a, d) => a * d, 1);
    const size = DTYPE_BYTES[e.dtype];
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(en) || b < 0 || en < b || en > dataLen)
      throw new InputError(path, `tensor '${name}': data_offsets [${b}, ${en}] outside the ${dataLen}-byte data section (file truncated?)`);
    if (size && en - b !== numel * size)
      throw new InputError(path, `tensor '${name}': ${en - b} bytes for ${numel} ${e.dtype} values (expected ${numel * size})`);
    entries[name] = e;
  }
  // the tensors tile the data section: no overlap, no hole, nothing after the last
  const spans = Object.entries(entries).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let at = 0;
  let prev = '';
  for (const [name, e] of spans) {
    const [b, en] = e.data_offsets;
    if (b < at) throw new InputError(path, `tensors '${prev}' and '${name}' overlap (bytes ${b}-${at} of the data section belong to both)`);
    if (b > at) throw new InputError(path, `bytes ${at}-${b} of the data section belong to no tensor (a hole before '${name}'; the format allows none)`);
    at = en;
    prev = name;
  }
  if (at !== dataLen) throw new InputError(path, `bytes ${at}-${dataLen} of the data section belong to no tensor (after the last; the format allows none)`);
  return { path, names: Object.keys(entries), entries, src, dataStart };
}

/** The first name that appears twice among the keys of a JSON object's top level, or null. */
function duplicateKey(json: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) expectKey = true;
  }
  return null;
}

function entry(f: SafetensorsFile, name: string): Entry {
  const e = f.entries[name];
  if (!e) throw new InputError(f.path, `no tensor named '${name}' (the file has ${f.names.length}: ${f.names.slice(0, 6).join(', ')}${f.names.length > 6 ? ', ...' : ''})`);
  if (!DTYPE_BYTES[e.dtype]) throw new InputError(f.path, `tensor '${name}': dtype ${e.dtype} is not supported (expected F32, F16, BF16, F64 or F8_E4M3)`);
  return e;
}

/** A tensor's values in file order, as float64, each checked finite. */
export function tensorValues(f: SafetensorsFile, name: string): Float64Array {
  const e = entry(f, name);
  const n = e.shape.reduce((a, d) => a * d, 1);
  const size = DTYPE_BYTES[e.dtype];
  checkMemory(f.path, `tensor '${name}' (${n} values)`, n * (8 + size));
  const bytes = f.src.read(f.dataStart + e.data_offsets[0], n * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = decodeValue(view, e.dtype, i);
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i])) throw new InputError(f.path, `tensor '${name}': element ${i} is not a finite number`);
  return out;
}

/** Value i of little-endian F32, F64, F16, BF16 or F8_E4M3 (OCP FP8, as PyTorch's float8_e4m3fn) data. */
export function decodeValue(view: DataView, dtype: string, i: number): number {
  switch (dtype) {
    case 'F8_E4M3':
      return getFormat('E4M3').values[view.getUint8(i)];
    case 'F32':
      return view.getFloat32(4 * i, true);
    case 'F64':
      return view.getFloat64(8 * i, true);
    case 'F16':
      return halfToFloat(view.getUint16(2 * i, true));
    default: {
      // BF16: the upper half of a float32
      BF16_BITS[0] = view.getUint16(2 * i, true) << 16;
      return BF16_FLOAT[0];
    }
  }
}
const BF16_BITS = new Uint32Array(1);
const BF16_FLOAT = new Float32Array(BF16_BITS.buffer);

/** Read one tensor as a 2-D float32 matrix (refused up front when quantizing it would exceed the memory budget). */
export function readSafetensor(f: SafetensorsFile, name: string): Tensor2D {
  const e = entry(f, name);
  if (e.shape.length !== 2) throw new InputError(f.path, `tensor '${name}' is not 2-D (shape [${e.shape.join(', ')}])`);
  const [rows, cols] = e.shape;
  if (rows === 0 || cols === 0) throw new InputError(f.path, `tensor '${name}' is empty (shape [${rows}, ${cols}])`);
  const n = rows * cols;
  checkMemory(f.path, `tensor '${name}' [${rows}, ${cols}]`, n * QUANTIZE_BYTES_PER_WEIGHT);
  const size = DTYPE_BYTES[e.dtype];
  const bytes = f.src.read(f.dataStart + e.data_offsets[0], n * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float32Array(n);
  if (e.dtype === 'F32') for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
  else for (let i = 0; i < n; i++) data[i] = decodeValue(view, e.dtype, i);
  // an F64 value beyond float32's range becomes Infinity here, and is refused like any other non-finite one
  for (let i = 0; i < n; i++) if (!Number.isFinite(data[i])) throw new InputError(f.path, `tensor '${name}': element ${i} is not a finite float32 number`);
  return { name, rows, cols, data };
}

/** Names of the 2-D tensors in the file, in header order. */
export function matrixNames(f: SafetensorsFile): string[] {
  return f.names.filter((n) => f.entries[n].shape.length === 2);
}
