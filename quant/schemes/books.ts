// Element books: the tables a layer's element codes index, built from a number format, a codebook
// (rounded to the LUT output format) or a symmetric integer range.

import { Codebook } from '../codebooks/codebook.js';
import { toLutTable, type LutFormat } from '../codebooks/lut-format.js';
import type { Minifloat } from '../formats/minifloat.js';
import type { ElementBook } from '../layer.js';

/** A number format's code table and rounding grid (RNE, ties to the even code). */
export function formatBook(fmt: Minifloat, inLut = false, lut?: LutFormat): ElementBook {
  const grid = Codebook.fromFormat(fmt);
  const book: ElementBook = { name: fmt.name, table: Float64Array.from(fmt.values), grid, inLut, tableBits: 0 };
  if (lut && lut.kind === 'hifsa') {
    // a format's table sits in a shift-add LUT only if every finite code is on its grid
    const finite = Array.from(fmt.values, (v) => (Number.isFinite(v) ? v : 0));
    const t = toLutTable(finite, lut);
    if (t.levels.every((v, c) => v === finite[c])) book.hif = { mantissas: t.mantissas!, exponent: t.exponent!, bits: lut.mantissaBits + lut.shiftBits, shiftMax: lut.shiftMax };
  }
  if (lut && lut.kind === 'hif') {
    // a format's table must sit in the LUT exactly: widen the HIF mantissa until every finite code fits
    const finite = Array.from(fmt.values, (v) => (Number.isFinite(v) ? v : 0));
    for (let bits = lut.mantissaBits; bits <= 24; bits++) {
      const t = toLutTable(finite, { ...lut, mantissaBits: bits });
      if (t.levels.every((v, c) => v === finite[c])) {
        book.hif = { mantissas: t.mantissas!, exponent: t.exponent!, bits };
        break;
      }
    }
  }
  return book;
}

/** A codebook whose levels are first rounded to the LUT output format, as the hardware holds them. */
export function codebookBook(cb: Codebook, lut: LutFormat, inLut: boolean, shipTable: boolean): ElementBook {
  const t = toLutTable(cb.levels, lut);
  const grid = new Codebook(cb.name, t.levels, cb.kind);
  const table = new Float64Array(1 << Math.ceil(Math.log2(cb.size)));
  for (let i = 0; i < grid.size; i++) table[grid.codes[i]] = grid.levels[i];
  const book: ElementBook = { name: cb.name, table, grid, inLut, tableBits: shipTable ? t.bits : 0 };
  if (t.mantissas && lut.kind === 'hif') book.hif = { mantissas: t.mantissas, exponent: t.exponent!, bits: lut.mantissaBits };
  if (t.mantissas && lut.kind === 'hifsa') book.hif = { mantissas: t.mantissas, exponent: t.exponent!, bits: lut.mantissaBits + lut.shiftBits, shiftMax: lut.shiftMax };
  return book;
}

/** The bit width of an integer book's name (`INT4` → 4), or null for any other book. */
export function intBookBits(name: string): number | null {
  const m = /^INT(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Symmetric integers -q..q in `bits`-bit two's complement, round half to even (int4, int8). */
export function intBook(bits: number): ElementBook {
  const q = 2 ** (bits - 1) - 1;
  const levels: number[] = [];
  const codes: number[] = [];
  for (let v = -q; v <= q; v++) {
    levels.push(v);
    codes.push(v & ((1 << bits) - 1));
  }
  const tie = levels.slice(1).map((upper) => (upper % 2 === 0 ? 1 : 0));
  const grid = new Codebook(`INT${bits}`, levels, 'format', codes, tie);
  const table = new Float64Array(1 << bits);
  for (let c = 0; c < table.length; c++) table[c] = c >= 1 << (bits - 1) ? c - (1 << bits) : c;
  return { name: `INT${bits}`, table, grid, inLut: false, tableBits: 0 };
}
