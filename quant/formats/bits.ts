// Exact bit-level helpers on IEEE doubles and singles.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32s = new Uint32Array(f32.buffer);

/** floor(log2 |x|) exactly, for finite x != 0 (Math.log2 can round up just below a power of two). */
export function floorLog2(x: number): number {
  f64[0] = x;
  const hi = u32[1];
  const exp = (hi >>> 20) & 0x7ff;
  if (exp !== 0) return exp - 1023;
  // subnormal double: normalise by 2^64 first
  f64[0] = x * 2 ** 64;
  return ((u32[1] >>> 20) & 0x7ff) - 1023 - 64;
}

/** The bits of a float32 value. */
export function float32Bits(x: number): number {
  f32[0] = x;
  return u32s[0];
}

/** The float32 value of 32 bits. */
export function float32FromBits(bits: number): number {
  u32s[0] = bits >>> 0;
  return f32[0];
}

/** Round to BF16 (round to nearest even on the float32 bits) and return the 16-bit code. */
export function bf16Bits(x: number): number {
  f32[0] = x;
  const b = u32s[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return 0x7fc0; // NaN
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** The value of a BF16 code. */
export function bf16Value(code: number): number {
  u32s[0] = (code & 0xffff) << 16;
  return f32[0];
}

/** Round to the nearest integer, ties to even; never returns -0 (an integer field has no negative zero). */
export function roundHalfEven(q: number): number {
  const r = Math.round(q); // ties toward +∞
  return (r - q === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}
