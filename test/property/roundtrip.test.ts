// Round-trip properties, with fast-check drawing the cases (fixed seeds, so CI sees the same ones):
// every number format rounds to its nearest value with ties to even and decodes what it encodes; every
// codebook's nearest() is the true nearest level under its tie rule; bit packing round-trips at every width;
// quantize -> pack -> read -> decode gives ŵ bit for bit; and the simulator keeps its conservation laws, with
// event mode equal to fast mode, on random configurations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCodebook } from '../../quant/codebooks/registry.js';
import { Codebook } from '../../quant/codebooks/codebook.js';
import { getFormat, knownFormatNames } from '../../quant/formats/registry.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { decodeLayer } from '../../quant/layer.js';
import { packBits, unpackBits } from '../../quant/packed/bitstream.js';
import { decodeSopw, encodeSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { withResiduals } from '../../quant/sop/residuals.js';
import { runLayers } from '../../sim/datapath/report.js';
import { cfg, conservation, lanesAndRate, work } from '../helpers/sim.js';

const runs = (n: number, seed: number) => ({ numRuns: n, seed });

describe('number formats', () => {
  for (const name of knownFormatNames()) {
    const f = getFormat(name);
    const finite = Array.from(f.values).filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    it(`${name}: quantize(x) is a nearest finite value, ties to the even code, and encode/decode round-trip`, () => {
      // draws inside the range, at exact midpoints between neighbours, and beyond the range (saturation)
      const sorted = [...new Set(finite)].sort((a, b) => a - b);
      const mid = fc.integer({ min: 0, max: sorted.length - 2 }).map((i) => (sorted[i] + sorted[i + 1]) / 2);
      const inside = fc.double({ min: lo * 1.5 - 1, max: hi * 1.5 + 1, noNaN: true });
      fc.assert(
        fc.property(fc.oneof(inside, mid, fc.constantFrom(0, -0, hi, lo)), (x) => {
          const q = f.quantize(x);
          if (!Number.isFinite(q)) return false;
          const d = Math.abs(x - q);
          // no finite value is nearer
          for (const v of sorted) if (Math.abs(x - v) < d) return false;
          // at a tie, the code that won is even (or the magnitudes mirror on the negative side)
          const other = sorted.find((v) => v !== q && Math.abs(x - v) === d);
          if (other !== undefined && x >= lo && x <= hi) {
            const magCode = f.encode(Math.abs(q)) & ~(f.signed ? 1 << (f.codeBits - 1) : 0);
            if ((magCode & 1) !== 0) return false;
          }
          // decoding the code gives the value back, and re-encoding it is stable
          return Object.is(f.decode(f.encode(q)), q) || (q === 0 && f.decode(f.encode(q)) === 0);
        }),
        runs(1500, 1),
      );
    });
  }
});

describe('codebooks', () => {
  const books: Array<[string, Codebook]> = [
    ...['NF4', 'BOF4', 'Split87', 'SH4'].map((n) => [n, getCodebook(n, 16)] as [string, Codebook]),
    ['E2M3 grid', Codebook.fromFormat(getFormat('E2M3'))],
    ['E4M3 grid (binary search)', Codebook.fromFormat(getFormat('E4M3'))],
  ];
  for (const [name, cb] of books) {
    it(`${name}: nearest(y) follows the midpoint thresholds (ties by the book's rule) and is a nearest level`, () => {
      const lv = cb.levels;
      const mids = fc.integer({ min: 0, max: lv.length - 2 }).map((i) => (lv[i] + lv[i + 1]) / 2);
      const span = fc.double({ min: 1.2 * lv[0], max: 1.2 * lv[lv.length - 1], noNaN: true });
      fc.assert(
        fc.property(fc.oneof(span, mids), (y) => {
          const i = cb.nearest(y);
          // the rule: the level above every midpoint below y; at y exactly on midpoint k, tieUp[k] decides
          let want = 0;
          while (want < cb.mids.length && (cb.mids[want] < y || (cb.mids[want] === y && cb.tieUp[want] === 1))) want++;
          if (i !== want && lv[i] !== lv[want]) return false;
          // and that is a nearest level, up to the rounding of the midpoint itself (a few ulps)
          const d = Math.abs(y - lv[i]);
          for (let j = 0; j < lv.length; j++) if (Math.abs(y - lv[j]) < d - 4 * Number.EPSILON * Math.max(1, Math.abs(y))) return false;
          return true;
        }),
        runs(3000, 2),
      );
    });
  }
});

describe('bit packing', () => {
  it('unpack(pack(v, w), w) = v for every width 1..32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.array(fc.nat(), { maxLength: 70 }), (w, raw) => {
        const v = Uint32Array.from(raw, (x) => (w === 32 ? x >>> 0 : x % 2 ** w));
        const bytes = packBits(v, w);
        if (bytes.length !== Math.ceil((v.length * w) / 8)) return false;
        const out = new Uint32Array(v.length);
        unpackBits(bytes, v.length, w, out);
        return out.every((x, i) => x === v[i]);
      }),
      runs(2000, 3),
    );
  });

  it('lays fields out LSB first, bit by bit, for every width 1..32 (its fast paths included)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.array(fc.nat(), { maxLength: 70 }), (w, raw) => {
        const v = Uint32Array.from(raw, (x) => (w === 32 ? (x * 2654435761) >>> 0 : x % 2 ** w));
        const want = new Uint8Array(Math.ceil((v.length * w) / 8));
        for (let i = 0; i < v.length; i++) for (let j = 0; j < w; j++) if (Math.floor(v[i] / 2 ** j) % 2 === 1) want[(i * w + j) >> 3] |= 1 << ((i * w + j) & 7);
        const got = packBits(v, w);
        return got.length === want.length && got.every((x, i) => x === want[i]);
      }),
      runs(2000, 3),
    );
  });
});

