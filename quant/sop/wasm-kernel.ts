// The block-scale search and block encoding in WebAssembly (quant/sop/wasm/scale-search.ts, built by
// `npm run build`): the same results as the JavaScript kernels, bit for bit, 1.5-1.7x faster on one
// thread (scripts/bench/quantizer.js). Rows go through the module's memory in chunks, so it stays small
// whatever the layer. Without the built module (tests run from the sources before a build, say) or with
// SOPSIM_WASM=0, callers use the JavaScript.

import { existsSync, readFileSync } from 'node:fs';
import type { Codebook } from '../codebooks/codebook.js';
import { BUCKETS } from '../codebooks/codebook.js';
import type { ScaleSearchTask } from '../parallel/threads.js';
import type { ScaleGrid } from './kernels.js';

// the few WebAssembly globals used here (TypeScript declares them only with the DOM library)
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: object;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

interface Exports {
  memory: WebAssembly.Memory;
  setGrid(levels: number, mids: number, tieUp: number, codes: number, cell: number, cellLevel: number, ambiguous: number, levelCount: number, lo: number, invWidth: number, maxAbs: number, zeroCode: number): void;
  setScaleGrid(mags: number, mids: number, codes: number, count: number): void;
  encodeBlocks(w: number, rows: number, cols: number, block: number, scales: number, sel: number, want: number, ts: number, out: number): void;
  scaleSearch(w: number, rows: number, cols: number, block: number, aw2: number, amax: number, neg: number, argmax: number, bound: number, outErr: number, outMag: number, outCodes: number, k: number, ts: number): void;
}

/** Weights per chunk: bounds the module's memory (about 7 bytes per weight) to some 30 MiB. */
const CHUNK_WEIGHTS = 1 << 22;

let loaded: Exports | null | undefined;

function moduleUrl(): URL {
  // tests run the TypeScript sources: the module is built into dist/
  if (import.meta.url.endsWith('.ts')) return new URL('../../dist/quant/sop/wasm/scale-search.wasm', import.meta.url);
  return new URL('./wasm/scale-search.wasm', import.meta.url);
}

/** The instantiated module, or null when it is not built or turned off (SOPSIM_WASM=0). */
export function wasmKernel(): Exports | null {
  if (process.env.SOPSIM_WASM === '0') return null;
  if (loaded === undefined) {
    loaded = null;
    const url = moduleUrl();
    if (existsSync(url)) {
      const mod = new WebAssembly.Module(readFileSync(url));
      loaded = new WebAssembly.Instance(mod, {}).exports as unknown as Exports;
    }
  }
  return loaded;
}

/** A bump allocator over the module's memory, growing it as needed (addresses start above 0, which means "none"). */
class Arena {
  private top: number;
  constructor(
    private readonly x: Exports,
    from = 64,
  ) {
    this.top = from;
  }
  alloc(bytes: number): number {
    const at = (this.top + 7) & ~7;
    this.top = at + bytes;
    const pages = Math.ceil(this.top / 65536) - this.x.memory.buffer.byteLength / 65536;
    if (pages > 0) this.x.memory.grow(pages);
    return at;
  }
  /** Copy a[from, to) in; returns its address. */
  put<T extends Float64Array | Float32Array | Uint8Array | Uint32Array | Int32Array>(a: T, from = 0, to = a.length): number {
    const C = a.constructor as new (b: ArrayBuffer, off: number, n: number) => T;
    const at = this.alloc(a.BYTES_PER_ELEMENT * (to - from));
    new C(this.x.memory.buffer, at, to - from).set(a.subarray(from, to) as never);
    return at;
  }
  get end(): number {
    return this.top;
  }
}

/** A share of a scale search (see ScaleSearchTask) with its grids built. */
export type WasmSearch = Omit<ScaleSearchTask, 'kind' | 'grid' | 'scaleFormat' | 'evenCodesOnly'> & { grid: Codebook; sg: ScaleGrid };

/** The module has the bucket path of Codebook.nearest only, and writes codes as bytes. */
function handles(g: Codebook): boolean {
  return !g.binary && g.cell.length === BUCKETS + 1 && g.codes.every((c) => c <= 255);
}

