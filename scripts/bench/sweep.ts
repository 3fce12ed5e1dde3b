// A 9-point LUT SRAM sweep over the 32-layer decoder trace on a worker pool (every core), wall time and
// peak resident memory (worker threads share the process):
//   npm run build && node dist/scripts/bench/sweep.js [--workers N]

import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSweep } from '../cli/commands/sweep.js';
import { arg, peakRssMiB, referenceSeconds } from './reference.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ref = referenceSeconds();
const workers = Number(arg('workers', String(availableParallelism())));
const r = await runSweep({
  trace: resolve(root, 'traces', 'llama-7b-decode.json'),
  hw: resolve(root, 'hw-configs', 'sop-hif.json'),
  sets: ['lut.capacity_bytes=256,512,1024,2048,4096,8192,16384,32768,65536'],
  baseline: resolve(root, 'hw-configs', 'fp8-e4m3.json'),
  baselineSets: false,
  workers,
  mode: 'fast',
  progress: 'none',
});
process.stdout.write(
  `${r.rows.length} points x 224 layers (6.48 G weights each) on ${r.workers} workers: ${r.seconds.toFixed(2)} s wall, ` +
    `${(r.seconds / ref).toFixed(0)} x reference (${ref.toFixed(3)} s); peak RSS ${peakRssMiB().toFixed(0)} MiB\n`,
);
