// Block-parallel quantization on every core, with a synchronous API: the layer's blocks are split by rows,
// the other cores' shares go to worker threads through shared memory, this thread does its own share and
// then waits (Atomics.wait) for theirs. Every block is computed exactly as in one thread, and results land
// in per-block arrays that callers reduce in block order, so the output does not depend on the threads.
// SOPSIM_WORKERS=1 turns it off.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface GridSpec {
  name: string;
  kind: string;
  levels: Float64Array;
  codes: Uint32Array;
  tieUp: Uint8Array;
}

/** One share of a block-scale search: blocks of rows [r0, r1). */
export interface ScaleSearchTask {
  kind: 'scale-search';
  data: Float32Array;
  rows: number;
  cols: number;
  block: number;
  r0: number;
  r1: number;
  grid: GridSpec;
  scaleFormat: string;
  evenCodesOnly: boolean;
  neighbours: number;
  ts: number;
  aw2: Float64Array | null;
  amax: Float64Array;
  negative: Uint8Array | null;
  argmaxCol: Int32Array;
  /** Per block: an error the search must beat (see searchBlockScale), or null. */
  bound: Float64Array | null;
  outErr: Float64Array;
  outMag: Uint16Array | Uint32Array;
  /** When given, the element codes under the best scale are written here too (single-book schemes). */
  outCodes: Uint8Array | null;
}

export type Task = ScaleSearchTask;

let workers: Worker[] | null = null;

/** The compiled worker script (tests run the TypeScript sources, so point them at dist/). */
function workerUrl(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (import.meta.url.endsWith('.ts')) return new URL('../../dist/quant/parallel/worker.js', import.meta.url);
  return here;
}

export function threadCount(): number {
  const env = Number(process.env.SOPSIM_WORKERS);
  return Math.max(1, Number.isFinite(env) && env > 0 ? Math.floor(env) : availableParallelism());
}

function pool(): Worker[] {
  if (!workers) {
    // each worker raises its flag once it listens; one that does not within 10 s means no threads here
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const n = threadCount() - 1;
    workers = Array.from({ length: n }, () => {
      const w = new Worker(workerUrl(), { workerData: { ready } });
      w.unref(); // idle workers never keep the process alive
      return w;
    });
    const deadline = Date.now() + 10_000;
    while (Atomics.load(ready, 0) < n && Date.now() < deadline) Atomics.wait(ready, 0, Atomics.load(ready, 0), 100);
    if (Atomics.load(ready, 0) < n) {
      for (const w of workers) void w.terminate();
      process.stderr.write('sopsim: worker threads did not start; quantizing on one thread\n');
      workers = [];
    }
  }
  return workers;
}

const shared = new WeakMap<Float32Array, Float32Array>();

/** The same values in shared memory (copied once per array). */
export function sharedFloat32(a: Float32Array): Float32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  let s = shared.get(a);
  if (!s) {
    s = new Float32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    shared.set(a, s);
  }
  return s;
}

/** A typed array in shared memory with the contents of `a`. */
export function toShared<T extends Float64Array | Uint8Array | Int32Array | Uint16Array | Uint32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const C = a.constructor as new (b: SharedArrayBuffer) => T;
  const s = new C(new SharedArrayBuffer(a.byteLength));
  s.set(a as never);
  return s;
}

/**
 * Run `tasks` (the first here, the rest on worker threads) and return when all are done.
 * `local` runs a task in this thread.
 */
export function runTasks(tasks: Task[], local: (t: Task) => void): void {
  const ws = pool();
  const remote = tasks.slice(1, 1 + ws.length);
  // done[0]: shares finished; done[1 + i]: 1 when share i failed (it is then rerun here, to raise its error)
  const done = new Int32Array(new SharedArrayBuffer(4 * (1 + remote.length)));
  remote.forEach((t, i) => {
    ws[i].ref();
    ws[i].postMessage({ task: t, done, slot: 1 + i });
  });
  local(tasks[0]);
  for (const t of tasks.slice(1 + ws.length)) local(t);
  while (Atomics.load(done, 0) < remote.length) Atomics.wait(done, 0, Atomics.load(done, 0), 1000);
  for (let i = 0; i < remote.length; i++) ws[i].unref();
  remote.forEach((t, i) => {
    if (done[1 + i]) local(t);
  });
}

/** Split rows into about equal shares, one per thread (or one share for small layers). */
export function rowShares(rows: number, weights: number): Array<[number, number]> {
  const n = weights < 1 << 18 ? 1 : Math.min(threadCount(), rows);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) out.push([Math.floor((rows * i) / n), Math.floor((rows * (i + 1)) / n)]);
  return out;
}
