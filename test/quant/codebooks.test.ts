// Codebooks: NF4's published levels, BOF4/Split87 recomputed and pinned, SH4, DD4 fit, registry, LUT grids.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Codebook } from '../../quant/codebooks/codebook.js';
import { WeightedHistogram, fitDD4 } from '../../quant/codebooks/dd4.js';
import { NF4_LEVELS, SH4_LEVELS, bof4, split87 } from '../../quant/codebooks/fixed.js';
import { blockGaussianMse, bof4Levels, split87Levels } from '../../quant/codebooks/lloyd-max.js';
import { lutEntryBits, lutFormatName, parseLutFormat, shiftAddCode, shiftAddGrid, shiftAddValue, toLutTable } from '../../quant/codebooks/lut-format.js';
import { getCodebook, loadUserCodebook } from '../../quant/codebooks/registry.js';
import { normalSource } from '../../quant/io/synthetic.js';

describe('NF4', () => {
  it('has the 16 bitsandbytes levels to 1e-7', () => {
    const want = [-1, -0.6961928, -0.52507305, -0.39491749, -0.28444138, -0.18477343, -0.09105004, 0, 0.0795803, 0.1609302, 0.24611230, 0.33791524, 0.44070983, 0.562617, 0.72295684, 1];
    const nf4 = getCodebook('nf4');
    expect(nf4.size).toBe(16);
    want.forEach((v, i) => expect(Math.abs(nf4.levels[i] - v)).toBeLessThan(1e-7));
    expect(NF4_LEVELS.filter((v) => v < 0).length).toBe(7);
    expect(NF4_LEVELS.filter((v) => v > 0).length).toBe(8);
  });
});

describe('BOF4 and Split87 (Lloyd-Max for block-normalised Gaussians)', () => {
  for (const g of [8, 16, 32, 64]) {
    it(`g=${g}: the pinned tables equal a fresh computation`, () => {
      const b = bof4Levels(g);
      const s = split87Levels(g);
      b.forEach((v, i) => expect(Math.abs(v - bof4(g)[i])).toBeLessThan(2e-10));
      s.forEach((v, i) => expect(Math.abs(v - split87(g)[i])).toBeLessThan(2e-10));
    });
  }

  it('BOF4 is symmetric with ±1 fixed; Split87 has +1, 0, 8 positive and 7 negative levels', () => {
    const b = bof4(16);
    expect(b[0]).toBe(-1);
    expect(b[15]).toBe(1);
    for (let i = 0; i < 16; i++) expect(Math.abs(b[i] + b[15 - i])).toBeLessThan(1e-9);
    const s = split87(16);
    expect(s[15]).toBe(1);
    expect(s).toContain(0);
    expect(s.filter((v) => v > 0).length).toBe(8);
    expect(s.filter((v) => v < 0).length).toBe(7);
    expect(s[0]).toBeGreaterThan(-1);
  });

  it('Lloyd-Max beats NF4 on the density it was fitted to, and perturbing a level makes it worse', () => {
    const b = [...bof4(16)];
    const base = blockGaussianMse(16, b);
    expect(base).toBeLessThan(blockGaussianMse(16, [...NF4_LEVELS]));
    for (const i of [3, 7, 12]) {
      const p = b.slice();
      p[i] += 0.01;
      expect(blockGaussianMse(16, p)).toBeGreaterThan(base);
    }
  });

  it('each free BOF4 level is the (scale²-weighted) centroid of its cell on sampled Gaussian blocks', () => {
    // an independent Monte Carlo check of the centroid condition the quadrature solves
    const g = 16;
    const lv = [...bof4(g)];
    const normal = normalSource('bof4-mc');
    const s0 = new Float64Array(16);
    const s1 = new Float64Array(16);
    const x = new Float64Array(g);
    for (let blk = 0; blk < 60000; blk++) {
      let m = 0;
      for (let i = 0; i < g; i++) {
        x[i] = normal();
        m = Math.max(m, Math.abs(x[i]));
      }
      for (let i = 0; i < g; i++) {
        const y = x[i] / m;
        if (Math.abs(y) === 1) continue;
        let k = 0;
        while (k < 15 && (lv[k] + lv[k + 1]) / 2 < y) k++;
        s0[k] += m * m;
        s1[k] += m * m * y;
      }
    }
    for (let k = 1; k < 15; k++) expect(Math.abs(s1[k] / s0[k] - lv[k])).toBeLessThan(0.004);
  });
});

