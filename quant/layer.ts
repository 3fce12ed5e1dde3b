// A quantized layer: what every scheme produces, what the packed file stores and what the simulator
// decodes. ŵ[i] = table[code[i]] × scale[block(i)] × tensorScale, all in float64 (every product here is
// exact, so the quantizer, the packed-file reader and the simulator get the same bits in any order).

import type { Codebook } from './codebooks/codebook.js';
import { bf16Value as bf16ToNumber } from './formats/bits.js';

export interface BlockGeometry {
  rows: number;
  cols: number;
  /** Block size g along `in`; a row whose length is not a multiple of g ends in a partial block. */
  block: number;
  blocksPerRow: number;
  blocks: number;
}

export function geometry(rows: number, cols: number, block: number): BlockGeometry {
  const g = block > 0 ? block : cols;
  const blocksPerRow = Math.ceil(cols / g);
  return { rows, cols, block: g, blocksPerRow, blocks: rows * blocksPerRow };
}

/** The block holding weight i (row-major; blocks never span rows). */
export function blockOf(g: BlockGeometry, i: number): number {
  const row = Math.floor(i / g.cols);
  return row * g.blocksPerRow + Math.floor((i - row * g.cols) / g.block);
}

/** A book of element values addressed by code: a codebook (code = index) or a number format's grid. */
export interface ElementBook {
  name: string;
  /** value of every code (length 2^elementBits); the decoder's table. */
  table: Float64Array;
  /** the grid the quantizer rounds to (sorted levels, with the code each stands for). */
  grid: Codebook;
  /** true when the hardware holds this table in the LUT SRAM (per-layer codebooks, format tables). */
  inLut: boolean;
  /** Bits the layer pays to ship this table (0 for ROM codebooks). */
  tableBits: number;
  /**
   * HIF representation of the table, when the LUT format is HIF: each entry's integer (level = integer ·
   * 2^exponent) and its width; for the shift-add formats the largest shift, the integer being m · 2^s.
   */
  hif?: { mantissas: Int32Array; exponent: number; bits: number; shiftMax?: number };
  /**
   * Width of this book's stored codes when it is narrower than the layer's elementBits: a block-granular
   * mixed-precision layer (FGMP) stores E2M1 blocks in 4 bits beside E4M3 blocks in 8.
   */
  codeBits?: number;
}

export interface ScaleField {
  /** Magnitude format of the block scale ('UE4M2', 'UE8M0', 'FP32', ...), or null for no block scales. */
  format: string | null;
  /** A sign bit is stored with each scale (SOP signed scales). */
  signed: boolean;
  /** Bits of the stored magnitude code. */
  magnitudeBits: number;
}

export interface QuantizedLayer {
  name: string;
  scheme: string;
  geom: BlockGeometry;
  elementBits: number;
  /** One book, or the pair [A, B] chosen per block by the selection bit. */
  books: ElementBook[];
  /** Per weight: the stored element code. */
  codes: Uint8Array | Uint16Array;
  scale: ScaleField;
  /** Per block: stored scale magnitude code (FP32: raw bits), and sign (1 = negative). */
  scaleCodes: Uint32Array;
  scaleSigns: Uint8Array | null;
  /** Per block: the decoded signed scale value. */
  scales: Float64Array;
  /** Per block selector (index into books: a bit for a pair, log2 N bits for N books), or null for a single book. */
  sel: Uint8Array | null;
  /** The selection bit takes the lowest bit of the scale field (the scale loses a mantissa bit). */
  selInScale: boolean;
  /** The selector is implied by the codes and not stored (OliVe: a pair holding the victim marker uses books[1]). */
  selFromCodes?: boolean;
  /** Per-layer multiplier (POT normaliser or FP32 tensor scale) and the bits it is stored in. */
  tensorScale: number;
  tensorScaleBits: number;
  /** LUT output format the levels were rounded to ('hif8', 'hif7sa', 'bf16', 'exact'). */
  lut: string;
  /** Scheme-specific facts for reports (pair, shares, ...). */
  info: Record<string, unknown>;
  /**
   * Blocks run along the output dimension (AdaDim's per-input-channel grouping): everything here describes W^T,
   * so the layer's weight W[o][i] is stored at [i][o] and geom is [in, out].
   */
  transposed?: boolean;
  /** Sparse residual corrections (flat weight index, BF16 code), if any. */
  residuals?: { index: Uint32Array; bf16: Uint16Array };
}

/** Bits of a block's selector: which of the layer's books it uses (1 for SOP's pair, 4 for 16 LO-BCQ books). */
export function selectorBits(books: number): number {
  return books > 1 ? Math.ceil(Math.log2(books)) : 0;
}

/** Bits of the per-block field: scale magnitude (+ sign) (+ selector unless folded into the scale). */
export function blockFieldBits(q: QuantizedLayer): number {
  const s = q.scale.format ? q.scale.magnitudeBits + (q.scale.signed ? 1 : 0) : 0;
  const sel = q.sel && !q.selInScale && !q.selFromCodes ? Math.max(1, selectorBits(q.books.length)) : 0;
  return s + sel;
}

