// Full-model replay in fast mode: the 32-layer, 4096-hidden decoder trace on SOP+HIF and on FP8, wall time,
// decoded weights per second and peak resident memory:
//   npm run build && node dist/scripts/bench/replay.js [--trace traces/llama-7b-decode.json]

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHwConfig } from '../../sim/config/load.js';
import { resolveSteps } from '../../sim/trace/steps.js';
import { runSteps } from '../cli/sim-run.js';
import { baselineLayer } from '../cli/commands/compare.js';
import { arg, peakRssMiB, referenceSeconds } from './reference.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const trace = arg('trace', resolve(root, 'traces', 'llama-7b-decode.json'));
const ref = referenceSeconds();
const t0 = performance.now();
const steps = resolveSteps(trace, {});
const sop = runSteps(loadHwConfig(resolve(root, 'hw-configs', 'sop-hif.json')), steps, 'fast').total;
const t1 = performance.now();
const fp8 = runSteps(loadHwConfig(resolve(root, 'hw-configs', 'fp8-e4m3.json')), steps, 'fast', baselineLayer).total;
const t2 = performance.now();
const s = (t2 - t0) / 1000;
process.stdout.write(
  `trace ${trace}: ${sop.layers} layers, ${(sop.weights_decoded / 1e9).toFixed(2)} G weights per datapath\n` +
    `SOP+HIF  ${((t1 - t0) / 1000).toFixed(2)} s (incl. quantizing the slices)\n` +
    `FP8      ${((t2 - t1) / 1000).toFixed(2)} s\n` +
    `total    ${s.toFixed(2)} s wall, ${((2 * sop.weights_decoded) / s / 1e9).toFixed(2)} G decoded weights/s, ${(s / ref).toFixed(0)} x reference (${ref.toFixed(3)} s)\n` +
    `peak RSS ${peakRssMiB().toFixed(0)} MiB\n` +
    `energy SOP/FP8 ${(sop.energy_pj.total / fp8.energy_pj.total).toFixed(4)}\n`,
);
