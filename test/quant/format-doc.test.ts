// docs/FORMAT.md is enough to decode a .sopw: a decoder written from the document alone (below; it imports
// nothing of sopsim's reader, only zlib's CRC-32) rebuilds every weight of files sopsim writes, bit for bit,
// for every scheme, codebook kind, LUT encoding, scale format and option the format carries.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseLutFormat } from '../../quant/codebooks/lut-format.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { decodeLayer } from '../../quant/layer.js';
import { encodeSopw } from '../../quant/packed/sopw.js';
import { quantize, type QuantizeOptions } from '../../quant/schemes/index.js';
import { withResiduals } from '../../quant/sop/residuals.js';

// ---- the decoder, from docs/FORMAT.md ------------------------------------------------------------------
type Json = Record<string, any>;

/** §1: field i of w bits, LSB first across the byte string. */
function field(bytes: Uint8Array, i: number, w: number): number {
  let v = 0;
  for (let k = 0; k < w; k++) {
    const bit = i * w + k;
    if ((bytes[bit >> 3] >> (bit & 7)) & 1) v += 2 ** k;
  }
  return v;
}

/** §6: the value of a code of a number format. */
function formatValue(name: string, code: number): number {
  const named: Record<string, [boolean, number, number, number, string]> = {
    E4M3: [true, 4, 3, 7, 'fn'], E5M2: [true, 5, 2, 15, 'ieee'], E2M3: [true, 2, 3, 1, ''], E3M2: [true, 3, 2, 3, ''],
    E2M1: [true, 2, 1, 1, ''], UE8M0: [false, 8, 0, 127, 'e8m0'], UE4M3: [false, 4, 3, 7, 'fn'], UE4M4: [false, 4, 4, 7, ''],
    UE4M2: [false, 4, 2, 7, ''], UE5M7: [false, 5, 7, 15, ''], S1E5M5: [true, 5, 5, 15, ''], BF16: [true, 8, 7, 127, 'ieee'], FP16: [true, 5, 10, 15, 'ieee'],
  };
  let spec = named[name.toUpperCase()];
  if (!spec) {
    const m = /^(U)?E(\d+)M(\d+)$/i.exec(name)!;
    spec = [!m[1], Number(m[2]), Number(m[3]), 2 ** (Number(m[2]) - 1) - 1, ''];
  }
  const [signed, e, m, bias, special] = spec;
  const sign = signed && Math.floor(code / 2 ** (e + m)) % 2 === 1 ? -1 : 1;
  const E = Math.floor(code / 2 ** m) % 2 ** e;
  const F = code % 2 ** m;
  if (special === 'e8m0') return E === 255 ? NaN : 2 ** (E - 127);
  if (special === 'ieee' && E === 2 ** e - 1) return F === 0 ? sign * Infinity : NaN;
  if (special === 'fn' && E === 2 ** e - 1 && F === 2 ** m - 1) return NaN;
  if (E === 0) return sign * 2 ** (1 - bias) * (F / 2 ** m);
  return sign * 2 ** (E - bias) * (1 + F / 2 ** m);
}

const bf16 = (bits: number) => new Float32Array(new Uint32Array([bits * 65536]).buffer)[0];
const f32 = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0];
const twos = (u: number, w: number) => (u >= 2 ** (w - 1) ? u - 2 ** w : u);