/** Per block, the width of its stored codes; null when every block's is the layer's elementBits. */
export function blockCodeBits(q: QuantizedLayer): Uint8Array | null {
  if (!q.books.some((b) => b.codeBits !== undefined && b.codeBits !== q.elementBits)) return null;
  const widths = q.books.map((b) => b.codeBits ?? q.elementBits);
  const out = new Uint8Array(q.geom.blocks);
  for (let b = 0; b < out.length; b++) out[b] = widths[q.sel ? q.sel[b] : 0];
  return out;
}

/** Per weight, the width of its stored code (for packing a mixed-width layer). */
export function weightCodeBits(geom: BlockGeometry, blockBits: Uint8Array): Uint8Array {
  const out = new Uint8Array(geom.rows * geom.cols);
  for (let i = 0; i < out.length; i++) out[i] = blockBits[blockOf(geom, i)];
  return out;
}

/** Bits of every element code of the layer (blocks of narrower books count their own width). */
export function elementCodeBits(q: QuantizedLayer): number {
  const { rows, cols, block, blocksPerRow } = q.geom;
  const w = blockCodeBits(q);
  if (!w) return q.elementBits * rows * cols;
  let bits = 0;
  for (let b = 0; b < q.geom.blocks; b++) bits += w[b] * Math.min(block, cols - (b % blocksPerRow) * block);
  return bits;
}

export interface BitsAccount {
  elementBits: number;
  blockBits: number;
  layerBits: number;
  residualBits: number;
  total: number;
  weights: number;
  /** Exact bits per weight including per-layer and residual bits. */
  bpw: number;
  /** Element + block-field bits per weight (the nominal operating point, e.g. 4.5 or 6.5). */
  bpwBlock: number;
}

export const RESIDUAL_BITS = 32 + 16; // u32 flat index + BF16 value

/** Exact bits-per-weight accounting (docs/MODEL.md §3). */
export function bitsAccount(q: QuantizedLayer): BitsAccount {
  const weights = q.geom.rows * q.geom.cols;
  const elementBits = elementCodeBits(q);
  const blockBits = q.scale.format || q.sel ? blockFieldBits(q) * q.geom.blocks : 0;
  const layerBits = q.tensorScaleBits + q.books.reduce((s, b) => s + b.tableBits, 0);
  const residualBits = (q.residuals?.index.length ?? 0) * RESIDUAL_BITS;
  const total = elementBits + blockBits + layerBits + residualBits;
  return {
    elementBits,
    blockBits,
    layerBits,
    residualBits,
    total,
    weights,
    bpw: total / weights,
    bpwBlock: (elementBits + blockBits) / weights,
  };
}

/**
 * Total bits q would take with `rows` rows of the same kind and `residuals` sparse corrections: element and
 * block bits scale with the rows, per-layer bits do not. Prices a full layer from its row sample.
 */
export function bitsAtRows(q: QuantizedLayer, rows: number, residuals: number): number {
  const b = bitsAccount(q);
  return ((b.elementBits + b.blockBits) / q.geom.rows) * rows + b.layerBits + residuals * RESIDUAL_BITS;
}

/**
 * Visit every block with what decoding it takes: flat offset, length, first column, the book's table and
 * the block's scale. ŵ[off + i] = table[codes[off + i]] × scale × tensorScale (then + any residual).
 */
export function forEachDecodedBlock(q: QuantizedLayer, fn: (off: number, len: number, col0: number, table: Float64Array, scale: number) => void): void {
  const { rows, cols, block, blocksPerRow } = q.geom;
  for (let r = 0; r < rows; r++) {
    for (let bj = 0; bj < blocksPerRow; bj++) {
      const b = r * blocksPerRow + bj;
      const c0 = bj * block;
      fn(r * cols + c0, Math.min(block, cols - c0), c0, q.books[q.sel ? q.sel[b] : 0].table, q.scales[b]);
    }
  }
}

/** Decode every weight: ŵ (float64). */
export function decodeLayer(q: QuantizedLayer): Float64Array {
  const out = new Float64Array(q.geom.rows * q.geom.cols);
  const ts = q.tensorScale;
  const codes = q.codes;
  forEachDecodedBlock(q, (off, len, _c0, table, s) => {
    for (let i = off; i < off + len; i++) out[i] = table[codes[i]] * s * ts;
  });
  if (q.residuals) {
    const { index, bf16 } = q.residuals;
    for (let k = 0; k < index.length; k++) out[index[k]] += bf16ToNumber(bf16[k]);
  }
  return out;
}

/** ŵ in the layer's own orientation [out, in] (decodeLayer gives the stored order, transposed for blocks along out). */
export function decodeLogical(q: QuantizedLayer): Float64Array {
  const w = decodeLayer(q);
  if (!q.transposed) return w;
  const { rows, cols } = q.geom; // stored [in, out]
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}
