// Named number formats and the name parser (docs/MODEL.md §1, §8a).
// Names are case-insensitive; any `[U|S]E<e>M<m>` not listed is an all-finite minifloat with bias 2^(e-1)-1.

import { BadValueError } from '../io/tensor.js';
import { Minifloat, type MinifloatSpec } from './minifloat.js';

const KNOWN: Record<string, MinifloatSpec> = {
  // OCP 8-bit floating point (OFP8) rev 1.0
  E4M3: { name: 'E4M3', signed: true, e: 4, m: 3, bias: 7, special: 'fn' },
  E5M2: { name: 'E5M2', signed: true, e: 5, m: 2, bias: 15, special: 'ieee' },
  // OCP Microscaling (MX) v1.0 element formats
  E2M3: { name: 'E2M3', signed: true, e: 2, m: 3, bias: 1, special: 'finite' },
  E3M2: { name: 'E3M2', signed: true, e: 3, m: 2, bias: 3, special: 'finite' },
  E2M1: { name: 'E2M1', signed: true, e: 2, m: 1, bias: 1, special: 'finite' },
  // OCP MX v1.0 shared scale
  UE8M0: { name: 'UE8M0', signed: false, e: 8, m: 0, bias: 127, special: 'e8m0' },
  // NVFP4 block scale: E4M3 with the sign bit unused, stored in 8 bits
  UE4M3: { name: 'UE4M3', signed: false, e: 4, m: 3, bias: 7, special: 'fn', storageBits: 8 },
  // Our choice (docs/MODEL.md §1): unsigned E4M4, bias 7, every code finite, max 496
  UE4M4: { name: 'UE4M4', signed: false, e: 4, m: 4, bias: 7, special: 'finite' },
  // sop4's scale magnitude (the block field also holds a sign and the selection bit)
  UE4M2: { name: 'UE4M2', signed: false, e: 4, m: 2, bias: 7, special: 'finite' },
  // Reported scale formats (docs/MODEL.md §8a)
  UE5M7: { name: 'UE5M7', signed: false, e: 5, m: 7, bias: 15, special: 'finite' },
  S1E5M5: { name: 'S1E5M5', signed: true, e: 5, m: 5, bias: 15, special: 'finite' },
  // IEEE-style wide formats used for scales and residuals
  BF16: { name: 'BF16', signed: true, e: 8, m: 7, bias: 127, special: 'ieee' },
  FP16: { name: 'FP16', signed: true, e: 5, m: 10, bias: 15, special: 'ieee' },
};

const ALIASES: Record<string, string> = {
  E8M0: 'UE8M0',
  E8M7: 'BF16',
  E5M10: 'FP16',
  FP8: 'E4M3',
  'FP8-E4M3': 'E4M3',
  'FP8-E5M2': 'E5M2',
  'FP6-E2M3': 'E2M3',
  'FP6-E3M2': 'E3M2',
  FP4: 'E2M1',
  'FP4-E2M1': 'E2M1',
  HALF: 'FP16',
  SE5M5: 'S1E5M5',
};

const cache = new Map<string, Minifloat>();

/** Every format name the registry knows by name (the generic `[U]E<e>M<m>` form is also accepted). */
export function knownFormatNames(): string[] {
  return Object.keys(KNOWN);
}

/** The format called `name` (case-insensitive). Throws a one-line error for an unknown name. */
export function getFormat(name: string): Minifloat {
  const key = name.trim().toUpperCase();
  const canon = ALIASES[key] ?? key;
  const hit = cache.get(canon);
  if (hit) return hit;
  let spec = KNOWN[canon];
  if (!spec) {
    const m = /^(U|S1?)?E(\d+)M(\d+)$/.exec(canon);
    if (!m) throw new BadValueError(`unknown number format '${name}' (expected one of ${knownFormatNames().join(', ')} or [U]E<e>M<m>)`);
    const e = Number(m[2]);
    const mm = Number(m[3]);
    const signed = m[1] !== 'U';
    if (e < 1 || e > 8 || mm > 10 || (signed ? 1 : 0) + e + mm > 16)
      throw new BadValueError(`number format '${name}': exponent 1-8 bits, mantissa 0-10 bits, 16 bits in all`);
    spec = { name: canon, signed, e, m: mm, bias: 2 ** (e - 1) - 1, special: 'finite' };
  }
  const f = new Minifloat(spec);
  cache.set(canon, f);
  return f;
}

/** An operating point `<element>s<scale>` such as `E2M3sUE4M4`, or null when the name is not of that form. */
export function parseScaledName(name: string): { element: Minifloat; scale: Minifloat } | null {
  const m = /^([US]?E\d+M\d+)S([US]?\d*E\d+M\d+|BF16|FP16)$/i.exec(name.trim());
  if (!m) return null;
  return { element: getFormat(m[1]), scale: getFormat(m[2]) };
}
