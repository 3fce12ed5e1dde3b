// The LUT output format: how decoded levels are stored in the LUT SRAM / ROM (docs/MODEL.md §8, HIF output path).
// HIF stores each level as a short signed integer mantissa with one exponent per table; the baseline
// stores BF16. The quantizer rounds levels to the chosen grid so its errors match what the hardware computes.

import { bf16Bits, bf16Value, floorLog2, roundHalfEven } from '../formats/bits.js';

export type LutFormat = { kind: 'hif'; mantissaBits: number; exponentBits: number } | { kind: 'bf16' } | { kind: 'exact' };

export const DEFAULT_LUT: LutFormat = { kind: 'hif', mantissaBits: 8, exponentBits: 8 };

/** Parse `hif8` / `hif<N>`, `bf16` or `exact`. */
export function parseLutFormat(name: string): LutFormat {
  const s = name.trim().toLowerCase();
  if (s === 'bf16') return { kind: 'bf16' };
  if (s === 'exact' || s === 'fp64') return { kind: 'exact' };
  const m = /^hif(\d+)$/.exec(s);
  if (m) {
    const bits = Number(m[1]);
    if (bits < 3 || bits > 16) throw new Error(`LUT format '${name}': HIF mantissa must be 3 to 16 bits`);
    return { kind: 'hif', mantissaBits: bits, exponentBits: 8 };
  }
  throw new Error(`unknown LUT format '${name}' (expected hif<N> such as hif8, bf16 or exact)`);
}

export function lutFormatName(f: LutFormat): string {
  return f.kind === 'hif' ? `hif${f.mantissaBits}` : f.kind;
}

/** Bits one LUT entry occupies. */
export function lutEntryBits(f: LutFormat): number {
  return f.kind === 'hif' ? f.mantissaBits : f.kind === 'bf16' ? 16 : 64;
}

export interface LutTable {
  /** Levels as the hardware holds them (exactly representable in the LUT format). */
  levels: Float64Array;
  /** HIF: per-entry signed integer mantissas and the table exponent (level = mantissa · 2^exponent). */
  mantissas?: Int32Array;
  exponent?: number;
  /** Raw entry codes as stored (HIF mantissa as two's complement, BF16 bits). */
  entries: Uint32Array;
  /** Bits the table costs: entries × entry width (+ the exponent for HIF). */
  bits: number;
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
  // HIF: the smallest exponent for which every |level| / 2^e fits the symmetric range ±(2^(b-1) - 1)
  const qmax = 2 ** (f.mantissaBits - 1) - 1;
  let amax = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(levels[i]));
  let e = amax > 0 ? floorLog2(amax / qmax) : 0;
  while (amax / 2 ** e > qmax) e++;
  while (e > -1000 && amax / 2 ** (e - 1) <= qmax) e--;
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