function decodeFromDoc(file: Uint8Array): Float64Array {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  expect(Buffer.from(file.subarray(0, 4)).toString('latin1')).toBe('SOPW');
  expect(dv.getUint16(4, true)).toBe(1);
  const H = dv.getUint32(8, true);
  const hbytes = file.subarray(12, 12 + H);
  expect(dv.getUint32(12 + H, true)).toBe(crc32(hbytes));
  const h: Json = JSON.parse(Buffer.from(hbytes).toString('utf8'));
  const data = file.subarray(16 + H);
  const sec: Record<string, Uint8Array> = {};
  for (const s of h.sections) {
    sec[s.name] = data.subarray(s.offset, s.offset + s.length);
    expect(crc32(sec[s.name])).toBe(s.crc32 >>> 0);
  }
  // §4 books
  let tOff = 0;
  const books = h.books.map((b: Json) => {
    if (b.kind === 'rom') return (k: number) => (k < b.levels.length ? b.levels[k] : NaN);
    if (b.kind === 'int') return (k: number) => twos(k, b.bits);
    if (b.kind === 'format') return (k: number) => formatValue(b.format, k);
    if (b.kind === 'olive') {
      const A = [8, 12, 16, 24, 32, 48, 64];
      if (b.name === 'OLIVE-INT4') return (k: number) => (k === 8 ? 0 : twos(k, 4));
      return (k: number) => (k === 0 || k === 8 ? 0 : (k & 8 ? -1 : 1) * A[(k & 7) - 1]);
    }
    const bytes = sec.tables.subarray(tOff, tOff + Math.ceil((b.entries * b.entry_bits) / 8));
    tOff += bytes.length;
    const x = 2 ** (b.hif_exponent ?? 0);
    const entry = (k: number): number => {
      if (b.encoding === 'f64') return new DataView(bytes.buffer, bytes.byteOffset + 8 * k, 8).getFloat64(0, true);
      const u = field(bytes, k, b.entry_bits);
      if (b.encoding === 'hif') return twos(u, b.entry_bits) * x;
      if (b.encoding === 'hifsa') return twos(u % 32, 5) * 2 ** Math.floor(u / 32) * x;
      return bf16(u);
    };
    return (k: number) => (k < b.entries ? entry(k) : NaN);
  });
  // §3 geometry, §5 selection and block fields, §7 weights
  const [rows, cols] = h.shape;
  const g = h.block;
  const B = Math.ceil(cols / g);
  const sc = h.scale;
  const width = sc.magnitude_bits + (sc.signed ? 1 : 0);
  const out = new Float64Array(rows * cols);
  // §7: codes follow one another, each block's at its book's code_bits (element_bits when absent)
  const codeWidth = h.books.map((b: Json) => b.code_bits ?? h.element_bits);
  const bitsAt = (bytes: Uint8Array, at: number, w: number) => {
    let v = 0;
    for (let t = 0; t < w; t++) v += field(bytes, at + t, 1) * 2 ** t;
    return v;
  };
  let codeAt = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const b = r * B + Math.floor(c / g);
      const k = Math.max(1, Math.ceil(Math.log2(h.books.length))); // §5: selector width
      let s = h.selection && !sc.sel_in_scale ? field(sec.selection, b, k) : 0;
      let S = 1;
      if (sc.format !== null) {
        const f = field(sec.scales, b, width);
        let q = f % 2 ** sc.magnitude_bits;
        if (sc.sel_in_scale) {
          s = q % 2;
          q -= s;
        }
        const M = sc.format === 'FP32' ? f32(q) : formatValue(sc.format, q);
        S = sc.signed && Math.floor(f / 2 ** sc.magnitude_bits) % 2 === 1 ? -M : M;
      }
      const i = r * cols + c;
      // §5: with victim_pairs a pair holding code 8 uses books[1]
      const pairStart = c - (c % 2);
      const victim = h.victim_pairs && pairStart + 1 < cols && (field(sec.indices, r * cols + pairStart, 4) === 8 || field(sec.indices, r * cols + pairStart + 1, 4) === 8);
      const book = h.victim_pairs ? (victim ? 1 : 0) : h.selection ? s : 0;
      const L = books[book](bitsAt(sec.indices, codeAt, codeWidth[book]));
      codeAt += codeWidth[book];
      expect(Number.isFinite(L)).toBe(true);
      out[i] = L * S * h.tensor_scale;
    }
  for (let k = 0; k < h.residuals; k++) {
    const rec = new DataView(sec.residuals.buffer, sec.residuals.byteOffset + 6 * k, 6);
    out[rec.getUint32(0, true)] += bf16(rec.getUint16(4, true));
  }
  return out;
}

// ---- the files -----------------------------------------------------------------------------------------
const CASES: Array<[string, string, QuantizeOptions, number?]> = [
  ['sop4 (NF4/BOF4/... ROM + DD4 HIF8, signed UE4M2, selection bits)', 'sop4', {}],
  ['sop4, selection bit in the scale', 'sop4', { selInScale: true }],
  ['sop4 on a BF16 LUT', 'sop4', { lut: parseLutFormat('bf16') }],
  ['sop4 on a shift-add HIF7 LUT', 'sop4', { lut: parseLutFormat('hif7sa') }],
  ['sop4, E4M3 scales (a signed format)', 'sop4', { scale: 'E4M3' }],
  ['sop4, S1E5M5 scales, g = 32', 'sop4', { scale: 'S1E5M5', block: 32 }],
  ['sop4 with sparse corrections', 'sop4', {}, 1],
  ['E2M3sUE4M4 (FP6 in a LUT, UE4M4 scales)', 'E2M3sUE4M4', {}],
  ['E3M2sUE8M0', 'E3M2sUE8M0', {}],
  ['e4m3-pot (FP8, per-layer power of two)', 'e4m3-pot', {}],
  ['mxfp4 (E2M1, UE8M0)', 'mxfp4', {}],
  ['mxfp8', 'mxfp8', {}],
  ['nvfp4 (UE4M3 scales, FP32 tensor scale)', 'nvfp4', {}],
  ['nf4-b64 (FP32 scales)', 'nf4-b64', {}],
  ['int4', 'int4', {}],
  ['int8', 'int8', {}],
  ['lo-bcq, 16 clustered books (4-bit selectors)', 'lo-bcq', {}],
  ['lo-bcq, 3 books (2-bit selectors), g = 16', 'lo-bcq', { codebooks: 3, block: 16 }],
  ['fgmp (4-bit E2M1 and 8-bit E4M3 blocks, a metadata bit)', 'fgmp', {}],
  ['sop4, blocks along the outputs (group_dim out: the stored matrix is W^T)', 'sop4', { groupDim: 'out' }],
  ['olive (outlier-victim pairs, no stored selector)', 'olive', {}],
];

describe('docs/FORMAT.md: an independent decoder written from the document', () => {
  for (const [label, scheme, opt, residualBpw] of CASES) {
    it(`${label}: every weight bit for bit`, () => {
      const t = synthesize({ dist: 't4', rows: 12, cols: 100, seed: 9 });
      let q = quantize(t, scheme, opt);
      if (residualBpw) q = withResiduals(t, q, residualBpw);
      const doc = decodeFromDoc(encodeSopw(q));
      const ref = decodeLayer(q);
      for (let i = 0; i < ref.length; i++) if (!Object.is(doc[i], ref[i])) throw new Error(`${label}: weight ${i}: document ${doc[i]}, sopsim ${ref[i]}`);
      expect(doc.length).toBe(12 * 100);
    });
  }
});