describe('SH4', () => {
  it('is the zero-free grid ±(k + 1/2)/7.5', () => {
    const want = [-7.5, -6.5, -5.5, -4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5].map((v) => v / 7.5);
    expect(SH4_LEVELS).toEqual(want);
    expect(SH4_LEVELS).not.toContain(0);
  });
});

describe('Codebook nearest-level search', () => {
  it('matches a brute-force search on random inputs and picks the lower index on exact ties', () => {
    const rng = seedrandom('nearest');
    for (const cb of [getCodebook('NF4'), getCodebook('BOF4'), getCodebook('SPLIT87'), getCodebook('SH4')]) {
      for (let t = 0; t < 20000; t++) {
        const y = (rng() * 2.4 - 1.2) * (t % 3 === 0 ? 0.05 : 1);
        let best = 0;
        for (let k = 1; k < cb.size; k++) if (Math.abs(cb.levels[k] - y) < Math.abs(cb.levels[best] - y)) best = k;
        expect(cb.nearest(y)).toBe(best);
      }
      for (let k = 0; k + 1 < cb.size; k++) expect(cb.nearest(cb.mids[k])).toBe(k);
    }
  });
});

describe('DD4', () => {
  it('weighted Lloyd keeps +1, lowers the weighted error from its NF4 start, and follows the weights', () => {
    const rng = seedrandom('dd4');
    const h = new WeightedHistogram();
    const ys: number[] = [];
    for (let i = 0; i < 50000; i++) {
      const y = Math.max(-1, Math.min(1, (rng() - 0.5) * 0.6 + (rng() < 0.1 ? 0.6 : 0)));
      ys.push(y);
      h.add(y, 1);
    }
    const lv = fitDD4(h);
    expect(lv).toContain(1);
    const err = (levels: readonly number[]) => ys.reduce((s, y) => s + Math.min(...levels.map((l) => (l - y) ** 2)), 0);
    expect(err(lv)).toBeLessThan(0.8 * err(NF4_LEVELS));
    // all mass in [0, 0.2] pulls every free level into it
    const h2 = new WeightedHistogram();
    for (let i = 0; i < 1000; i++) h2.add(0.2 * rng(), 1);
    const lv2 = fitDD4(h2);
    expect(lv2.filter((v) => v !== 1).every((v) => v > -0.01 && v < 0.21)).toBe(true);
  });
});

describe('registry', () => {
  it('loads a user codebook from JSON and rejects a malformed one naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-'));
    const good = join(dir, 'mine.json');
    writeFileSync(good, JSON.stringify({ name: 'Mine4', levels: Array.from({ length: 16 }, (_, i) => -1 + (2 * i) / 15) }));
    const cb = loadUserCodebook(good);
    expect(cb.name).toBe('Mine4');
    expect(getCodebook('mine4').size).toBe(16);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ levels: [1, 2, 3] }));
    expect(() => loadUserCodebook(bad)).toThrow(/bad\.json: field 'levels': expected an array of 16/);
    expect(() => getCodebook('nope')).toThrow(/unknown codebook 'nope'/);
  });
});

