// The packed-layer file, *.sopw (docs/MODEL.md §9; the README's ".sopw packed format"): where the quantizer and the simulator meet.
//
//   "SOPW" | u16 version | u16 reserved | u32 header length | header (UTF-8 JSON) | u32 CRC32(header) | data
//
// The header names the layer, shape, formats, block size, codebook pair, bits-per-weight and the data
// sections (tables, selection, scales, indices, residuals), each with its offset from the start of the
// data area, its length and its CRC32. Everything is little-endian. The reader checks every length,
// offset and checksum and says which one is wrong.

import { crc32 } from 'node:zlib';
import { checkMemory, fileBytes } from '../io/bytes.js';
import { bitsAccount, blockCodeBits, blockFieldBits, selectorBits, weightCodeBits, type ElementBook, type QuantizedLayer } from '../layer.js';
import { intBookBits } from '../schemes/books.js';
import { shiftAddCode, shiftAddFormat } from '../codebooks/lut-format.js';
import { writeFileAtomic } from './atomic.js';
import { SOPW_MAGIC, SOPW_VERSION, decodeSopw, type SopwFile } from './sopw-decode.js';
import { SECTION_NAMES, type BookHeader, type SectionEntry, type SectionName, type SopwHeader } from './sopw-header.js';
import { packBits, packBitsMixed } from './bitstream.js';
import { OLIVE_BOOKS } from '../schemes/olive.js';

export { SECTION_NAMES, SOPW_MAGIC, SOPW_VERSION, decodeSopw, type SectionEntry, type SectionName, type SopwFile, type SopwHeader };
function bookHeader(b: ElementBook, lut: string): { header: BookHeader; table?: Uint8Array } {
  if (OLIVE_BOOKS.includes(b.name)) return { header: { name: b.name, kind: 'olive' } };
  if (b.grid.kind === 'format') {
    const intBits = intBookBits(b.name);
    if (intBits !== null) return { header: { name: b.name, kind: 'int', bits: intBits } };
    return { header: { name: b.name, kind: 'format', format: b.name, in_lut: b.inLut, ...(b.codeBits !== undefined ? { code_bits: b.codeBits } : {}) } };
  }
  if (!b.inLut) return { header: { name: b.name, kind: 'rom', levels: Array.from(b.table.subarray(0, b.grid.size)) } };
  const n = b.grid.size;
  if (b.hif && b.hif.shiftMax !== undefined) {
    const f = shiftAddFormat(b.hif.bits, b.hif.shiftMax);
    return {
      header: { name: b.name, kind: 'lut', entries: n, encoding: 'hifsa', entry_bits: b.hif.bits, hif_exponent: b.hif.exponent, shift_max: b.hif.shiftMax },
      table: packBits(Array.from(b.hif.mantissas, (v) => shiftAddCode(f, v)), b.hif.bits),
    };
  }
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

/** The element codes, each block's at its book's width (one width for all but a mixed-width layer). */
function packCodes(q: QuantizedLayer): Uint8Array {
  const widths = blockCodeBits(q);
  return widths ? packBitsMixed(q.codes, weightCodeBits(q.geom, widths)) : packBits(q.codes, q.elementBits);
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
    selection: q.sel && !q.selInScale && !q.selFromCodes ? packBits(q.sel, Math.max(1, selectorBits(q.books.length))) : new Uint8Array(0),
    scales: new Uint8Array(0),
    indices: packCodes(q),
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
    ...(q.transposed ? { group_dim: 'out' as const } : {}),
    lut: q.lut,
    scale: { format: q.scale.format, signed: q.scale.signed, magnitude_bits: q.scale.magnitudeBits, sel_in_scale: q.selInScale, field_bits: fieldBits },
    tensor_scale: q.tensorScale,
    tensor_scale_bits: q.tensorScaleBits,
    selection: q.sel !== null && !q.selFromCodes,
    ...(q.selFromCodes ? { victim_pairs: true } : {}),
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

export function readSopw(path: string): SopwFile {
  const src = fileBytes(path);
  checkMemory(path, `a ${src.size}-byte .sopw file`, src.size * 2);
  return decodeSopw(src.read(0, src.size), path);
}