/** Copy a grid's tables in; the returned function makes it the module's current grid. */
function putGrid(x: Exports, arena: Arena, g: Codebook): () => void {
  const at = [g.levels, g.mids, g.tieUp, g.codes, g.cell, g.cellLevel, g.ambiguous].map((a) => arena.put(a));
  const zeroCode = g.codes[g.nearest(0)];
  return () => x.setGrid(at[0], at[1], at[2], at[3], at[4], at[5], at[6], g.levels.length, g.lo, g.invWidth, g.maxAbs, zeroCode);
}

/**
 * Run `body`; false when the module's memory cannot grow to what it needs (a single row of hundreds of
 * millions of weights), so the caller computes everything in JavaScript instead (every output is rewritten).
 */
function withMemory(body: () => void): boolean {
  try {
    body();
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

/** Row ranges of at most CHUNK_WEIGHTS weights covering [r0, r1). */
function* chunks(r0: number, r1: number, cols: number): Generator<[number, number]> {
  const step = Math.max(1, Math.floor(CHUNK_WEIGHTS / cols));
  for (let r = r0; r < r1; r += step) yield [r, Math.min(r1, r + step)];
}

/**
 * blockEncode over a whole layer in WebAssembly: block b under scales[b] × ts on grids[sel[b]] (grids[0]
 * when sel is null). False when the module is unavailable or a grid needs the binary search.
 */
export function encodeWasm(data: Float32Array, rows: number, cols: number, block: number, scales: Float64Array, ts: number, grids: Codebook[], sel: Uint8Array | null, out: Uint8Array): boolean {
  const x = wasmKernel();
  if (!x || !grids.every(handles)) return false;
  return withMemory(() => {
    const arena = new Arena(x);
    const use = (sel ? grids : grids.slice(0, 1)).map((g) => putGrid(x, arena, g));
    const bpr = Math.ceil(cols / block);
    const base = arena.end;
    for (const [r, re] of chunks(0, rows, cols)) {
      const chunk = new Arena(x, base); // each chunk reuses the same memory
      const w = chunk.put(data, r * cols, re * cols);
      const s = chunk.put(scales, r * bpr, re * bpr);
      const selAt = sel ? chunk.put(sel, r * bpr, re * bpr) : 0;
      const codes = chunk.alloc((re - r) * cols);
      for (let k = 0; k < use.length; k++) {
        use[k]();
        x.encodeBlocks(w, re - r, cols, block, s, selAt, k, ts, codes);
      }
      out.set(new Uint8Array(x.memory.buffer, codes, (re - r) * cols), r * cols);
    }
  });
}

/** Run the search of rows [r0, r1) in WebAssembly; false when the module is unavailable or the grid needs the binary search. */
export function scaleSearchWasm(t: WasmSearch): boolean {
  const x = wasmKernel();
  if (!x || !handles(t.grid)) return false;
  return withMemory(() => {
    const arena = new Arena(x);
    putGrid(x, arena, t.grid)();
    x.setScaleGrid(arena.put(t.sg.mags), arena.put(t.sg.mids), arena.put(t.sg.codes), t.sg.mags.length);
    const aw2 = t.aw2 ? arena.put(t.aw2) : 0;
    const bpr = Math.ceil(t.cols / t.block);
    const base = arena.end;
    for (const [r, re] of chunks(t.r0, t.r1, t.cols)) {
      const b0 = r * bpr;
      const b1 = re * bpr;
      const nb = b1 - b0;
      const chunk = new Arena(x, base); // each chunk reuses the same memory
      const w = chunk.put(t.data, r * t.cols, re * t.cols);
      const amax = chunk.put(t.amax, b0, b1);
      const neg = t.negative ? chunk.put(t.negative, b0, b1) : 0;
      const argmax = chunk.put(t.argmaxCol, b0, b1);
      const bound = t.bound ? chunk.put(t.bound, b0, b1) : 0;
      const outErr = chunk.alloc(8 * nb);
      const outMag = chunk.alloc(2 * nb);
      const outCodes = t.outCodes ? chunk.alloc((re - r) * t.cols) : 0;
      x.scaleSearch(w, re - r, t.cols, t.block, aw2, amax, neg, argmax, bound, outErr, outMag, outCodes, t.neighbours, t.ts);
      const buf = x.memory.buffer;
      t.outErr.set(new Float64Array(buf, outErr, nb), b0);
      t.outMag.set(new Uint16Array(buf, outMag, nb), b0);
      if (t.outCodes) t.outCodes.set(new Uint8Array(buf, outCodes, (re - r) * t.cols), r * t.cols);
    }
  });
}