describe('LUT output formats', () => {
  it('HIF8 stores levels as 8-bit mantissas with one exponent; ±1 and E2M3 values exactly', () => {
    const t = toLutTable(NF4_LEVELS, parseLutFormat('hif8'));
    expect(t.exponent).toBe(-6);
    expect(t.levels[0]).toBe(-1);
    expect(t.levels[15]).toBe(1);
    for (let i = 0; i < 16; i++) {
      expect(Number.isInteger(t.mantissas![i])).toBe(true);
      expect(Math.abs(t.mantissas![i])).toBeLessThanOrEqual(127);
      expect(Math.abs(t.levels[i] - NF4_LEVELS[i])).toBeLessThanOrEqual(2 ** -7);
    }
    expect(t.bits).toBe(16 * 8 + 8);
    const e2m3 = [0, 0.125, 0.875, 1, 1.125, 7.5, -7.5];
    expect(Array.from(toLutTable(e2m3, parseLutFormat('hif8')).levels)).toEqual(e2m3);
  });
  it('a level that rounds to zero is +0, as the integer mantissa decodes it (never -0)', () => {
    const t = toLutTable([-1, -0.001, 1], parseLutFormat('hif8'));
    expect(Object.is(t.levels[1], 0)).toBe(true);
  });
  it('BF16 tables round each level to BF16', () => {
    const t = toLutTable([0.1, -0.7, 1], parseLutFormat('bf16'));
    expect(t.levels[0]).toBe(0.10009765625);
    expect(t.bits).toBe(48);
  });
  it('shift-add HIF (a reconstruction of the paper\'s HIF7 / HIF8): 80 and 96 distinct values, 7- and 8-bit entries', () => {
    const h7 = parseLutFormat('hif7sa');
    const h8 = parseLutFormat('hif8sa');
    if (h7.kind !== 'hifsa' || h8.kind !== 'hifsa') throw new Error('not shift-add');
    const g7 = shiftAddGrid(h7);
    const g8 = shiftAddGrid(h8);
    expect(g7.values.length).toBe(80);
    expect(g8.values.length).toBe(96);
    expect([g7.values[0], g7.values[79]]).toEqual([-128, 120]);
    expect([g8.values[0], g8.values[95]]).toEqual([-256, 240]);
    // an independent count: every m * 2^s, m in -16..15, as a set
    const set = new Set<number>();
    for (let sh = 0; sh <= 3; sh++) for (let m = -16; m < 16; m++) set.add(m * 2 ** sh);
    expect([...set].sort((a, b) => a - b)).toEqual(Array.from(g7.values));
    expect([lutEntryBits(h7), lutEntryBits(h8), lutFormatName(h7), lutFormatName(h8)]).toEqual([7, 8, 'hif7sa', 'hif8sa']);
    // codes: shift in the high bits, the smallest shift that reaches the value
    expect(shiftAddCode(h7, 15)).toBe(15);
    expect(shiftAddCode(h7, -16)).toBe(0b10000);
    expect(shiftAddCode(h7, 16)).toBe((1 << 5) | 8);
    expect(shiftAddCode(h7, -128)).toBe((3 << 5) | 0b10000);
    expect(() => shiftAddCode(h7, 17)).toThrow(/not on the hif7sa grid/);
    for (const v of g7.values) expect(shiftAddValue(h7, shiftAddCode(h7, v))).toBe(v);
  });
  it('shift-add tables: one exponent so the largest level fits 15 x 2^shiftMax; nearest grid value, ties to the evener', () => {
    const h7 = parseLutFormat('hif7sa');
    // max |level| 1 -> exponent -6 (1 = 64 x 2^-6 on the grid: 16 x 2^2), step 2^-6 near zero, 2^-3 at the top
    const t = toLutTable([1, -1, 0.5, 17 / 64, 0.3, 0.95], h7);
    expect(t.exponent).toBe(-6);
    expect(Array.from(t.mantissas!)).toEqual([64, -64, 32, 16, 20, 60]); // 17 -> 16 or 18: tie, 16 has more trailing zeros; 19.2 -> 20; 60.8 -> 60
    expect(Array.from(t.levels)).toEqual([1, -1, 0.5, 0.25, 20 / 64, 60 / 64]);
    expect(t.bits).toBe(6 * 7 + 8);
    // the FP6 and FP4 element grids sit on the hif7sa grid exactly (E2M3: 60 = 15 x 2^2 eighths)
    const e2m3 = [0, 0.125, 0.875, 1, 1.125, 2.25, 3.75, 7.5, -7.5];
    expect(Array.from(toLutTable(e2m3, h7).levels)).toEqual(e2m3);
    const e2m1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -6];
    expect(Array.from(toLutTable(e2m1, h7).levels)).toEqual(e2m1);
  });
  it('rejects unknown LUT formats', () => {
    expect(() => parseLutFormat('int9')).toThrow(/unknown LUT format/);
  });
  it('Codebook keeps duplicate levels after rounding (the hardware may waste an entry)', () => {
    const cb = new Codebook('dup', [0, 0, 1, -1]);
    expect(cb.size).toBe(4);
  });
});
