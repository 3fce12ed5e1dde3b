// llama.cpp importance matrices as activation statistics. `llama-imatrix` runs a calibration text through a
// GGUF model and keeps, for every matrix multiply, the sum of squared activations of each input channel and how
// many activation vectors it summed. Two files carry them:
//  - GGUF (the default since 2025): tensors `<name>.in_sum2` (F32, [channels, matrices]), `<name>.counts` (F32,
//    [1, matrices]) and optionally `<name>.in_sum`; `general.type` = "imatrix".
//  - the legacy `.dat`: int32 entry count; per entry an int32 name length, the name, an int32 call count
//    `ncall`, an int32 value count and that many float32 values, each (sum of squares / count) x ncall; then,
//    optionally, the chunk count and the calibration file's name.
// Either gives each channel's mean square; sopsim's statistics are its root (RMS). Tensor names are GGUF's
// (blk.N.attn_q.weight); they are mapped to the Hugging Face names the checkpoints use.

import { fileBytes } from './bytes.js';
import { InputError } from './tensor.js';

/** GGUF tensor name -> Hugging Face Llama name (without `.weight`), or the name unchanged if it is not a known layer. */
export function hfName(gguf: string): string {
  const base = gguf.replace(/\.weight$/, '');
  if (base === 'output') return 'lm_head';
  const m = /^blk\.(\d+)\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)$/.exec(base);
  if (!m) return base;
  const part = { attn_q: 'self_attn.q_proj', attn_k: 'self_attn.k_proj', attn_v: 'self_attn.v_proj', attn_output: 'self_attn.o_proj', ffn_gate: 'mlp.gate_proj', ffn_up: 'mlp.up_proj', ffn_down: 'mlp.down_proj' }[m[2]]!;
  return `model.layers.${m[1]}.${part}`;
}

/** A little-endian cursor that names what it was reading when the file ends early. */
class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(
    readonly path: string,
    readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (!(n >= 0) || this.pos + n > this.bytes.length) throw new InputError(this.path, `${what}: needs ${n} bytes at offset ${this.pos}, the file has ${this.bytes.length} (truncated or not an imatrix)`);
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(this.path, `${what}: ${v} is not a size this file can hold`);
    return Number(v);
  }
  text(n: number, what: string): string {
    this.need(n, what);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  f32s(n: number, at: number, what: string): Float32Array {
    if (at + 4 * n > this.bytes.length) throw new InputError(this.path, `${what}: ${n} float32 values at offset ${at} run past the end (${this.bytes.length} bytes)`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getFloat32(at + 4 * i, true);
    return out;
  }
}

/** Largest imatrix file read whole (a 70 B model's is about 50 MB). */
const MAX_IMATRIX_BYTES = 1 << 30;

function load(path: string): Cursor {
  const src = fileBytes(path);
  if (src.size > MAX_IMATRIX_BYTES) throw new InputError(path, `${src.size} bytes: larger than any importance matrix (at most ${MAX_IMATRIX_BYTES})`);
  return new Cursor(path, src.read(0, src.size));
}

/** Is this file GGUF (its first four bytes "GGUF")? */
export function isGguf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x47 && bytes[1] === 0x47 && bytes[2] === 0x55 && bytes[3] === 0x46;
}

/** RMS per input channel from mean squares, checked finite and >= 0. */
function rms(path: string, name: string, meanSquares: ArrayLike<number>): Float64Array {
  const out = new Float64Array(meanSquares.length);
  for (let i = 0; i < out.length; i++) {
    const v = meanSquares[i];
    if (!Number.isFinite(v) || v < 0) throw new InputError(path, `entry '${name}': channel ${i} has mean square ${v} (expected a finite number >= 0)`);
    out[i] = Math.sqrt(v);
  }
  return out;
}

/** The legacy llama.cpp `.dat` importance matrix. */
export function readImatrixDat(path: string): Map<string, Float64Array> {
  return datEntries(load(path));
}

function datEntries(c: Cursor): Map<string, Float64Array> {
  const path = c.path;
  const n = c.i32('entry count');
  if (n < 1 || n > 1 << 20) throw new InputError(path, `entry count ${n}: expected 1 to ${1 << 20} (not a llama.cpp imatrix?)`);
  const layers = new Map<string, Float64Array>();
  for (let e = 0; e < n; e++) {
    const len = c.i32(`entry ${e}: name length`);
    if (len < 1 || len > 4096) throw new InputError(path, `entry ${e}: name length ${len} (expected 1 to 4096)`);
    const name = c.text(len, `entry ${e}: name`);
    const ncall = c.i32(`entry '${name}': call count`);
    const nval = c.i32(`entry '${name}': value count`);
    if (ncall < 1) throw new InputError(path, `entry '${name}': call count ${ncall} (expected >= 1)`);
    if (nval < 1) throw new InputError(path, `entry '${name}': value count ${nval} (expected >= 1)`);
    const v = c.f32s(nval, c.pos, `entry '${name}': values`);
    c.pos += 4 * nval;
    // stored as (sum of squares / count) x ncall: the mean square is the value over ncall
    const ms = new Float64Array(nval);
    for (let i = 0; i < nval; i++) ms[i] = v[i] / ncall;
    layers.set(hfName(name), rms(path, name, ms));
  }
  return layers;
}

