// Reading a .sopw image back into a quantized layer: the preamble, the header (its schema in
// sopw-header.ts), the sections with their checksums, then each section decoded and checked against
// the header. Every problem is a one-line InputError naming the file and what is wrong.

import { SHIFT_ADD, shiftAddFormat, shiftAddValue } from '../codebooks/lut-format.js';
import { crc32 } from 'node:zlib';
import { Codebook } from '../codebooks/codebook.js';
import { bf16Value, float32FromBits } from '../formats/bits.js';
import { getFormat } from '../formats/registry.js';
import { checkMemory } from '../io/bytes.js';
import { InputError } from '../io/tensor.js';
import { bitsAccount, geometry, selectorBits, weightCodeBits, type BlockGeometry, type ElementBook, type QuantizedLayer } from '../layer.js';
import { formatBook, intBook } from '../schemes/books.js';
import { packedBytes, unpackBits, unpackBitsMixed } from './bitstream.js';
import { OLIVE_BOOKS, oliveBook, pairsOf } from '../schemes/olive.js';
import { SECTION_NAMES, headerProblem, type BookHeader, type SectionName, type SopwHeader } from './sopw-header.js';

export const SOPW_MAGIC = 'SOPW';
export const SOPW_VERSION = 1;

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

/** Magic, version, header length, header JSON and its CRC; returns the header and where the data starts. */
function readHeader(buf: Uint8Array, path: string): { h: SopwHeader; dataStart: number } {
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
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(hbytes).toString('utf8'));
  } catch {
    throw new InputError(path, 'header: not valid JSON');
  }
  const problem = headerProblem(doc);
  need(path, problem === null, `header: ${problem}`);
  const h = doc as SopwHeader;
  need(path, Number.isSafeInteger(h.shape[0] * h.shape[1]), "header: field 'shape': too many weights");
  need(path, !h.scale.format || (h.scale.magnitude_bits >= 1 && h.scale.magnitude_bits <= (h.scale.signed ? 31 : 32)), "header: field 'scale.magnitude_bits': expected 1 to 32 bits (with the sign)");
  return { h, dataStart: 16 + hlen };
}

/** The five sections, contiguous and in order, each within the data area and matching its CRC. */
function readSections(buf: Uint8Array, h: SopwHeader, dataStart: number, path: string): { sec: Map<SectionName, Uint8Array>; checks: SopwFile['checks'] } {
  const dataLen = buf.length - dataStart;
  const sec = new Map<SectionName, Uint8Array>();
  const checks: SopwFile['checks'] = [];
  let expectOff = 0;
  for (const name of SECTION_NAMES) {
    const e = h.sections.find((s) => s.name === name);
    need(path, e, `header: section '${name}' is missing`);
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
  return { sec, checks };
}

function tableBook(path: string, i: number, name: string, levels: number[], inLut: boolean, tableBits: number, elementBits: number): ElementBook {
  need(path, levels.length <= 2 ** elementBits, `books[${i}]: ${levels.length} levels, more than ${elementBits}-bit codes address`);
  let grid: Codebook;
  try {
    grid = new Codebook(name, levels, inLut ? 'data-dependent' : 'fixed');
  } catch (e) {
    throw new InputError(path, `books[${i}]: ${(e as Error).message}`);
  }
  const table = new Float64Array(1 << elementBits);
  for (let k = 0; k < levels.length; k++) table[k] = levels[k];
  return { name, table, grid, inLut, tableBits };
}

/** A LUT book from its packed entries: HIF (two's-complement mantissas × 2^exponent), shift-add HIF (m · 2^s × 2^exponent), BF16 or float64. */
function lutBook(path: string, i: number, bh: Extract<BookHeader, { kind: 'lut' }>, raw: Uint8Array, elementBits: number): ElementBook {
  const n = bh.entries;
  const lv = new Array<number>(n);
  let mantissas: Int32Array | null = null;
  if (bh.encoding === 'hifsa') {
    const f = shiftAddFormat(bh.entry_bits, bh.shift_max ?? 0);
    const u = new Uint32Array(n);
    unpackBits(raw, n, bh.entry_bits, u);
    for (let k = 0; k < n; k++) need(path, u[k] >>> 5 <= f.shiftMax, `books[${i}]: entry ${k} has shift ${u[k] >>> 5}, expected 0 to ${f.shiftMax}`);
    mantissas = Int32Array.from(u, (x) => shiftAddValue(f, x));
    for (let k = 0; k < n; k++) lv[k] = mantissas[k] * 2 ** (bh.hif_exponent ?? 0);
  } else if (bh.encoding === 'hif') {
    const u = new Uint32Array(n);
    unpackBits(raw, n, bh.entry_bits, u);
    const sh = 32 - bh.entry_bits;
    mantissas = Int32Array.from(u, (x) => (x << sh) >> sh);
    for (let k = 0; k < n; k++) lv[k] = mantissas[k] * 2 ** (bh.hif_exponent ?? 0);
  } else {
    const c = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let k = 0; k < n; k++) lv[k] = bh.encoding === 'bf16' ? bf16Value(c.getUint16(2 * k, true)) : c.getFloat64(8 * k, true);
  }
  const hif = bh.encoding === 'hif' || bh.encoding === 'hifsa';
  const book = tableBook(path, i, bh.name, lv, true, n * bh.entry_bits + (hif ? 8 : 0), elementBits);
  if (mantissas) book.hif = { mantissas, exponent: bh.hif_exponent ?? 0, bits: bh.entry_bits, ...(bh.encoding === 'hifsa' ? { shiftMax: bh.shift_max ?? 0 } : {}) };
  return book;
}

