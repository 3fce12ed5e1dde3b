// The LUT output format: how decoded levels are stored in the LUT SRAM / ROM (docs/MODEL.md §8, HIF output path).
// HIF stores each level as a short signed integer mantissa with one exponent per table; the baseline
// stores BF16. The shift-add HIF formats (hif7sa, hif8sa; a reconstruction of the paper's HIF7 / HIF8 with 80
// and 96 distinct values) store a 5-bit two's-complement mantissa and a per-entry left shift, so the MAC is a
// 5-bit multiply and a shift. The quantizer rounds levels to the chosen grid so its errors match what the
// hardware computes.

import { BadValueError } from '../io/tensor.js';
import { bf16Bits, bf16Value, floorLog2, roundHalfEven } from '../formats/bits.js';

export type LutFormat =
  | { kind: 'hif'; mantissaBits: number; exponentBits: number }
  /** m · 2^s · 2^exponent: `mantissaBits`-bit two's-complement m, per-entry shift s in 0..shiftMax, one exponent a table. */
  | { kind: 'hifsa'; mantissaBits: number; shiftMax: number; shiftBits: number; exponentBits: number }
  | { kind: 'bf16' }
  | { kind: 'exact' };

/** The shift-add formats: HIF7 (shift 0..3, 80 values) and HIF8 (shift 0..4, 96 values), 5-bit mantissas. */
export const SHIFT_ADD: Record<string, { shiftMax: number; shiftBits: number }> = { hif7sa: { shiftMax: 3, shiftBits: 2 }, hif8sa: { shiftMax: 4, shiftBits: 3 } };

export const DEFAULT_LUT: LutFormat = { kind: 'hif', mantissaBits: 8, exponentBits: 8 };

/** Parse `hif8` / `hif<N>`, `hif7sa` / `hif8sa`, `bf16` or `exact`. */
export function parseLutFormat(name: string): LutFormat {
  const s = name.trim().toLowerCase();
  if (SHIFT_ADD[s]) return { kind: 'hifsa', mantissaBits: 5, ...SHIFT_ADD[s], exponentBits: 8 };
  if (s === 'bf16') return { kind: 'bf16' };
  if (s === 'exact' || s === 'fp64') return { kind: 'exact' };
  const m = /^hif(\d+)$/.exec(s);
  if (m) {
    const bits = Number(m[1]);
    if (bits < 3 || bits > 16) throw new BadValueError(`LUT format '${name}': HIF mantissa must be 3 to 16 bits`);
    return { kind: 'hif', mantissaBits: bits, exponentBits: 8 };
  }
  throw new BadValueError(`unknown LUT format '${name}' (expected hif<N> such as hif8, hif7sa, hif8sa, bf16 or exact)`);
}

export function lutFormatName(f: LutFormat): string {
  return f.kind === 'hif' ? `hif${f.mantissaBits}` : f.kind === 'hifsa' ? `hif${f.mantissaBits + f.shiftBits}sa` : f.kind;
}

/** Bits one LUT entry occupies. */
export function lutEntryBits(f: LutFormat): number {
  return f.kind === 'hif' ? f.mantissaBits : f.kind === 'hifsa' ? f.mantissaBits + f.shiftBits : f.kind === 'bf16' ? 16 : 64;
}

/**
 * The distinct integers m · 2^s of a shift-add format, ascending, each with its entry code (shift in the high
 * bits, the two's-complement mantissa in the low ones), written with the smallest shift that reaches it.
 */
export function shiftAddGrid(f: Extract<LutFormat, { kind: 'hifsa' }>): { values: Int32Array; codes: Uint32Array } {
  const half = 2 ** (f.mantissaBits - 1);
  const byValue = new Map<number, number>();
  for (let s = 0; s <= f.shiftMax; s++)
    for (let m = -half; m < half; m++) {
      const v = m * 2 ** s;
      if (!byValue.has(v)) byValue.set(v, (s << f.mantissaBits) | (m & (2 * half - 1)));
    }
  const values = Int32Array.from([...byValue.keys()].sort((a, b) => a - b));
  return { values, codes: Uint32Array.from(values, (v) => byValue.get(v)!) };
}

/** The shift-add format of a `bits`-bit entry with shifts 0..`shiftMax` (5-bit mantissas). */
export function shiftAddFormat(bits: number, shiftMax: number): Extract<LutFormat, { kind: 'hifsa' }> {
  return { kind: 'hifsa', mantissaBits: 5, shiftMax, shiftBits: bits - 5, exponentBits: 8 };
}

/** The entry code of a grid integer (smallest shift), or an error for an integer off the grid. */
export function shiftAddCode(f: Extract<LutFormat, { kind: 'hifsa' }>, value: number): number {
  for (let s = 0; s <= f.shiftMax; s++) {
    const m = value / 2 ** s;
    if (Number.isInteger(m) && m >= -(2 ** (f.mantissaBits - 1)) && m < 2 ** (f.mantissaBits - 1)) return (s << f.mantissaBits) | (m & (2 ** f.mantissaBits - 1));
  }
  throw new Error(`${value} is not on the ${lutFormatName(f)} grid`);
}

