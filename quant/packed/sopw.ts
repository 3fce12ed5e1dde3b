// The packed-layer file, *.sopw (SPEC §9): where the quantizer and the simulator meet.
//
//   "SOPW" | u16 version | u16 reserved | u32 header length | header (UTF-8 JSON) | u32 CRC32(header) | data
//
// The header names the layer, shape, formats, block size, codebook pair, bits-per-weight and the data
// sections (tables, selection, scales, indices, residuals), each with its offset from the start of the
// data area, its length and its CRC32. Everything is little-endian. The reader checks every length,
// offset and checksum and says which one is wrong.

import { crc32 } from 'node:zlib';
import { Codebook } from '../codebooks/codebook.js';
import { bf16Value, float32FromBits } from '../formats/bits.js';
import { getFormat } from '../formats/registry.js';
import { checkMemory, fileBytes } from '../io/bytes.js';
import { InputError } from '../io/tensor.js';
import { bitsAccount, blockFieldBits, geometry, type ElementBook, type QuantizedLayer } from '../layer.js';
import { formatBook, intBook, intBookBits } from '../schemes/books.js';
import { writeFileAtomic } from './atomic.js';
import { packBits, packedBytes, unpackBits } from './bitstream.js';

export const SOPW_MAGIC = 'SOPW';
export const SOPW_VERSION = 1;
export const SECTION_NAMES = ['tables', 'selection', 'scales', 'indices', 'residuals'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface SectionEntry {
  name: SectionName;
  offset: number;
  length: number;
  crc32: number;
}

type BookHeader =
  | { name: string; kind: 'format'; format: string; in_lut: boolean }
  | { name: string; kind: 'int'; bits: number }
  | { name: string; kind: 'rom'; levels: number[] }
  | { name: string; kind: 'lut'; entries: number; encoding: 'hif' | 'bf16' | 'f64'; entry_bits: number; hif_exponent?: number };

export interface SopwHeader {
  format: 'sopw';
  version: number;
  name: string;
  scheme: string;
  shape: [number, number];
  block: number;
  element_bits: number;
  books: BookHeader[];
  lut: string;
  scale: { format: string | null; signed: boolean; magnitude_bits: number; sel_in_scale: boolean; field_bits: number };
  tensor_scale: number;
  tensor_scale_bits: number;
  selection: boolean;
  residuals: number;
  bpw: number;
  bpw_block: number;
  bits: ReturnType<typeof bitsAccount>;
  info: Record<string, unknown>;
  sections: SectionEntry[];
}

function bookHeader(b: ElementBook, lut: string): { header: BookHeader; table?: Uint8Array } {
  if (b.grid.kind === 'format') {
    const intBits = intBookBits(b.name);
    if (intBits !== null) return { header: { name: b.name, kind: 'int', bits: intBits } };
    return { header: { name: b.name, kind: 'format', format: b.name, in_lut: b.inLut } };
  }
  if (!b.inLut) return { header: { name: b.name, kind: 'rom', levels: Array.from(b.table.subarray(0, b.grid.size)) } };
  const n = b.grid.size;
  if (b.hif) {
    const mask = (1 << b.hif.bits) - 1;
    const raw = Array.from(b.hif.mantissas, (m) => m & mask);
    return {
      header: { name: b.name, kind: 'lut', entries: n, encoding: 'hif', entry_bits: b.hif.bits, hif_exponent: b.hif.exponent },
      table: packBits(raw, b.hif.bits),
    };
  }
  if (lut === 'bf16') {
    const codes = new Uint16Array(n);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < n; i++) {
      f[0] = b.table[i];
      codes[i] = u[0] >>> 16; // the levels are already BF16 values: the low half is zero
    }
    return { header: { name: b.name, kind: 'lut', entries: n, encoding: 'bf16', entry_bits: 16 }, table: new Uint8Array(codes.buffer) };
  }
  const f64 = Float64Array.from(b.table.subarray(0, n));
  return { header: { name: b.name, kind: 'lut', entries: n, encoding: 'f64', entry_bits: 64 }, table: new Uint8Array(f64.buffer) };
}