/** The element books, LUT tables read in order from the tables section. */
function decodeBooks(path: string, h: SopwHeader, tableBytes: Uint8Array): ElementBook[] {
  let tOff = 0;
  const eb = h.element_bits;
  const books = h.books.map((bh, i): ElementBook => {
    switch (bh.kind) {
      case 'format': {
        let book: ElementBook;
        try {
          book = formatBook(getFormat(bh.format), bh.in_lut);
        } catch (e) {
          throw new InputError(path, `books[${i}]: ${(e as Error).message}`);
        }
        if (bh.code_bits !== undefined) {
          const least = Math.log2(book.table.length);
          need(path, bh.code_bits >= least && bh.code_bits <= eb, `books[${i}]: field 'code_bits': expected ${least} to ${eb} (the format's code width to the element width)`);
          book.codeBits = bh.code_bits;
        }
        return book;
      }
      case 'olive': {
        const b = oliveBook(bh.name);
        need(path, b !== null && eb === 4, `books[${i}]: '${bh.name}' is not an OliVe book (expected ${OLIVE_BOOKS.join(' or ')}, with 4-bit codes)`);
        return b!;
      }
      case 'int':
        need(path, bh.bits <= eb, `books[${i}]: field 'bits': expected 2 to ${eb} (the element width)`);
        return intBook(bh.bits);
      case 'rom':
        return tableBook(path, i, bh.name, bh.levels, false, 0, eb);
      case 'lut': {
        need(path, bh.entries <= 2 ** eb, `books[${i}]: field 'entries': expected 2 to ${2 ** eb}`);
        const width = bh.encoding === 'bf16' ? 16 : bh.encoding === 'f64' ? 64 : bh.entry_bits;
        need(path, bh.entry_bits === width && bh.entry_bits <= (bh.encoding === 'hif' ? 31 : 64), `books[${i}]: field 'entry_bits': does not fit encoding ${bh.encoding}`);
        if (bh.encoding === 'hifsa') {
          const sa = Object.hasOwn(SHIFT_ADD, `hif${bh.entry_bits}sa`) ? SHIFT_ADD[`hif${bh.entry_bits}sa`] : null;
          need(path, sa !== null, `books[${i}]: field 'entry_bits': expected 7 or 8 for encoding hifsa`);
          need(path, bh.shift_max === sa!.shiftMax, `books[${i}]: field 'shift_max': expected ${sa!.shiftMax} for a ${bh.entry_bits}-bit shift-add entry`);
        }
        const bytes = packedBytes(bh.entries, bh.entry_bits);
        need(path, tOff + bytes <= tableBytes.length, `section 'tables': ${tableBytes.length} bytes, book '${bh.name}' needs ${bytes} more from offset ${tOff}`);
        const raw = tableBytes.subarray(tOff, tOff + bytes);
        tOff += bytes;
        return lutBook(path, i, bh, raw, eb);
      }
    }
  });
  need(path, tOff === tableBytes.length, `section 'tables': ${tableBytes.length} bytes, the books use ${tOff}`);
  return books;
}