/** The integer value of a shift-add entry code. */
export function shiftAddValue(f: Extract<LutFormat, { kind: 'hifsa' }>, code: number): number {
  const m = code & (2 ** f.mantissaBits - 1);
  const signed = m >= 2 ** (f.mantissaBits - 1) ? m - 2 ** f.mantissaBits : m;
  return signed * 2 ** (code >>> f.mantissaBits);
}

/** The trailing zeros of a nonzero integer (how "even" a grid point is: ties go to the evener one). */
function trailingZeros(v: number): number {
  let t = 0;
  for (let x = Math.abs(v); x > 0 && x % 2 === 0; x /= 2) t++;
  return v === 0 ? 64 : t;
}

export interface LutTable {
  /** Levels as the hardware holds them (exactly representable in the LUT format). */
  levels: Float64Array;
  /** HIF: per-entry signed integers and the table exponent (level = mantissa · 2^exponent; shift-add: m · 2^s). */
  mantissas?: Int32Array;
  exponent?: number;
  /** Raw entry codes as stored (HIF mantissa as two's complement, shift-add shift and mantissa, BF16 bits). */
  entries: Uint32Array;
  /** Bits the table costs: entries × entry width (+ the exponent for HIF). */
  bits: number;
}

/** The smallest table exponent e for which every |level| / 2^e is at most `qmax`. */
function tableExponent(levels: ArrayLike<number>, qmax: number): number {
  let amax = 0;
  for (let i = 0; i < levels.length; i++) amax = Math.max(amax, Math.abs(levels[i]));
  let e = amax > 0 ? floorLog2(amax / qmax) : 0;
  while (amax / 2 ** e > qmax) e++;
  while (e > -1000 && amax / 2 ** (e - 1) <= qmax) e--;
  return e;
}

/** Round levels onto a LUT format's grid. */
export function toLutTable(levels: ArrayLike<number>, f: LutFormat): LutTable {
  const n = levels.length;
  const out = new Float64Array(n);
  const entries = new Uint32Array(n);
  if (f.kind === 'exact') {
    for (let i = 0; i < n; i++) out[i] = levels[i];
    return { levels: out, entries, bits: 64 * n };
  }
  if (f.kind === 'bf16') {
    for (let i = 0; i < n; i++) {
      entries[i] = bf16Bits(levels[i]);
      out[i] = bf16Value(entries[i]);
    }
    return { levels: out, entries, bits: 16 * n };
  }
  if (f.kind === 'hifsa') return toShiftAddTable(levels, f);
  // HIF: the smallest exponent for which every |level| / 2^e fits the symmetric range ±(2^(b-1) - 1)
  const e = tableExponent(levels, 2 ** (f.mantissaBits - 1) - 1);
  const mantissas = new Int32Array(n);
  const scale = 2 ** e;
  for (let i = 0; i < n; i++) {
    const q = levels[i] / scale;
    const r = roundHalfEven(q);
    mantissas[i] = r;
    out[i] = r * scale;
    entries[i] = r & ((1 << f.mantissaBits) - 1);
  }
  return { levels: out, mantissas, exponent: e, entries, bits: f.mantissaBits * n + f.exponentBits };
}

/**
 * Shift-add HIF: the smallest table exponent for which every |level| / 2^e fits ±(2^(b-1) - 1) · 2^shiftMax,
 * then each level to the nearest grid integer (ties to the one with more trailing zeros, then the smaller).
 */
function toShiftAddTable(levels: ArrayLike<number>, f: Extract<LutFormat, { kind: 'hifsa' }>): LutTable {
  const n = levels.length;
  const { values, codes } = shiftAddGrid(f);
  const e = tableExponent(levels, (2 ** (f.mantissaBits - 1) - 1) * 2 ** f.shiftMax);
  const scale = 2 ** e;
  const out = new Float64Array(n);
  const mantissas = new Int32Array(n);
  const entries = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const q = levels[i] / scale;
    // binary search for the first grid value >= q
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] < q) lo = mid + 1;
      else hi = mid;
    }
    let k = lo;
    if (lo > 0) {
      const dDown = q - values[lo - 1];
      const dUp = values[lo] - q;
      if (dDown < dUp || (dDown === dUp && trailingZeros(values[lo - 1]) > trailingZeros(values[lo]))) k = lo - 1;
      else if (dDown === dUp && trailingZeros(values[lo - 1]) === trailingZeros(values[lo]) && Math.abs(values[lo - 1]) < Math.abs(values[lo])) k = lo - 1;
    }
    mantissas[i] = values[k];
    out[i] = values[k] * scale;
    entries[i] = codes[k];
  }
  return { levels: out, mantissas, exponent: e, entries, bits: (f.mantissaBits + f.shiftBits) * n + f.exponentBits };
}
