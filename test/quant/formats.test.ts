// Number formats against the OCP OFP8 / MX v1.0 definitions: every code, every tie, saturation.
import { describe, expect, it } from 'vitest';
import { getFormat, parseScaledName } from '../../quant/formats/registry.js';
import { bf16Bits, bf16Value, floorLog2, roundHalfEven } from '../../quant/formats/bits.js';

/** Independent reference decoder written from the spec text, field by field. */
function refDecode(code: number, signed: boolean, e: number, m: number, bias: number, kind: string): number {
  const bits = code.toString(2).padStart((signed ? 1 : 0) + e + m, '0');
  const s = signed && bits[0] === '1' ? -1 : 1;
  const ebits = bits.slice(signed ? 1 : 0, (signed ? 1 : 0) + e);
  const mbits = bits.slice((signed ? 1 : 0) + e);
  const E = parseInt(ebits, 2);
  const M = m ? parseInt(mbits, 2) : 0;
  const allOnesE = E === 2 ** e - 1;
  if (kind === 'e8m0') return allOnesE ? NaN : 2 ** (E - bias);
  if (kind === 'ieee' && allOnesE) return M === 0 ? s * Infinity : NaN;
  if (kind === 'fn' && allOnesE && M === 2 ** m - 1) return NaN;
  if (E === 0) return s * 2 ** (1 - bias) * (M / 2 ** m);
  return s * 2 ** (E - bias) * (1 + M / 2 ** m);
}

const FORMATS: Array<[string, boolean, number, number, number, string, number]> = [
  // name, signed, e, m, bias, special, max finite
  ['E4M3', true, 4, 3, 7, 'fn', 448],
  ['E5M2', true, 5, 2, 15, 'ieee', 57344],
  ['E2M3', true, 2, 3, 1, 'finite', 7.5],
  ['E3M2', true, 3, 2, 3, 'finite', 28],
  ['E2M1', true, 2, 1, 1, 'finite', 6],
  ['UE8M0', false, 8, 0, 127, 'e8m0', 2 ** 127],
  ['UE4M3', false, 4, 3, 7, 'fn', 448],
  ['UE4M4', false, 4, 4, 7, 'finite', 496],
];

describe('every code of every format', () => {
  for (const [name, signed, e, m, bias, kind, max] of FORMATS) {
    it(`${name}: all ${2 ** ((signed ? 1 : 0) + e + m)} codes decode as the spec says, max ${max}`, () => {
      const f = getFormat(name);
      const n = 2 ** ((signed ? 1 : 0) + e + m);
      expect(f.values.length).toBe(n);
      for (let c = 0; c < n; c++) {
        const want = refDecode(c, signed, e, m, bias, kind);
        if (Number.isNaN(want)) expect(Number.isNaN(f.values[c]), `${name} code ${c}`).toBe(true);
        else expect(f.values[c], `${name} code 0x${c.toString(16)}`).toBe(want);
      }
      expect(f.maxFinite).toBe(max);
    });
  }

  it('pins values the OCP specs tabulate', () => {
    const e4m3 = getFormat('E4M3');
    expect(e4m3.values[0x7e]).toBe(448);
    expect(Number.isNaN(e4m3.values[0x7f])).toBe(true);
    expect(Number.isNaN(e4m3.values[0xff])).toBe(true);
    expect(e4m3.values[0x01]).toBe(2 ** -9); // min subnormal
    expect(e4m3.values[0x08]).toBe(2 ** -6); // min normal
    expect(e4m3.values.filter((v) => Number.isNaN(v)).length).toBe(2);
    const e5m2 = getFormat('E5M2');
    expect(e5m2.values[0x7b]).toBe(57344);
    expect(e5m2.values[0x7c]).toBe(Infinity);
    expect(e5m2.values[0xfc]).toBe(-Infinity);
    expect(e5m2.values[0x01]).toBe(2 ** -16);
    expect(e5m2.values.filter((v) => Number.isNaN(v)).length).toBe(6);
    expect(Array.from(getFormat('E2M1').mags)).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    expect(Array.from(getFormat('E2M3').mags.subarray(0, 9))).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]);
    expect(getFormat('E3M2').values[0x01]).toBe(0.0625);
    const e8 = getFormat('E8M0');
    expect(e8.values[0]).toBe(2 ** -127);
    expect(e8.values[127]).toBe(1);
    expect(e8.values[254]).toBe(2 ** 127);
    expect(Number.isNaN(e8.values[255])).toBe(true);
    const ue4m4 = getFormat('UE4M4');
    expect(ue4m4.minPositive).toBe(2 ** -10);
    expect(ue4m4.bits).toBe(8);
    expect(getFormat('UE4M3').bits).toBe(8);
    expect(getFormat('E2M3').bits).toBe(6);
  });
});

