// Input streams for the gate-level characterisation: what one MAC of the decode datapath sees, step by step,
// on a real quantized layer: the weights of a row in order (their codes and LUT entries), each times its
// activation, accumulated over the row and cleared at the next. The activations are not in a weight file, so
// they are seeded standard normal values rounded to BF16 (one per input column, aligned per block of 16 to
// the block's largest exponent as the HIF path does).

import seedrandom from 'seedrandom';
import { bf16Bits } from '../../quant/formats/bits.js';
import { parseLutFormat, toLutTable } from '../../quant/codebooks/lut-format.js';
import { blockOf, type QuantizedLayer } from '../../quant/layer.js';
import type { PortDrive } from './circuits.js';

/** One word per step of every driven stream. */
export interface Streams {
  steps: number;
  entry: Int32Array;
  entry_sa: Int32Array;
  code: Int32Array;
  bf16_entry: Int32Array;
  act_bf16: Int32Array;
  act_sig: Int32Array;
  act_shift: Int32Array;
  /** Seed of the `random` and `const` ports' bits (each port its own generator). */
  seed: string;
  /** Steps between accumulator clears (the dot-product length of a feedback port). */
  every: number;
}

/** Standard normal from two uniforms (Box-Muller). */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export function layerStreams(q: QuantizedLayer, opts: { steps?: number; seed?: string } = {}): Streams {
  const seed = opts.seed ?? 'sopsim-synth';
  const n = q.geom.rows * q.geom.cols;
  const steps = Math.min(opts.steps ?? 4096, n);
  const rng = seedrandom.alea(`${seed}/activations`);
  const x = Float64Array.from({ length: q.geom.cols }, () => normal(rng));
  const exp = (v: number) => (bf16Bits(v) >>> 7) & 0xff;
  const s: Streams = { steps, entry: new Int32Array(steps), entry_sa: new Int32Array(steps), code: new Int32Array(steps), bf16_entry: new Int32Array(steps), act_bf16: new Int32Array(steps), act_sig: new Int32Array(steps), act_shift: new Int32Array(steps), seed, every: q.geom.cols };
  const g = 16;
  // each book's levels as hif7sa entries (shift << 5 | mantissa)
  const sa = parseLutFormat('hif7sa');
  const saCodes = q.books.map((b) => toLutTable(b.table, sa).entries);
  for (let t = 0; t < steps; t++) {
    const i = t;
    const col = i % q.geom.cols;
    const book = q.books[q.sel ? q.sel[blockOf(q.geom, i)] : 0];
    const code = q.codes[i];
    s.code[t] = code;
    s.entry[t] = book.hif ? book.hif.mantissas[code] : code;
    s.entry_sa[t] = saCodes[q.books.indexOf(book)][code];
    s.bf16_entry[t] = bf16Bits(book.table[code]);
    const a = bf16Bits(x[col]);
    s.act_bf16[t] = a;
    s.act_sig[t] = 0x80 | (a & 0x7f);
    const b0 = col - (col % g);
    let emax = 0;
    for (let k = b0; k < Math.min(b0 + g, q.geom.cols); k++) emax = Math.max(emax, exp(x[k]));
    s.act_shift[t] = Math.min(7, emax - exp(x[col]));
  }
  return s;
}

/** Toggles per bit per step of a stream of `bits`-bit words. */
export function toggleRate(words: Int32Array, bits: number): number {
  let t = 0;
  for (let i = 1; i < words.length; i++) {
    let v = (words[i] ^ words[i - 1]) & (2 ** bits - 1);
    while (v) {
      t += v & 1;
      v >>>= 1;
    }
  }
  return words.length > 1 ? t / ((words.length - 1) * bits) : 0;
}

/** The measured toggle rates of the streams (for the table's header). */
export function streamActivities(s: Streams): Record<string, number> {
  const r = (w: Int32Array, b: number) => Number(toggleRate(w, b).toFixed(4));
  return { entry: r(s.entry, 8), entry_sa: r(s.entry_sa, 7), code: r(s.code, 4), bf16_entry: r(s.bf16_entry, 16), act_bf16: r(s.act_bf16, 16), act_sig: r(s.act_sig, 8), act_shift: r(s.act_shift, 3), random: 0.5, const: 0 };
}

/**
 * A drive function for the gate simulator: each port's word at `step`. `feedback` ports read the output
 * named `out` of the previous step, cleared every `every` steps; `const` ports hold seeded bits.
 */
export function driver(s: Streams, ports: Record<string, PortDrive>, widths: Record<string, number>, out = 'y'): (step: number, prev: Record<string, bigint>) => Record<string, bigint> {
  const rngs = new Map(Object.keys(ports).map((p) => [p, seedrandom.alea(`${s.seed}/${p}`)]));
  const bits = (p: string, w: number) => {
    const rng = rngs.get(p)!;
    let v = 0n;
    for (let k = 0; k < w; k += 32) v |= BigInt((rng.int32() >>> 0) >>> Math.max(0, k + 32 - w)) << BigInt(k);
    return v & ((1n << BigInt(w)) - 1n);
  };
  const constants = new Map<string, bigint>();
  for (const [p, d] of Object.entries(ports)) if (d === 'const') constants.set(p, bits(p, widths[p]));
  const mask = (v: number, w: number) => BigInt(v) & ((1n << BigInt(w)) - 1n);
  return (step, prev) => {
    const o: Record<string, bigint> = {};
    for (const [p, d] of Object.entries(ports)) {
      const w = widths[p];
      switch (d) {
        case 'const': o[p] = constants.get(p)!; break;
        case 'random': o[p] = bits(p, w); break;
        case 'feedback': o[p] = step % s.every === 0 ? 0n : (prev[out] ?? 0n) & ((1n << BigInt(w)) - 1n); break;
        default: o[p] = mask(s[d][step], w);
      }
    }
    return o;
  };
}
