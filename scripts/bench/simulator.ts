// Simulator speed in decoded weights per second, event mode and fast mode, on one SOP+HIF layer; the
// ratio column compares each to a reference pass in the same process (one sweep over the layer's codes):
//   npm run build && node dist/scripts/bench/simulator.js [--rows 4096] [--cols 4096] [--scheme sop4] [--reps 3]

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '../../quant/io/synthetic.js';
import { arg, bestOf } from './reference.js';
import { quantize } from '../../quant/schemes/index.js';
import { loadHwConfig } from '../../sim/config/load.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers } from '../../sim/datapath/report.js';

const rows = Number(arg('rows', '4096'));
const cols = Number(arg('cols', '4096'));
const scheme = arg('scheme', 'sop4');
const reps = Number(arg('reps', '3'));
const hw = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'hw-configs', 'sop-hif.json');

const t = synthesize({ dist: 't4', rows, cols, seed: 1 });
process.stdout.write(`quantizing ${rows}x${cols} with ${scheme}...\n`);
const q = quantize(t, scheme);
const cfg = loadHwConfig(hw);
const work = buildLayerWork(q, cfg, 1);
const n = rows * cols;

const best = (fn: () => void) => bestOf(reps, fn);
const codes = q.codes;
let sink = 0;
const ref = best(() => {
  let s = 0;
  for (let i = 0; i < n; i++) s += codes[i];
  sink += s;
});
const fast = best(() => void runLayers(cfg, [work], { mode: 'fast' }));
const eventNoValues = best(() => void runLayers(cfg, [work], { mode: 'event' }));
const capture = new Float64Array(n);
const eventValues = best(() => void runLayers(cfg, [work], { mode: 'event', capture: () => capture }));
const line = (name: string, sec: number) =>
  process.stdout.write(`${name.padEnd(38)} ${sec.toFixed(3).padStart(8)} s ${(n / sec / 1e6).toFixed(1).padStart(9)} M weights/s ${(sec / ref).toFixed(1).padStart(8)} x reference\n`);
process.stdout.write(`\n${'run'.padEnd(38)} ${'time'.padStart(10)} ${'rate'.padStart(20)} ${'ratio'.padStart(13)}\n`);
line('reference: one sweep over the codes', ref);
line('fast mode (tile by tile)', fast);
line('event mode (every weight into the MACs)', eventNoValues);
line('event mode + capture of every value', eventValues);
if (sink < 0) console.log(sink);