/** Serialise a quantized layer. */
export function encodeSopw(q: QuantizedLayer): Uint8Array {
  const fieldBits = blockFieldBits(q);
  const tables: Uint8Array[] = [];
  const books = q.books.map((b) => {
    const h = bookHeader(b, q.lut);
    if (h.table) tables.push(h.table);
    return h.header;
  });
  // block field, LSB first: [magnitude code, whose lowest bit is the selection bit when folded] [sign]
  const sections: Record<SectionName, Uint8Array> = {
    tables: concat(tables),
    selection: q.sel && !q.selInScale ? packBits(q.sel, 1) : new Uint8Array(0),
    scales: new Uint8Array(0),
    indices: packBits(q.codes, q.elementBits),
    residuals: new Uint8Array(0),
  };
  if (q.scale.format) {
    const mb = q.scale.magnitudeBits;
    const fields = new Uint32Array(q.geom.blocks);
    for (let b = 0; b < q.geom.blocks; b++) {
      let f = q.scaleCodes[b];
      if (q.selInScale && q.sel) f |= q.sel[b];
      if (q.scale.signed && q.scaleSigns) f += q.scaleSigns[b] * 2 ** mb;
      fields[b] = f;
    }
    sections.scales = packBits(fields, mb + (q.scale.signed ? 1 : 0));
  }
  if (q.residuals) {
    const k = q.residuals.index.length;
    const r = new Uint8Array(6 * k);
    const dv = new DataView(r.buffer);
    for (let i = 0; i < k; i++) {
      dv.setUint32(6 * i, q.residuals.index[i], true);
      dv.setUint16(6 * i + 4, q.residuals.bf16[i], true);
    }
    sections.residuals = r;
  }
  const entries: SectionEntry[] = [];
  let off = 0;
  for (const name of SECTION_NAMES) {
    const s = sections[name];
    entries.push({ name, offset: off, length: s.length, crc32: crc32(s) });
    off += s.length;
  }
  const bits = bitsAccount(q);
  const header: SopwHeader = {
    format: 'sopw',
    version: SOPW_VERSION,
    name: q.name,
    scheme: q.scheme,
    shape: [q.geom.rows, q.geom.cols],
    block: q.geom.block,
    element_bits: q.elementBits,
    books,
    lut: q.lut,
    scale: { format: q.scale.format, signed: q.scale.signed, magnitude_bits: q.scale.magnitudeBits, sel_in_scale: q.selInScale, field_bits: fieldBits },
    tensor_scale: q.tensorScale,
    tensor_scale_bits: q.tensorScaleBits,
    selection: q.sel !== null,
    residuals: q.residuals?.index.length ?? 0,
    bpw: bits.bpw,
    bpw_block: bits.bpwBlock,
    bits,
    info: q.info,
    sections: entries,
  };
  // the sections are contiguous, in SECTION_NAMES order
  return sopwImage(header, entries.map((e) => sections[e.name]));
}