describe('rounding: nearest, ties to even, saturation', () => {
  for (const name of ['E4M3', 'E5M2', 'E2M3', 'E3M2', 'E2M1', 'UE8M0', 'UE4M3', 'UE4M4', 'UE4M2', 'BF16']) {
    it(`${name}: every tie between neighbours goes to the even code; off-tie goes to the nearer`, () => {
      const f = getFormat(name);
      let ties = 0;
      for (let i = 0; i + 1 < f.mags.length; i++) {
        const lo = f.mags[i];
        const hi = f.mags[i + 1];
        const mid = (lo + hi) / 2;
        if (mid === lo || mid === hi) continue; // no double strictly between (never for these formats)
        const evenIsHi = (f.magCodes[i + 1] & 1) === 0;
        expect(f.quantize(mid), `${name} tie ${lo}|${hi}`).toBe(evenIsHi ? hi : lo);
        expect((f.encode(mid) & 1) === 0, `${name} tie code is even`).toBe(true);
        const eps = (hi - lo) * 1e-6;
        expect(f.quantize(mid - eps)).toBe(lo);
        expect(f.quantize(mid + eps)).toBe(hi);
        if (f.signed) expect(f.quantize(-mid)).toBe(-(evenIsHi ? hi : lo));
        ties++;
        if (name === 'BF16' && ties > 4000) break; // BF16 has 32k: a long prefix covers every binade shape
      }
      expect(ties).toBeGreaterThan(0);
    });
    it(`${name}: saturates beyond the largest finite value, never NaN for a number`, () => {
      const f = getFormat(name);
      expect(f.quantize(f.maxFinite * 1.5)).toBe(f.maxFinite);
      expect(f.quantize(Infinity)).toBe(f.maxFinite);
      if (f.signed) expect(f.quantize(-1e300)).toBe(-f.maxFinite);
      else expect(f.quantize(-1)).toBe(f.mags[0]);
    });
  }

  it('E4M3 specific ties and rounding from the OFP8 spec', () => {
    const f = getFormat('E4M3');
    expect(f.quantize(0.3)).toBe(0.3125);
    expect(f.quantize(17)).toBe(16); // 16 | 18: tie, 16 has even mantissa
    expect(f.quantize(19)).toBe(20); // 18 | 20: tie, 20 even
    expect(f.quantize(464)).toBe(448); // beyond max saturates (no NaN)
    expect(f.quantize(2 ** -10)).toBe(0); // half of min subnormal: tie to 0 (even)
    expect(f.quantize(3 * 2 ** -10)).toBe(2 ** -8); // 1|2 subnormal steps: tie to code 2
  });

  it('BF16 rounding agrees with round-to-nearest-even on float32 bits', () => {
    const f = getFormat('BF16');
    for (const x of [1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159, -2.71828, 1e-3, 65504.5, 1 + 2 ** -8 + 2 ** -20]) {
      expect(f.quantize(x)).toBe(bf16Value(bf16Bits(x)));
    }
  });

  it('NaN in: formats with NaN return a NaN code, the others refuse', () => {
    expect(Number.isNaN(getFormat('E4M3').quantize(NaN))).toBe(true);
    expect(() => getFormat('E2M3').encode(NaN)).toThrow(/no NaN/);
  });
});

describe('names', () => {
  it('parse case-insensitively, with aliases and the generic form', () => {
    expect(getFormat('e4m3').name).toBe('E4M3');
    expect(getFormat('e8m0').name).toBe('UE8M0');
    expect(getFormat('Ue4M4').maxFinite).toBe(496);
    expect(getFormat('E3M4').maxFinite).toBe(2 ** 4 * (1 + 15 / 16)); // generic all-finite, bias 3
  });
  it('parse the <element>s<scale> notation', () => {
    const p = parseScaledName('E2M3sUE4M4')!;
    expect(p.element.name).toBe('E2M3');
    expect(p.scale.name).toBe('UE4M4');
    expect(parseScaledName('e2m1sue8m0')!.scale.name).toBe('UE8M0');
    expect(parseScaledName('nvfp4')).toBeNull();
  });
  it('reject unknown names with the list of known ones', () => {
    expect(() => getFormat('E9M9X')).toThrow(/unknown number format 'E9M9X'/);
  });
});

describe('bit helpers', () => {
  it('floorLog2 is exact at and just below powers of two', () => {
    for (let k = -1070; k < 1020; k += 7) {
      expect(floorLog2(2 ** k)).toBe(k);
      if (k > -1000) expect(floorLog2(2 ** k * (1 - 2 ** -52))).toBe(k - 1);
    }
  });
  it('roundHalfEven', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, -3.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, -4, 2, -3]);
    expect(Object.is(roundHalfEven(-0.2), 0)).toBe(true);
  });
});
