// The block-scale search in WebAssembly gives the JavaScript search's results bit for bit: errors (down to
// the last bit, Infinity where a bound is not beaten), scale codes and element codes, on every kind of
// grid the quantizer uses, with and without importance, signs and bounds, partial last blocks, zero
// blocks, exact rounding ties and rows spread over several chunks. (`npm test` builds the module first.)
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Codebook } from '../../quant/codebooks/codebook.js';
import { getCodebook } from '../../quant/codebooks/registry.js';
import { getFormat } from '../../quant/formats/registry.js';
import { geometry } from '../../quant/layer.js';
import { gridSpec, runScaleSearch, runScaleSearchJs } from '../../quant/parallel/tasks.js';
import type { ScaleSearchTask } from '../../quant/parallel/threads.js';
import { ScaleGrid, blockEncode, blockStats, forEachBlock } from '../../quant/sop/kernels.js';
import { encodeWasm, scaleSearchWasm, wasmKernel } from '../../quant/sop/wasm-kernel.js';

const rng = seedrandom('wasm-kernel');

function grids(): Codebook[] {
  const dd4 = Array.from({ length: 16 }, (_, i) => (i === 0 ? -1 : i === 15 ? 1 : (rng() * 2 - 1) * 0.99));
  return [
    getCodebook('NF4', 16),
    getCodebook('BOF4', 16),
    getCodebook('SPLIT87', 16),
    getCodebook('SH4', 32),
    new Codebook('DD4', dd4, 'data-dependent'),
    new Codebook('DUP', [-1, -0.5, -0.5, 0, 0.25, 0.25, 0.5, 1], 'user'),
    Codebook.fromFormat(getFormat('E2M1')),
    Codebook.fromFormat(getFormat('E2M3')),
    Codebook.fromFormat(getFormat('E3M2')),
  ];
}

/** A layer whose weights are often exact multiples of small powers of two, so rounding ties occur. */
function layer(rows: number, cols: number): Float32Array {
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) {
    const u = rng();
    if (u < 0.3) w[i] = (Math.floor(rng() * 64) - 32) * 2 ** -Math.floor(rng() * 6 + 3); // grid points and midpoints
    else if (u < 0.35) w[i] = 0;
    else w[i] = (rng() - 0.5) * (rng() < 0.05 ? 2 : 0.1);
  }
  // a row of zeros: blocks with amax = 0
  if (rows > 2) w.fill(0, cols, 2 * cols);
  return w;
}

/** Index of the first element whose bits differ, or -1 (exact, and fast on millions of elements). */
function firstDifference(a: ArrayBufferView | null, b: ArrayBufferView | null): number {
  if (a === null || b === null) return a === b ? -1 : 0;
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (x.equals(y)) return -1;
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return i;
}

function expectSame(wasm: ReturnType<typeof search>, js: ReturnType<typeof search>): void {
  expect(firstDifference(wasm.err, js.err)).toBe(-1);
  expect(firstDifference(wasm.mag, js.mag)).toBe(-1);
  expect(firstDifference(wasm.codes, js.codes)).toBe(-1);
}

function search(
  run: (t: ScaleSearchTask) => void,
  base: Omit<ScaleSearchTask, 'outErr' | 'outMag' | 'outCodes'>,
  withCodes: boolean,
): { err: Float64Array; mag: Uint16Array; codes: Uint8Array | null } {
  const blocks = base.rows * Math.ceil(base.cols / base.block);
  const out = { err: new Float64Array(blocks).fill(-1), mag: new Uint16Array(blocks), codes: withCodes ? new Uint8Array(base.rows * base.cols) : null };
  run({ ...base, outErr: out.err, outMag: out.mag, outCodes: out.codes });
  return out;
}