/** The file around a header and its data area: magic, version, header length, JSON header, header CRC, data parts in order. */
export function sopwImage(header: unknown, data: Uint8Array[]): Uint8Array {
  const hjson = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(16 + hjson.length + data.reduce((s, d) => s + d.length, 0));
  const dv = new DataView(out.buffer);
  out.set(Buffer.from(SOPW_MAGIC, 'latin1'), 0);
  dv.setUint16(4, SOPW_VERSION, true);
  dv.setUint16(6, 0, true);
  dv.setUint32(8, hjson.length, true);
  out.set(hjson, 12);
  dv.setUint32(12 + hjson.length, crc32(hjson), true);
  let at = 16 + hjson.length;
  for (const d of data) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

export function writeSopw(path: string, q: QuantizedLayer): void {
  writeFileAtomic(path, encodeSopw(q));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface SopwFile {
  header: SopwHeader;
  layer: QuantizedLayer;
  /** Per-section checksum status, as computed on read. */
  checks: Array<{ name: SectionName; length: number; crc32: number; ok: boolean }>;
  fileBytes: number;
}

function need(path: string, cond: unknown, what: string): asserts cond {
  if (!cond) throw new InputError(path, what);
}

/** Parse and validate a .sopw image; throws a one-line InputError naming what is wrong. */
export function decodeSopw(buf: Uint8Array, path = '<sopw>'): SopwFile {
  need(path, buf.length >= 16, `truncated .sopw file: ${buf.length} bytes, the fixed preamble alone is 16`);
  need(path, Buffer.from(buf.subarray(0, 4)).toString('latin1') === SOPW_MAGIC, 'not a .sopw file (bad magic, expected "SOPW")');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = dv.getUint16(4, true);
  need(path, version === SOPW_VERSION, `unsupported .sopw version ${version} (this reader knows version ${SOPW_VERSION})`);
  const hlen = dv.getUint32(8, true);
  need(path, 16 + hlen <= buf.length, `truncated .sopw file: header length ${hlen} does not fit in ${buf.length} bytes`);
  const hbytes = buf.subarray(12, 12 + hlen);
  const hcrc = dv.getUint32(12 + hlen, true);
  need(path, crc32(hbytes) === hcrc, `header: CRC mismatch (stored 0x${hcrc.toString(16)}, computed 0x${crc32(hbytes).toString(16)})`);
  let h: SopwHeader;
  try {
    h = JSON.parse(Buffer.from(hbytes).toString('utf8'));
  } catch {
    throw new InputError(path, 'header: not valid JSON');
  }
  need(path, h && h.format === 'sopw', "header: field 'format': expected \"sopw\"");
  need(path, Array.isArray(h.shape) && h.shape.length === 2 && h.shape.every((d) => Number.isInteger(d) && d > 0), "header: field 'shape': expected [rows, cols] of positive integers");
  need(path, Number.isInteger(h.block) && h.block > 0, "header: field 'block': expected a positive integer");
  need(path, Number.isInteger(h.element_bits) && h.element_bits >= 1 && h.element_bits <= 16, "header: field 'element_bits': expected 1 to 16");
  need(path, Array.isArray(h.books) && h.books.length >= 1 && h.books.length <= 2, "header: field 'books': expected one or two books");
  need(path, Array.isArray(h.sections), "header: field 'sections': expected an array");
  need(path, typeof h.tensor_scale === 'number' && Number.isFinite(h.tensor_scale), "header: field 'tensor_scale': expected a finite number");
  need(path, h.sections.every((e) => e !== null && typeof e === 'object'), "header: field 'sections': expected an array of {name, offset, length, crc32}");
  need(path, h.books.every((b) => b !== null && typeof b === 'object'), "header: field 'books': expected an array of objects");
  need(path, Number.isSafeInteger(h.residuals) && h.residuals >= 0, "header: field 'residuals': expected a non-negative integer");
  need(path, h.tensor_scale_bits === undefined || (Number.isInteger(h.tensor_scale_bits) && h.tensor_scale_bits >= 0 && h.tensor_scale_bits <= 64), "header: field 'tensor_scale_bits': expected 0 to 64");
  const sf0 = h.scale;
  need(path, sf0 === undefined || sf0 === null || (typeof sf0 === 'object' && (sf0.format === null || typeof sf0.format === 'string')), "header: field 'scale': expected {format, signed, magnitude_bits, ...}");
  if (sf0?.format) need(path, Number.isInteger(sf0.magnitude_bits) && sf0.magnitude_bits >= 1 && sf0.magnitude_bits <= (sf0.signed ? 31 : 32), "header: field 'scale.magnitude_bits': expected 1 to 32 bits (with the sign)");
  need(path, Number.isSafeInteger(h.shape[0] * h.shape[1]), "header: field 'shape': too many weights");

  const dataStart = 16 + hlen;
  const dataLen = buf.length - dataStart;
  const sec = new Map<SectionName, Uint8Array>();
  const checks: SopwFile['checks'] = [];
  let expectOff = 0;
  for (const name of SECTION_NAMES) {
    const e = h.sections.find((s) => s.name === name);
    need(path, e, `header: section '${name}' is missing`);
    need(path, Number.isInteger(e.offset) && Number.isInteger(e.length) && e.offset >= 0 && e.length >= 0, `section '${name}': offset and length must be non-negative integers`);
    need(path, e.offset === expectOff, `section '${name}': offset ${e.offset}, expected ${expectOff} (sections are contiguous)`);
    need(path, e.offset + e.length <= dataLen, `section '${name}': bytes ${e.offset}..${e.offset + e.length} lie beyond the ${dataLen}-byte data area (file truncated?)`);
    const bytes = buf.subarray(dataStart + e.offset, dataStart + e.offset + e.length);
    const c = crc32(bytes);
    checks.push({ name, length: e.length, crc32: e.crc32, ok: c === e.crc32 });
    need(path, c === e.crc32, `section '${name}': CRC mismatch (stored 0x${(e.crc32 >>> 0).toString(16)}, computed 0x${c.toString(16)})`);
    sec.set(name, bytes);
    expectOff += e.length;
  }
  need(path, expectOff === dataLen, `data area is ${dataLen} bytes but the sections cover ${expectOff} (trailing bytes)`);

  const [rows, cols] = h.shape;
  const geom = geometry(rows, cols, h.block);
  const n = rows * cols;
  // the index section's size (checked below) bounds n by the file; this bounds what decoding allocates
  checkMemory(path, `layer [${rows}, ${cols}]`, n * 2 + geom.blocks * 24);
  // tables
  const tableBytes = sec.get('tables')!;
  let tOff = 0;
  const books: ElementBook[] = h.books.map((bh, i) => {
    switch (bh.kind) {
      case 'format':
        try {
          return formatBook(getFormat(bh.format), bh.in_lut);
        } catch (e) {
          throw new InputError(path, `books[${i}]: ${(e as Error).message}`);
        }
      case 'int':
        need(path, Number.isInteger(bh.bits) && bh.bits >= 2 && bh.bits <= h.element_bits, `books[${i}]: field 'bits': expected 2 to ${h.element_bits} (the element width)`);
        return intBook(bh.bits);
      case 'rom': {
        need(path, Array.isArray(bh.levels) && bh.levels.length >= 2, `books[${i}]: field 'levels': expected an array of numbers`);
        return tableBook(path, i, bh.name, bh.levels, false, 0, h.element_bits);
      }
      case 'lut': {
        need(path, Number.isInteger(bh.entries) && bh.entries >= 2 && bh.entries <= 2 ** h.element_bits, `books[${i}]: field 'entries': expected 2 to ${2 ** h.element_bits}`);
        need(path, ['hif', 'bf16', 'f64'].includes(bh.encoding), `books[${i}]: field 'encoding': expected hif, bf16 or f64`);
        need(path, bh.entry_bits === (bh.encoding === 'bf16' ? 16 : bh.encoding === 'f64' ? 64 : bh.entry_bits) && Number.isInteger(bh.entry_bits) && bh.entry_bits >= 2 && bh.entry_bits <= (bh.encoding === 'hif' ? 31 : 64), `books[${i}]: field 'entry_bits': does not fit encoding ${bh.encoding}`);
        need(path, bh.hif_exponent === undefined || (Number.isInteger(bh.hif_exponent) && Math.abs(bh.hif_exponent) <= 1000), `books[${i}]: field 'hif_exponent': expected an integer`);
        const bytes = packedBytes(bh.entries, bh.entry_bits);
        need(path, tOff + bytes <= tableBytes.length, `section 'tables': ${tableBytes.length} bytes, book '${bh.name}' needs ${bytes} more from offset ${tOff}`);
        const raw = tableBytes.subarray(tOff, tOff + bytes);
        tOff += bytes;
        const lv = new Array<number>(bh.entries);
        if (bh.encoding === 'hif') {
          const u = new Uint32Array(bh.entries);
          unpackBits(raw, bh.entries, bh.entry_bits, u);
          const sh = 32 - bh.entry_bits;
          for (let k = 0; k < bh.entries; k++) lv[k] = ((u[k] << sh) >> sh) * 2 ** (bh.hif_exponent ?? 0);
        } else if (bh.encoding === 'bf16') {
          const c = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
          for (let k = 0; k < bh.entries; k++) lv[k] = bf16Value(c.getUint16(2 * k, true));
        } else {
          const c = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
          for (let k = 0; k < bh.entries; k++) lv[k] = c.getFloat64(8 * k, true);
        }
        const tbits = bh.entries * bh.entry_bits + (bh.encoding === 'hif' ? 8 : 0);
        const book = tableBook(path, i, bh.name, lv, true, tbits, h.element_bits);
        if (bh.encoding === 'hif') {
          const u = new Uint32Array(bh.entries);
          unpackBits(raw, bh.entries, bh.entry_bits, u);
          const sh = 32 - bh.entry_bits;
          book.hif = { mantissas: Int32Array.from(u, (x) => (x << sh) >> sh), exponent: bh.hif_exponent ?? 0, bits: bh.entry_bits };
        }
        return book;
      }
      default:
        throw new InputError(path, `books[${i}]: unknown kind '${(bh as { kind: string }).kind}'`);
    }
  });
  need(path, tOff === tableBytes.length, `section 'tables': ${tableBytes.length} bytes, the books use ${tOff}`);

  // indices
  const idx = sec.get('indices')!;
  need(path, idx.length === packedBytes(n, h.element_bits), `section 'indices': ${idx.length} bytes, expected ${packedBytes(n, h.element_bits)} for ${n} ${h.element_bits}-bit codes`);
  const codes = h.element_bits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  unpackBits(idx, n, h.element_bits, codes);

  // selection
  const selBytes = sec.get('selection')!;
  const hasSel = h.selection === true;
  const selInScale = h.scale?.sel_in_scale === true;
  let sel: Uint8Array | null = null;
  if (hasSel) {
    sel = new Uint8Array(geom.blocks);
    if (!selInScale) {
      need(path, selBytes.length === packedBytes(geom.blocks, 1), `section 'selection': ${selBytes.length} bytes, expected ${packedBytes(geom.blocks, 1)} for ${geom.blocks} blocks`);
      unpackBits(selBytes, geom.blocks, 1, sel);
    }
  } else need(path, selBytes.length === 0, `section 'selection': ${selBytes.length} bytes but the header says there is no selection bit`);

  // scales
  const scaleBytes = sec.get('scales')!;
  const scaleCodes = new Uint32Array(geom.blocks);
  const scales = new Float64Array(geom.blocks).fill(1);
  let scaleSigns: Uint8Array | null = null;
  const sf = h.scale ?? { format: null, signed: false, magnitude_bits: 0, sel_in_scale: false, field_bits: 0 };
  if (sf.format) {
    const mb = sf.magnitude_bits;
    const width = mb + (sf.signed ? 1 : 0);
    need(path, scaleBytes.length === packedBytes(geom.blocks, width), `section 'scales': ${scaleBytes.length} bytes, expected ${packedBytes(geom.blocks, width)} for ${geom.blocks} ${width}-bit fields`);
    const fields = new Uint32Array(geom.blocks);
    unpackBits(scaleBytes, geom.blocks, width, fields);
    let decodeMag: (c: number) => number;
    if (sf.format === 'FP32') decodeMag = float32FromBits;
    else {
      let fmt;
      try {
        fmt = getFormat(sf.format);
      } catch (e) {
        throw new InputError(path, `header: field 'scale.format': ${(e as Error).message}`);
      }
      decodeMag = (c) => fmt.values[c];
    }
    if (sf.signed) scaleSigns = new Uint8Array(geom.blocks);
    for (let b = 0; b < geom.blocks; b++) {
      const f = fields[b];
      let code = mb >= 32 ? f : f % 2 ** mb;
      if (selInScale && sel) {
        sel[b] = code & 1;
        code -= code & 1;
      }
      const neg = sf.signed ? Math.floor(f / 2 ** mb) & 1 : 0;
      if (scaleSigns) scaleSigns[b] = neg;
      scaleCodes[b] = code;
      const v = decodeMag(code);
      need(path, Number.isFinite(v), `section 'scales': block ${b} holds a non-finite scale code ${code}`);
      scales[b] = neg ? -v : v;
    }
  } else need(path, scaleBytes.length === 0, `section 'scales': ${scaleBytes.length} bytes but the header names no scale format`);
  if (sel) for (let b = 0; b < geom.blocks; b++) need(path, sel[b] < books.length, `block ${b} selects book ${sel[b]}, the layer has ${books.length}`);

  // residuals
  const res = sec.get('residuals')!;
  let residuals: QuantizedLayer['residuals'];
  if (h.residuals > 0) {
    need(path, res.length === 6 * h.residuals, `section 'residuals': ${res.length} bytes, expected ${6 * h.residuals} for ${h.residuals} corrections`);
    const rv = new DataView(res.buffer, res.byteOffset, res.byteLength);
    const index = new Uint32Array(h.residuals);
    const bf16 = new Uint16Array(h.residuals);
    for (let k = 0; k < h.residuals; k++) {
      index[k] = rv.getUint32(6 * k, true);
      bf16[k] = rv.getUint16(6 * k + 4, true);
      need(path, index[k] < n, `section 'residuals': correction ${k} points at weight ${index[k]}, the layer has ${n}`);
    }
    residuals = { index, bf16 };
  } else need(path, res.length === 0, `section 'residuals': ${res.length} bytes but the header says 0 corrections`);

  const layer: QuantizedLayer = {
    name: h.name,
    scheme: h.scheme,
    geom,
    elementBits: h.element_bits,
    books,
    codes,
    scale: { format: sf.format, signed: sf.signed, magnitudeBits: sf.magnitude_bits },
    scaleCodes,
    scaleSigns,
    scales,
    sel,
    selInScale,
    tensorScale: h.tensor_scale,
    tensorScaleBits: h.tensor_scale_bits ?? 0,
    lut: h.lut,
    info: h.info ?? {},
    residuals,
  };
  return { header: h, layer, checks, fileBytes: buf.length };
}

function tableBook(path: string, i: number, name: string, levels: number[], inLut: boolean, tableBits: number, elementBits: number): ElementBook {
  need(path, levels.length <= 2 ** elementBits, `books[${i}]: ${levels.length} levels, more than ${elementBits}-bit codes address`);
  let grid: Codebook;
  try {
    grid = new Codebook(String(name), levels, inLut ? 'data-dependent' : 'fixed');
  } catch (e) {
    throw new InputError(path, `books[${i}]: ${(e as Error).message}`);
  }
  const table = new Float64Array(1 << elementBits);
  for (let i = 0; i < levels.length; i++) table[i] = levels[i];
  return { name, table, grid, inLut, tableBits };
}

export function readSopw(path: string): SopwFile {
  const src = fileBytes(path);
  checkMemory(path, `a ${src.size}-byte .sopw file`, src.size * 2);
  return decodeSopw(src.read(0, src.size), path);
}
