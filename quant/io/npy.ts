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
  if (pre[7] !== 0) throw new InputError(path, `unsupported .npy version ${major}.${pre[7]} (expected 1.0, 2.0 or 3.0)`);
  const header = Buffer.from(src.read(8 + hlenBytes, hlen)).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, fortran, dims } = parseHeader(path, header);
  if (dims.length !== 2) throw new InputError(path, `array is not 2-D (shape (${dims.join(', ')}))`);
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

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

/**
 * The header as numpy reads it: a Python dict literal with exactly the keys 'descr' (a type string),
 * 'fortran_order' (True or False) and 'shape' (a tuple of non-negative integers), padded with spaces and a newline.
 */
function parseHeader(path: string, header: string): { descr: string; fortran: boolean; dims: number[] } {
  const bad = (why: string): never => {
    throw new InputError(path, `corrupt .npy header: ${why}`);
  };
  let v: PyValue;
  try {
    v = parsePyLiteral(header.trimEnd());
  } catch (e) {
    return bad((e as Error).message);
  }
  if (!(v instanceof Map)) return bad('expected a dict');
  const keys = [...v.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') bad(`expected the keys descr, fortran_order and shape, found ${keys || 'none'}`);
  const descr = v.get('descr');
  if (typeof descr !== 'string') return bad('descr is not a type string (structured arrays are not supported)');
  const fortran = v.get('fortran_order');
  if (typeof fortran !== 'boolean') return bad('fortran_order is not True or False');
  const shape = v.get('shape');
  if (!shape || typeof shape !== 'object' || !('tuple' in shape)) return bad('shape is not a tuple');
  const dims = shape.tuple;
  if (!dims.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) return bad(`shape (${dims.join(', ')}) is not a tuple of non-negative integers`);
  return { descr, fortran, dims };
}

/** A Python literal of strings, integers, True/False/None, tuples, lists and dicts (what numpy headers hold). */
function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i}`);
  };
  const seq = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    for (;;) {
      space();
      if (text[i] === close) {
        i++;
        return items;
      }
      items.push(value());
      space();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
  };
  const value = (): PyValue => {
    space();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const str = text.slice(i + 1, end);
      if (str.includes('\\')) fail('escapes in strings are not supported');
      i = end + 1;
      return str;
    }
    if (c === '(') {
      i++;
      const items = seq(')');
      return { tuple: items };
    }
    if (c === '[') {
      i++;
      return seq(']');
    }
    if (c === '{') {
      i++;
      const m = new Map<string, PyValue>();
      for (;;) {
        space();
        if (text[i] === '}') {
          i++;
          return m;
        }
        const k = value();
        if (typeof k !== 'string') fail('expected a string key');
        if (m.has(k as string)) fail(`key '${k}' twice`);
        space();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        m.set(k as string, value());
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    const word = /^(True|False|None|-?\d+)/.exec(text.slice(i))?.[1];
    if (!word) return fail('unexpected character');
    i += word.length;
    return word === 'True' ? true : word === 'False' ? false : word === 'None' ? null : Number(word);
  };
  const v = value();
  space();
  if (i !== text.length) fail('unexpected text after the dict');
  return v;
}
