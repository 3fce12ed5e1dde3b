// Packed .sopw files: decoding the packed file gives exactly the quantizer's ŵ; every corruption is named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { bitsAccount, decodeLayer } from '../../quant/layer.js';
import { decodeSopw, encodeSopw, readSopw, writeSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { parseLutFormat } from '../../quant/codebooks/lut-format.js';

const dir = mkdtempSync(join(tmpdir(), 'sopw-'));
const t = synthesize({ dist: 'outlier', rows: 24, cols: 200, seed: 11 }); // 200 = partial blocks for g=16, 32, 64

describe('round trip: the packed file decodes to exactly ŵ', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['sop4', {}],
    ['sop4', { selInScale: true, scale: 'UE4M3' }],
    ['sop4', { lut: parseLutFormat('bf16') }],
    ['sop4', { lut: parseLutFormat('hif7sa') }],
    ['sop4', { lut: parseLutFormat('hif8sa'), pair: ['SH4', 'DD4'] }],
    ['E2M3sUE4M4', { lut: parseLutFormat('hif7sa') }],
    ['sop4', { lut: parseLutFormat('exact'), pair: ['SH4', 'DD4'] }],
    ['sop4', { pair: ['NF4', 'BOF4'] }],
    ['E2M3sUE4M4', {}],
    ['E3M2sUE8M0', {}],
    ['e4m3-pot', {}],
    ['mxfp8', {}],
    ['mxfp6-e2m3', {}],
    ['mxfp6-e3m2', {}],
    ['mxfp4', {}],
    ['nvfp4', {}],
    ['nf4-b64', {}],
    ['int4', {}],
    ['int8', {}],
  ];
  for (const [scheme, opt] of cases) {
    it(`${scheme} ${JSON.stringify(opt)}`, () => {
      const q = quantize(t, scheme, opt);
      const path = join(dir, `${scheme}.sopw`);
      writeSopw(path, q);
      const back = readSopw(path);
      const a = decodeLayer(q);
      const b = decodeLayer(back.layer);
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`weight ${i}: ${a[i]} != ${b[i]}`);
      expect(back.header.bpw).toBe(bitsAccount(q).bpw);
      expect(bitsAccount(back.layer)).toEqual(bitsAccount(q));
      expect(back.checks.every((c) => c.ok)).toBe(true);
      // the payload sections hold exactly the accounted bits (rounded up to whole bytes)
      const payload = back.header.sections.filter((s) => s.name !== 'tables').reduce((s, e) => s + e.length, 0);
      const acct = bitsAccount(q);
      expect(payload * 8).toBeGreaterThanOrEqual(acct.elementBits + acct.blockBits);
      expect(payload * 8).toBeLessThan(acct.elementBits + acct.blockBits + 3 * 8);
    });
  }
});

describe('validation names what is wrong', () => {
  const q = quantize(t, 'sop4');
  const good = encodeSopw(q);
  const mutate = (f: (b: Uint8Array) => Uint8Array | void) => {
    const b = Uint8Array.from(good);
    return f(b) ?? b;
  };
  const hlen = new DataView(good.buffer).getUint32(8, true);
  it('bad magic', () => expect(() => decodeSopw(mutate((b) => void (b[0] = 0x58)), 'x.sopw')).toThrow(/x\.sopw: not a \.sopw file/));
  it('truncated preamble', () => expect(() => decodeSopw(good.subarray(0, 10), 'x.sopw')).toThrow(/truncated \.sopw file/));
  it('truncated data', () => expect(() => decodeSopw(good.subarray(0, good.length - 7), 'x.sopw')).toThrow(/section '(indices|residuals)'.*beyond|data area/));
  it('flipped bit in the indices', () => expect(() => decodeSopw(mutate((b) => void (b[b.length - 5] ^= 1)), 'x.sopw')).toThrow(/section 'indices': CRC mismatch/));
  it('flipped bit in the header', () => expect(() => decodeSopw(mutate((b) => void (b[20] ^= 1)), 'x.sopw')).toThrow(/header: CRC mismatch/));
  it('trailing bytes', () => {
    const b = new Uint8Array(good.length + 3);
    b.set(good);
    expect(() => decodeSopw(b, 'x.sopw')).toThrow(/trailing bytes/);
  });
  it('unsupported version', () => expect(() => decodeSopw(mutate((b) => void (b[4] = 9)), 'x.sopw')).toThrow(/unsupported \.sopw version 9/));
  it('readSopw names a missing file', () => expect(() => readSopw(join(dir, 'none.sopw'))).toThrow(/none\.sopw: cannot read file/));
  it('writes atomically: no temporary file is left behind', () => {
    const p = join(dir, 'atomic.sopw');
    writeSopw(p, q);
    expect(readFileSync(p).length).toBe(good.length);
    writeFileSync(join(dir, 'keep'), '');
    expect(hlen).toBeGreaterThan(0);
  });
});
