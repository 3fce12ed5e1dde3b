// Weight inputs: safetensors (F32/F16/BF16), .npy (C and Fortran order), the seeded synthetic generator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWeights } from '../../quant/io/load.js';
import { sampleRows } from '../../quant/io/tensor.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { f32Bytes, npyBytes, safetensorsBytes } from '../helpers/files.js';

const dir = mkdtempSync(join(tmpdir(), 'io-'));

describe('safetensors', () => {
  it('reads F32, F16 and BF16 matrices and lists only 2-D tensors', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3800, 0x0001]).buffer); // 1, -2, 0.5, 2^-24
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040, 0x3e00, 0x0000]).buffer); // 1, -3, 0.125, 0
    const p = join(dir, 'a.safetensors');
    writeFileSync(p, safetensorsBytes({
      w32: { dtype: 'F32', shape: [2, 2], data: f32Bytes([1.5, -2.25, 3, 4]) },
      w16: { dtype: 'F16', shape: [2, 2], data: f16 },
      wb: { dtype: 'BF16', shape: [1, 4], data: bf16 },
      norm: { dtype: 'F32', shape: [4], data: f32Bytes([1, 1, 1, 1]) },
    }));
    const src = openWeights(p);
    expect(src.tensors()).toEqual(['w32', 'w16', 'wb']);
    expect(Array.from(src.read('w32').data)).toEqual([1.5, -2.25, 3, 4]);
    expect(Array.from(src.read('w16').data)).toEqual([1, -2, 0.5, 2 ** -24]);
    expect(Array.from(src.read('wb').data)).toEqual([1, -3, 0.125, 0]);
    expect(() => src.read('norm')).toThrow(/tensor 'norm' is not 2-D/);
    expect(() => src.read('nope')).toThrow(/no tensor named 'nope'/);
  });
  it('names the file and the problem for truncated or corrupt files', () => {
    const good = safetensorsBytes({ w: { dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) } });
    const trunc = join(dir, 'trunc.safetensors');
    writeFileSync(trunc, good.subarray(0, good.length - 3));
    expect(() => openWeights(trunc)).toThrow(/trunc\.safetensors: tensor 'w': data_offsets \[0, 16\] outside/);
    const tiny = join(dir, 'tiny.safetensors');
    writeFileSync(tiny, good.subarray(0, 5));
    expect(() => openWeights(tiny)).toThrow(/tiny\.safetensors: truncated safetensors file/);
    const corrupt = join(dir, 'corrupt.safetensors');
    const c = Buffer.from(good);
    c[10] = 0x7b;
    c[11] = 0x7b;
    writeFileSync(corrupt, c);
    expect(() => openWeights(corrupt)).toThrow(/corrupt\.safetensors: corrupt safetensors header/);
  });
});

describe('.npy', () => {
  it('reads C and Fortran order, f4 and f8', () => {
    const c = join(dir, 'c.npy');
    writeFileSync(c, npyBytes([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(Array.from(openWeights(c).read('c').data)).toEqual([1, 2, 3, 4, 5, 6]);
    const f = join(dir, 'f.npy');
    writeFileSync(f, npyBytes([2, 3], [1, 4, 2, 5, 3, 6], '<f8', true));
    expect(Array.from(openWeights(f).read('f').data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('rejects truncated, non-2-D and unsupported arrays naming the file', () => {
    const t = join(dir, 't.npy');
    writeFileSync(t, npyBytes([2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 140));
    expect(() => openWeights(t).read('t')).toThrow(/t\.npy: truncated \.npy data/);
    const v = join(dir, 'v.npy');
    writeFileSync(v, npyBytes([6], [1, 2, 3, 4, 5, 6]));
    expect(() => openWeights(v).read('v')).toThrow(/v\.npy: array is not 2-D/);
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, Buffer.from('hello world, not numpy'));
    expect(() => openWeights(bad).read('bad')).toThrow(/bad\.npy: not a \.npy file/);
  });
});

describe('synthetic generator', () => {
  it('is seeded: same seed, same bytes; another seed, other bytes', () => {
    const a = synthesize({ dist: 't4', rows: 8, cols: 64, seed: 1 });
    const b = synthesize({ dist: 't4', rows: 8, cols: 64, seed: 1 });
    const c = synthesize({ dist: 't4', rows: 8, cols: 64, seed: 2 });
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(c.data.buffer))).toBe(false);
  });
  it('draws the named distributions (std ~0.02, heavier tails for t4 and laplace, outlier channels)', () => {
    const stats = (d: string) => {
      const t = synthesize({ dist: d, rows: 256, cols: 512, seed: 3 });
      let s2 = 0;
      let s4 = 0;
      for (const x of t.data) {
        s2 += x * x;
        s4 += x ** 4;
      }
      const n = t.data.length;
      return { std: Math.sqrt(s2 / n), kurt: s4 / n / (s2 / n) ** 2, t };
    };
    const g = stats('gaussian');
    expect(g.std).toBeCloseTo(0.02, 3);
    expect(g.kurt).toBeGreaterThan(2.9);
    expect(g.kurt).toBeLessThan(3.1);
    expect(stats('laplace').kurt).toBeGreaterThan(5);
    const t4 = stats('t4');
    expect(t4.kurt).toBeGreaterThan(5);
    expect(t4.std).toBeCloseTo(0.02, 2);
    expect(stats('t8').kurt).toBeLessThan(t4.kurt);
    const o = stats('outlier').t;
    const colRms = Array.from({ length: 512 }, (_, j) => {
      let s = 0;
      for (let r = 0; r < 256; r++) s += o.data[r * 512 + j] ** 2;
      return Math.sqrt(s / 256);
    });
    expect(colRms.filter((v) => v > 0.1).length).toBeGreaterThanOrEqual(2);
  });
  it('draws every stride-th row on its own, byte for byte the rows of the full tensor', () => {
    for (const dist of ['gaussian', 't4', 'laplace', 'outlier']) {
      const spec = { dist, rows: 37, cols: 300, seed: 5 };
      const full = synthesize(spec);
      for (const stride of [2, 5, 8]) {
        const s = synthesize(spec, 'x', stride);
        expect(s.rows).toBe(Math.ceil(37 / stride));
        expect(Buffer.from(s.data.buffer).equals(Buffer.from(sampleRows(full, stride).data.buffer))).toBe(true);
      }
    }
  });
  it('rejects unknown distributions', () => {
    expect(() => synthesize({ dist: 'cauchy', rows: 2, cols: 2, seed: 1 })).toThrow(/unknown synthetic distribution/);
  });
});
