// One generic minifloat codec for every element and scale format (docs/MODEL.md §1).
// A format is sign (or none), E exponent bits, M mantissa bits, a bias and a rule for special codes.
// Decoding is a table lookup; encoding is round-to-nearest-even onto the finite grid, saturating.

/** How the top of the exponent range is used. */
export type SpecialRule =
  | 'ieee' // all-ones exponent: infinities (mantissa 0) and NaNs (IEEE 754, OCP E5M2)
  | 'fn' // only all-ones exponent and mantissa is NaN, no infinities (OCP E4M3 "FN")
  | 'finite' // every code is a finite number (OCP FP6/FP4, our UE4M4)
  | 'e8m0'; // exponent only, no zero, all-ones is NaN (OCP MX scale E8M0)

export interface MinifloatSpec {
  name: string;
  signed: boolean;
  e: number;
  m: number;
  bias: number;
  special: SpecialRule;
  /** Bits a code occupies in storage; defaults to sign + e + m (UE4M3 sits in an 8-bit container). */
  storageBits?: number;
}

export class Minifloat {
  readonly name: string;
  readonly signed: boolean;
  readonly e: number;
  readonly m: number;
  readonly bias: number;
  readonly special: SpecialRule;
  /** Bits of the code itself (sign + exponent + mantissa). */
  readonly codeBits: number;
  /** Bits one value occupies in a packed stream. */
  readonly bits: number;
  /** Value of every code, NaN for NaN codes, ±Infinity for infinities. */
  readonly values: Float64Array;
  readonly maxFinite: number;
  /** Smallest positive value (subnormal where the format has them). */
  readonly minPositive: number;
  readonly hasNaN: boolean;
  /** Finite non-negative magnitudes in increasing order, with their (sign-0) codes. */
  readonly mags: Float64Array;
  readonly magCodes: Uint32Array;
  /** mids[i] = (mags[i] + mags[i+1]) / 2: the rounding thresholds. */
  readonly mids: Float64Array;
  private readonly signBit: number;

  constructor(spec: MinifloatSpec) {
    this.name = spec.name;
    this.signed = spec.signed;
    this.e = spec.e;
    this.m = spec.m;
    this.bias = spec.bias;
    this.special = spec.special;
    this.codeBits = (spec.signed ? 1 : 0) + spec.e + spec.m;
    this.bits = spec.storageBits ?? this.codeBits;
    if (this.codeBits > 16) throw new Error(`format ${spec.name}: at most 16 code bits are tabulated`);
    const n = 1 << this.codeBits;
    this.signBit = spec.signed ? 1 << (spec.e + spec.m) : 0;
    this.values = new Float64Array(n);
    for (let c = 0; c < n; c++) this.values[c] = this.decodeField(c);

    const positives: Array<[number, number]> = [];
    for (let c = 0; c < n; c++) {
      if (this.signBit && (c & this.signBit)) continue;
      const v = this.values[c];
      if (Number.isFinite(v)) positives.push([v, c]);
    }
    positives.sort((a, b) => a[0] - b[0]);
    this.mags = Float64Array.from(positives, (p) => p[0]);
    this.magCodes = Uint32Array.from(positives, (p) => p[1]);
    this.mids = new Float64Array(Math.max(0, this.mags.length - 1));
    for (let i = 0; i < this.mids.length; i++) this.mids[i] = (this.mags[i] + this.mags[i + 1]) / 2;
    this.maxFinite = this.mags[this.mags.length - 1];
    this.minPositive = this.mags[0] > 0 ? this.mags[0] : this.mags[1];
    this.hasNaN = this.values.some((v) => Number.isNaN(v));
  }

  private decodeField(code: number): number {
    const { e, m, bias } = this;
    const sign = this.signBit && code & this.signBit ? -1 : 1;
    const mag = code & ((1 << (e + m)) - 1);
    const ef = mag >> m;
    const mf = mag & ((1 << m) - 1);
    const eMax = (1 << e) - 1;
    if (this.special === 'e8m0') return ef === eMax ? NaN : 2 ** (ef - bias);
    if (this.special === 'ieee' && ef === eMax) return mf === 0 ? sign * Infinity : NaN;
    if (this.special === 'fn' && ef === eMax && mf === (1 << m) - 1) return NaN;
    if (ef === 0) return sign * 2 ** (1 - bias) * (mf / (1 << m));
    return sign * 2 ** (ef - bias) * (1 + mf / (1 << m));
  }

  /** Value of a code. */
  decode(code: number): number {
    return this.values[code];
  }

  /** Index into `mags` of the nearest magnitude to a ≥ 0 (ties to the even code, saturating). */
  nearestMagIndex(a: number): number {
    const mids = this.mids;
    let lo = 0;
    let hi = mids.length; // answer in [0, mids.length]
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (mids[mid] < a) lo = mid + 1;
      else hi = mid;
    }
    // a <= mids[lo] (or lo is the last magnitude); at an exact tie pick the even code
    if (lo < mids.length && a === mids[lo] && (this.magCodes[lo] & 1) === 1) return lo + 1;
    return lo;
  }

  /** Code of the representable value nearest to x: round to nearest even, saturate, never NaN for a number. */
  encode(x: number): number {
    if (Number.isNaN(x)) {
      if (!this.hasNaN) throw new Error(`format ${this.name} has no NaN`);
      return this.values.findIndex((v) => Number.isNaN(v));
    }
    if ((x < 0 || Object.is(x, -0)) && this.signed) return this.magCodes[this.nearestMagIndex(-x)] | this.signBit; // -0 keeps its sign
    if (x < 0) return this.magCodes[0]; // unsigned: the nearest value to a negative number is the smallest
    return this.magCodes[this.nearestMagIndex(x)];
  }

  /** Nearest representable value (RNE, saturating). */
  quantize(x: number): number {
    return this.values[this.encode(x)];
  }
}