const GGUF_SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Skip one GGUF metadata value of type `t` (reading strings, for general.type). */
function ggufValue(c: Cursor, t: number, what: string): string | number | null {
  if (t === 8) return c.text(c.u64(`${what}: string length`), what);
  if (t === 9) {
    const et = c.u32(`${what}: array type`);
    const n = c.u64(`${what}: array length`);
    for (let i = 0; i < n; i++) ggufValue(c, et, `${what}[${i}]`);
    return null;
  }
  const size = GGUF_SCALAR_BYTES[t];
  if (size === undefined) throw new InputError(c.path, `${what}: value type ${t} is not a GGUF type (0 to 12)`);
  c.need(size, what);
  const v = t === 4 ? new DataView(c.bytes.buffer, c.bytes.byteOffset + c.pos, 4).getUint32(0, true) : null;
  c.pos += size;
  return v;
}

interface GgufTensor {
  name: string;
  dims: number[];
  type: number;
  offset: number;
}

/** The GGUF header: metadata (general.type, general.alignment) and the tensor table. */
function ggufHeader(c: Cursor): { tensors: GgufTensor[]; type: string | null; dataStart: number } {
  c.pos = 4;
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new InputError(c.path, `GGUF version ${version}: expected 2 or 3`);
  const nt = c.u64('tensor count');
  const nkv = c.u64('metadata count');
  let type: string | null = null;
  let alignment = 32;
  for (let i = 0; i < nkv; i++) {
    const key = c.text(c.u64(`metadata ${i}: key length`), `metadata ${i}: key`);
    const v = ggufValue(c, c.u32(`metadata '${key}': type`), `metadata '${key}'`);
    if (key === 'general.type' && typeof v === 'string') type = v;
    if (key === 'general.alignment' && typeof v === 'number') alignment = v;
  }
  if (!(alignment >= 1 && alignment <= 65536)) throw new InputError(c.path, `general.alignment ${alignment}: expected 1 to 65536`);
  const tensors: GgufTensor[] = [];
  for (let i = 0; i < nt; i++) {
    const name = c.text(c.u64(`tensor ${i}: name length`), `tensor ${i}: name`);
    const nd = c.u32(`tensor '${name}': dimension count`);
    if (nd < 1 || nd > 4) throw new InputError(c.path, `tensor '${name}': ${nd} dimensions (expected 1 to 4)`);
    const dims = Array.from({ length: nd }, (_, d) => c.u64(`tensor '${name}': dimension ${d}`));
    tensors.push({ name, dims, type: c.u32(`tensor '${name}': type`), offset: c.u64(`tensor '${name}': offset`) });
  }
  return { tensors, type, dataStart: Math.ceil(c.pos / alignment) * alignment };
}

/** A GGUF importance matrix (llama-imatrix's default output). */
export function readImatrixGguf(path: string): Map<string, Float64Array> {
  return ggufEntries(load(path));
}

function ggufEntries(c: Cursor): Map<string, Float64Array> {
  const path = c.path;
  if (!isGguf(c.bytes)) throw new InputError(path, 'not a GGUF file (its first bytes are not "GGUF")');
  const { tensors, type, dataStart } = ggufHeader(c);
  if (type !== null && type !== 'imatrix') throw new InputError(path, `general.type is '${type}': a GGUF model, not an importance matrix (expected 'imatrix')`);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const values = (t: GgufTensor): Float32Array => {
    if (t.type !== 0) throw new InputError(path, `tensor '${t.name}': GGML type ${t.type} (expected 0, F32)`);
    return c.f32s(t.dims.reduce((a, b) => a * b, 1), dataStart + t.offset, `tensor '${t.name}'`);
  };
  const layers = new Map<string, Float64Array>();
  for (const t of tensors) {
    if (!t.name.endsWith('.in_sum2')) continue;
    const name = t.name.slice(0, -'.in_sum2'.length);
    const counts = byName.get(`${name}.counts`);
    if (!counts) throw new InputError(path, `tensor '${name}.counts' is missing (every '.in_sum2' needs its counts)`);
    const matrices = t.dims[1] ?? 1;
    if (matrices !== 1) throw new InputError(path, `entry '${name}': ${matrices} matrices (expert weights); sopsim reads one matrix per layer`);
    const sums = values(t);
    const n = values(counts)[0];
    if (!(n >= 1)) throw new InputError(path, `entry '${name}': count ${n} (expected >= 1 activation vectors)`);
    const ms = new Float64Array(sums.length);
    for (let i = 0; i < sums.length; i++) ms[i] = sums[i] / n;
    layers.set(hfName(name), rms(path, name, ms));
  }
  if (layers.size === 0) throw new InputError(path, "no '<tensor>.in_sum2' tensors: not an importance matrix");
  return layers;
}

/** Either llama.cpp form, told apart by the GGUF magic. */
export function readImatrix(path: string): Map<string, Float64Array> {
  const c = load(path); // read once, told apart by its first bytes
  return isGguf(c.bytes) ? ggufEntries(c) : datEntries(c);
}