describe('block-scale search in WebAssembly', () => {
  it('is built and loads', () => {
    expect(wasmKernel(), 'dist/quant/sop/wasm/scale-search.wasm is missing: run npm run build').not.toBeNull();
  });

  it('matches the JavaScript search bit for bit on 240 random layers', () => {
    const scaleFormats: Array<[string, boolean]> = [
      ['E4M3', false],
      ['E4M3', true],
      ['UE4M4', false],
      ['UE8M0', false],
      ['UE4M2', true],
    ];
    let compared = 0;
    let ties = 0;
    let bounded = 0;
    for (let trial = 0; trial < 240; trial++) {
      const g = grids()[trial % 9];
      const [scaleFormat, evenCodesOnly] = scaleFormats[trial % scaleFormats.length];
      const block = [16, 32, 8][trial % 3];
      const rows = 1 + Math.floor(rng() * 12);
      const cols = 1 + Math.floor(rng() * 100);
      const data = layer(rows, cols);
      const geom = geometry(rows, cols, block);
      const st = blockStats(data, geom);
      const signed = rng() < 0.7;
      const sg = new ScaleGrid(getFormat(scaleFormat), evenCodesOnly);
      const ts = 2 ** Math.floor(rng() * 8 - 10);
      const aw2 = rng() < 0.5 ? null : Float64Array.from({ length: cols }, () => (rng() < 0.1 ? 0 : rng() * 10));
      const base = {
        kind: 'scale-search' as const,
        data,
        rows,
        cols,
        block,
        r0: 0,
        r1: rows,
        grid: gridSpec(g),
        scaleFormat,
        evenCodesOnly,
        neighbours: Math.floor(rng() * 4),
        ts,
        aw2,
        amax: st.amax,
        negative: signed ? st.negative : null,
        argmaxCol: st.argmaxCol,
        bound: null,
      };
      const withCodes = rng() < 0.5;
      const js = search(runScaleSearchJs, base, withCodes);
      const wasm = search((t) => expect(scaleSearchWasm({ ...t, grid: g, sg })).toBe(true), base, withCodes);
      expectSame(wasm, js);
      // bounds: some below, some exactly at, some above the unbounded error (only strictly less wins)
      const bound = Float64Array.from(js.err, (e) => [e * 0.5, e, e * 1.5, Infinity][Math.floor(rng() * 4)]);
      const jsB = search(runScaleSearchJs, { ...base, bound }, false);
      const wasmB = search((t) => expect(scaleSearchWasm({ ...t, grid: g, sg })).toBe(true), { ...base, bound }, false);
      expectSame(wasmB, jsB);
      bounded += jsB.err.filter((e) => e === Infinity).length;
      // count weights at a power-of-two multiple of a rounding threshold: with power-of-two scales (UE8M0, and
      // power-of-two ts) those land exactly on a threshold, where the tie rules decide
      for (let i = 0; i < data.length; i++) if (g.mids.some((m) => m !== 0 && Number.isInteger(Math.log2(Math.abs(data[i] / m))))) ties++;
      compared++;
    }
    expect(compared).toBe(240);
    expect(ties).toBeGreaterThan(100);
    expect(bounded).toBeGreaterThan(100);
  });

  it('gives the same results when the rows span several chunks and a share starts mid-layer', () => {
    const rows = 300;
    const cols = 20000; // 6 M weights: two chunks of the module's memory
    const data = layer(rows, cols);
    const geom = geometry(rows, cols, 16);
    const st = blockStats(data, geom);
    const g = getCodebook('NF4', 16);
    const sg = new ScaleGrid(getFormat('E4M3'));
    const aw2 = Float64Array.from({ length: cols }, () => rng() * 4);
    const base = {
      kind: 'scale-search' as const,
      data,
      rows,
      cols,
      block: 16,
      r0: 7,
      r1: rows,
      grid: gridSpec(g),
      scaleFormat: 'E4M3',
      evenCodesOnly: false,
      neighbours: 2,
      ts: 2 ** -6,
      aw2,
      amax: st.amax,
      negative: st.negative,
      argmaxCol: st.argmaxCol,
      bound: null,
    };
    const js = search(runScaleSearchJs, base, true);
    const wasm = search((t) => expect(scaleSearchWasm({ ...t, grid: g, sg })).toBe(true), base, true);
    expectSame(wasm, js);
    // rows before r0 are not touched
    expect(wasm.err[0]).toBe(-1);
  });

  it('encodes layers on a pair of grids exactly as blockEncode does, zero and negative scales included', () => {
    const sg = new ScaleGrid(getFormat('E4M3'));
    let blocks = 0;
    for (let trial = 0; trial < 120; trial++) {
      const all = grids();
      const pair = [all[trial % 9], all[(trial * 7 + 3) % 9]];
      const block = [16, 32, 8][trial % 3];
      const rows = 1 + Math.floor(rng() * 12);
      const cols = 1 + Math.floor(rng() * 100);
      const data = layer(rows, cols);
      const geom = geometry(rows, cols, block);
      const ts = 2 ** Math.floor(rng() * 8 - 10);
      // scales near what the search would pick, some zero, either sign
      const scales = Float64Array.from({ length: geom.blocks }, () => (rng() < 0.05 ? 0 : (rng() < 0.5 ? -1 : 1) * sg.mags[Math.floor(rng() * sg.mags.length)]));
      const sel = rng() < 0.3 ? null : Uint8Array.from({ length: geom.blocks }, () => (rng() < 0.5 ? 1 : 0));
      const js = new Uint8Array(rows * cols);
      forEachBlock(geom, (b, off, len) => blockEncode(data, off, len, scales[b], ts, pair[sel ? sel[b] : 0], js));
      const wasm = new Uint8Array(rows * cols).fill(255);
      expect(encodeWasm(data, rows, cols, block, scales, ts, pair, sel, wasm)).toBe(true);
      expect(firstDifference(wasm, js)).toBe(-1);
      blocks += geom.blocks;
    }
    expect(blocks).toBeGreaterThan(1000);
  });

  it('falls back to JavaScript, with the same results, when its memory cannot grow', () => {
    const x = wasmKernel()!;
    // a single row longer than the memory holds now, so the search must grow it
    const cols = Math.ceil(x.memory.buffer.byteLength / 4) + 4096;
    const data = layer(1, cols);
    const st = blockStats(data, geometry(1, cols, 16));
    const base = {
      kind: 'scale-search' as const,
      data,
      rows: 1,
      cols,
      block: 16,
      r0: 0,
      r1: 1,
      grid: gridSpec(getCodebook('NF4', 16)),
      scaleFormat: 'E4M3',
      evenCodesOnly: false,
      neighbours: 2,
      ts: 2 ** -6,
      aw2: null,
      amax: st.amax,
      negative: st.negative,
      argmaxCol: st.argmaxCol,
      bound: null,
    };
    const memory = x.memory as unknown as { grow(pages: number): number };
    let refused = 0;
    memory.grow = () => {
      refused++;
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    try {
      const sg = new ScaleGrid(getFormat('E4M3'));
      expect(scaleSearchWasm({ ...base, grid: getCodebook('NF4', 16), sg, outErr: new Float64Array(st.amax.length), outMag: new Uint16Array(st.amax.length), outCodes: null })).toBe(false);
      const viaDispatcher = search(runScaleSearch, base, true);
      expectSame(viaDispatcher, search(runScaleSearchJs, base, true));
    } finally {
      delete (memory as { grow?: unknown }).grow;
    }
    expect(refused).toBe(2);
  });

  it('declines grids it does not handle (binary-search grids), so the caller uses JavaScript', () => {
    const g = Codebook.fromFormat(getFormat('E4M3'));
    expect(g.binary).toBe(true);
    const data = layer(2, 32);
    const st = blockStats(data, geometry(2, 32, 16));
    const t = {
      data,
      rows: 2,
      cols: 32,
      block: 16,
      r0: 0,
      r1: 2,
      grid: g,
      sg: new ScaleGrid(getFormat('UE8M0')),
      neighbours: 2,
      ts: 1,
      aw2: null,
      amax: st.amax,
      negative: null,
      argmaxCol: st.argmaxCol,
      bound: null,
      outErr: new Float64Array(4),
      outMag: new Uint16Array(4),
      outCodes: null,
    };
    expect(scaleSearchWasm(t)).toBe(false);
  });
});