/**
 * Per-block selectors from their section, ceil(log2 books) bits each (one for a pair), or, folded into the scale
 * (pairs only), filled by decodeScales.
 */
function decodeSelection(path: string, h: SopwHeader, bytes: Uint8Array, blocks: number): Uint8Array | null {
  if (!h.selection) {
    need(path, bytes.length === 0, `section 'selection': ${bytes.length} bytes but the header says there is no selection bit`);
    return null;
  }
  const sel = new Uint8Array(blocks);
  const bits = Math.max(1, selectorBits(h.books.length));
  need(path, !h.scale.sel_in_scale || bits === 1, `header: field 'scale.sel_in_scale': a ${h.books.length}-book selector cannot fold into the scale's lowest bit (a pair's only)`);
  if (!h.scale.sel_in_scale) {
    need(path, bytes.length === packedBytes(blocks, bits), `section 'selection': ${bytes.length} bytes, expected ${packedBytes(blocks, bits)} for ${blocks} blocks of ${bits}-bit selectors`);
    unpackBits(bytes, blocks, bits, sel);
  }
  return sel;
}

/** The element codes: element_bits each, or each block's at its book's code_bits (a mixed-width layer). */
function decodeCodes(path: string, h: SopwHeader, idx: Uint8Array, geom: BlockGeometry, books: ElementBook[], sel: Uint8Array | null): Uint8Array | Uint16Array {
  const n = geom.rows * geom.cols;
  const codes = h.element_bits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  const widths = books.map((b) => b.codeBits ?? h.element_bits);
  if (widths.every((w) => w === h.element_bits)) {
    need(path, idx.length === packedBytes(n, h.element_bits), `section 'indices': ${idx.length} bytes, expected ${packedBytes(n, h.element_bits)} for ${n} ${h.element_bits}-bit codes`);
    unpackBits(idx, n, h.element_bits, codes);
    return codes;
  }
  const perWeight = weightCodeBits(geom, Uint8Array.from({ length: geom.blocks }, (_, b) => widths[sel ? sel[b] : 0]));
  let bits = 0;
  for (let i = 0; i < n; i++) bits += perWeight[i];
  need(path, idx.length === Math.ceil(bits / 8), `section 'indices': ${idx.length} bytes, expected ${Math.ceil(bits / 8)} for ${bits} bits of mixed-width codes`);
  unpackBitsMixed(idx, perWeight, codes);
  return codes;
}

/** How a scale magnitude code decodes: FP32 bit patterns, or a named number format's values. */
function magnitudeDecoder(path: string, format: string): (code: number) => number {
  if (format === 'FP32') return float32FromBits;
  try {
    const fmt = getFormat(format);
    return (c) => fmt.values[c];
  } catch (e) {
    throw new InputError(path, `header: field 'scale.format': ${(e as Error).message}`);
  }
}