describe('quantize -> pack -> read -> decode', () => {
  const schemes = ['sop4', 'sop4+res', 'sop4 sel-in-scale', 'E2M3sUE4M4', 'E3M2sUE4M4', 'e4m3-pot', 'nvfp4', 'mxfp4', 'mxfp6-e2m3', 'nf4-b64', 'int4', 'int8'];
  it('gives ŵ bit for bit, for random shapes (partial blocks included), distributions and schemes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('gaussian', 't4', 'laplace', 'outlier'),
        fc.nat(1000),
        fc.constantFrom(...schemes),
        fc.constantFrom(8, 16, 32),
        (rows, cols, dist, seed, scheme, block) => {
          const t = synthesize({ dist, rows, cols, seed });
          const base = scheme.split(' ')[0].replace('+res', '');
          let q = quantize(t, base, { block, selInScale: scheme.endsWith('sel-in-scale') });
          if (scheme.endsWith('+res')) q = withResiduals(t, q, 2);
          const back = decodeSopw(encodeSopw(q)).layer;
          const a = decodeLayer(q);
          const b = decodeLayer(back);
          return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
        },
      ),
      runs(400, 4),
    );
  });
});

describe('simulator on random configurations', () => {
  const layers = {
    sop4: quantize(synthesize({ dist: 't4', rows: 12, cols: 72, seed: 1 }), 'sop4'),
    fp6: quantize(synthesize({ dist: 't4', rows: 12, cols: 72, seed: 2 }), 'E2M3sUE4M4'),
    res: withResiduals(synthesize({ dist: 't4', rows: 12, cols: 72, seed: 3 }), quantize(synthesize({ dist: 't4', rows: 12, cols: 72, seed: 3 }), 'sop4'), 1),
  };
  it('conserves weights, energy and cycles, and event mode equals fast mode', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sop4', 'fp6', 'res') as fc.Arbitrary<keyof typeof layers>,
        fc.constantFrom('sop-hif', 'sop-bf16lut'),
        fc.record({
          'lut.capacity_bytes': fc.constantFrom(128, 256, 1024, 8192, 65536),
          'lut.replicas': fc.integer({ min: 1, max: 8 }),
          'lut.banks': fc.constantFrom(1, 2, 4),
          'unpacker.lanes': fc.constantFrom(8, 16, 32, 64),
        }),
        fc.integer({ min: 1, max: 4 }),
        (which, hw, sets, tokens) => {
          const q = layers[which];
          let c;
          try {
            c = cfg(hw, sets);
          } catch {
            return true; // a combination the schema refuses (e.g. a LUT smaller than its banks) is not a case
          }
          const fast = runLayers(c, [work(q, c, tokens)], { mode: 'fast' }).total;
          const event = runLayers(c, [work(q, c, tokens)], { mode: 'event' }).total;
          expect(event.counters).toEqual(fast.counters);
          expect(event.cycles).toBe(fast.cycles);
          conservation(fast, q, tokens, ...lanesAndRate(c));
          return true;
        },
      ),
      runs(150, 5),
    );
  });
});