/** Block fields, LSB first: [magnitude code (its lowest bit the selection bit when folded)] [sign]. */
function decodeScales(path: string, h: SopwHeader, bytes: Uint8Array, geom: BlockGeometry, sel: Uint8Array | null) {
  const blocks = geom.blocks;
  const scaleCodes = new Uint32Array(blocks);
  const scales = new Float64Array(blocks).fill(1);
  const sf = h.scale;
  if (!sf.format) {
    need(path, bytes.length === 0, `section 'scales': ${bytes.length} bytes but the header names no scale format`);
    return { scaleCodes, scales, scaleSigns: null };
  }
  const mb = sf.magnitude_bits;
  const width = mb + (sf.signed ? 1 : 0);
  need(path, bytes.length === packedBytes(blocks, width), `section 'scales': ${bytes.length} bytes, expected ${packedBytes(blocks, width)} for ${blocks} ${width}-bit fields`);
  const fields = new Uint32Array(blocks);
  unpackBits(bytes, blocks, width, fields);
  const decodeMag = magnitudeDecoder(path, sf.format);
  const scaleSigns = sf.signed ? new Uint8Array(blocks) : null;
  const foldSel = sf.sel_in_scale && sel;
  for (let b = 0; b < blocks; b++) {
    const f = fields[b];
    let code = mb >= 32 ? f : f % 2 ** mb;
    if (foldSel) {
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
  return { scaleCodes, scales, scaleSigns };
}

/** Sparse corrections: u32 flat weight index + BF16 value, 6 bytes each. */
function decodeResiduals(path: string, count: number, bytes: Uint8Array, n: number): QuantizedLayer['residuals'] {
  if (count === 0) {
    need(path, bytes.length === 0, `section 'residuals': ${bytes.length} bytes but the header says 0 corrections`);
    return undefined;
  }
  need(path, bytes.length === 6 * count, `section 'residuals': ${bytes.length} bytes, expected ${6 * count} for ${count} corrections`);
  const rv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const index = new Uint32Array(count);
  const bf16 = new Uint16Array(count);
  for (let k = 0; k < count; k++) {
    index[k] = rv.getUint32(6 * k, true);
    bf16[k] = rv.getUint16(6 * k + 4, true);
    need(path, index[k] < n, `section 'residuals': correction ${k} points at weight ${index[k]}, the layer has ${n}`);
  }
  return { index, bf16 };
}

/** How many codes a book really defines: its levels (a table book), or every code of its table. */
function definedCodes(b: ElementBook): number {
  return b.grid.kind === 'format' || OLIVE_BOOKS.includes(b.name) ? b.table.length : b.grid.size;
}

/**
 * What the CRCs cannot catch: every weight's code names a level its book defines and decodes to a finite
 * number (a NaN code of a format, a code past a short book's levels, an int or format book narrower than the
 * codes), and no decoded weight or correction overflows (level x block scale x tensor scale).
 */
function checkDecodes(path: string, h: SopwHeader, q: QuantizedLayer): void {
  const ok = q.books.map((b) => {
    const defined = Math.min(definedCodes(b), b.table.length);
    return Uint8Array.from({ length: 1 << q.elementBits }, (_, c) => (c < defined && Number.isFinite(b.table[c]) ? 1 : 0));
  });
  const { cols, block, blocksPerRow } = q.geom;
  for (let b = 0; b < q.geom.blocks; b++) {
    const book = q.sel ? q.sel[b] : 0;
    const row = Math.floor(b / blocksPerRow);
    const c0 = (b % blocksPerRow) * block;
    const end = Math.min(cols, c0 + block);
    const good = ok[book];
    for (let i = row * cols + c0; i < row * cols + end; i++)
      need(path, good[q.codes[i]] === 1, `section 'indices': weight ${i} has code ${q.codes[i]}, which ${q.books[book].name} (books[${book}]) does not define as a finite level`);
  }
  const maxOf = (xs: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && Math.abs(xs[i]) > m) m = Math.abs(xs[i]);
    return m;
  };
  need(path, h.tensor_scale !== 0, "header: field 'tensor_scale': expected a nonzero scale");
  const largest = Math.max(...q.books.map((b) => maxOf(b.table))) * maxOf(q.scales) * Math.abs(h.tensor_scale);
  need(path, Number.isFinite(largest), `header: the largest level x block scale x tensor_scale ${h.tensor_scale} overflows (decoded weights would be infinite)`);
  if (q.residuals) for (let k = 0; k < q.residuals.bf16.length; k++) need(path, Number.isFinite(bf16Value(q.residuals.bf16[k])), `section 'residuals': correction ${k} is not a finite BF16 value`);
}

/** The header's bit account must be the one the layer's contents give (what inspect and the tools report). */
function checkAccount(path: string, h: SopwHeader, q: QuantizedLayer): void {
  const a = bitsAccount(q);
  for (const k of ['elementBits', 'blockBits', 'layerBits', 'residualBits', 'total', 'weights'] as const)
    need(path, h.bits[k] === a[k], `header: field 'bits.${k}': ${h.bits[k]}, the layer's contents give ${a[k]}`);
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
  need(path, close(h.bits.bpw, a.bpw) && close(h.bpw, a.bpw), `header: field 'bpw': ${h.bpw}, the layer's contents give ${a.bpw}`);
  need(path, close(h.bits.bpwBlock, a.bpwBlock) && close(h.bpw_block, a.bpwBlock), `header: field 'bpw_block': ${h.bpw_block}, the layer's contents give ${a.bpwBlock}`);
}

/** Parse and validate a .sopw image; throws a one-line InputError naming what is wrong. */
export function decodeSopw(buf: Uint8Array, path = '<sopw>'): SopwFile {
  const { h, dataStart } = readHeader(buf, path);
  const { sec, checks } = readSections(buf, h, dataStart, path);
  const [rows, cols] = h.shape;
  const geom = geometry(rows, cols, h.block);
  const n = rows * cols;
  // the index section's size (checked below) bounds n by the file; this bounds what decoding allocates
  checkMemory(path, `layer [${rows}, ${cols}]`, n * 2 + geom.blocks * 24);
  const books = decodeBooks(path, h, sec.get('tables')!);
  const sel = decodeSelection(path, h, sec.get('selection')!, geom.blocks);
  const { scaleCodes, scales, scaleSigns } = decodeScales(path, h, sec.get('scales')!, geom, sel);
  if (sel) for (let b = 0; b < geom.blocks; b++) need(path, sel[b] < books.length, `block ${b} selects book ${sel[b]}, the layer has ${books.length}`);
  const codes = decodeCodes(path, h, sec.get('indices')!, geom, books, sel);
  // OliVe: each pair's book follows from its codes (a pair holding the victim marker uses books[1])
  if (h.victim_pairs) need(path, !h.selection && geom.block === 2 && books.length === 2, "header: field 'victim_pairs': needs blocks of 2, two books and no stored selection");
  const pairSel = h.victim_pairs ? pairsOf(geom.rows, geom.cols, codes) : null;
  const layer: QuantizedLayer = {
    name: h.name,
    scheme: h.scheme,
    geom,
    elementBits: h.element_bits,
    books,
    codes,
    scale: { format: h.scale.format, signed: h.scale.signed, magnitudeBits: h.scale.magnitude_bits },
    scaleCodes,
    scaleSigns,
    scales,
    sel: pairSel ?? sel,
    selInScale: h.scale.sel_in_scale,
    ...(pairSel ? { selFromCodes: true } : {}),
    tensorScale: h.tensor_scale,
    tensorScaleBits: h.tensor_scale_bits,
    lut: h.lut,
    info: h.info,
    residuals: decodeResiduals(path, h.residuals, sec.get('residuals')!, n),
    ...(h.group_dim === 'out' ? { transposed: true } : {}),
  };
  checkDecodes(path, h, layer);
  checkAccount(path, h, layer);
  return { header: h, layer, checks, fileBytes: buf.length };
}
