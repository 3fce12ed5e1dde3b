// quantize-model's work on a synthetic model: per-layer menus (five configurations each), the knapsack, and
// rebuilding the chosen configurations, with the time per layer shape and peak memory:
//   npm run build && node dist/scripts/bench/model.js [--model synthetic-model:small] [--budget 5]

import { generateActivationStats, statsFor } from '../../quant/io/activations.js';
import { openWeights } from '../../quant/io/load.js';
import { allocate, buildChoice, buildLayerMenu, DEFAULT_MODEL_OPTIONS } from '../../quant/model/quantize-model.js';
import { threadCount } from '../../quant/parallel/threads.js';
import { arg, peakRssMiB, referenceSeconds } from './reference.js';

const model = arg('model', 'synthetic-model:small');
const budget = Number(arg('budget', '5'));
const ref = referenceSeconds();
const src = openWeights(model);
const names = src.tensors();
const stats = { path: 'synthetic', layers: generateActivationStats(names.map((n) => ({ name: n, cols: src.shape(n)[1] })), 1) };
const byShape = new Map<string, { n: number; seconds: number }>();
const t0 = performance.now();
const menus = names.map((n) => {
  const a = performance.now();
  const t = src.read(n);
  const m = buildLayerMenu(t, statsFor(stats, n, t.cols), DEFAULT_MODEL_OPTIONS);
  const key = `${t.rows}x${t.cols}`;
  const e = byShape.get(key) ?? { n: 0, seconds: 0 };
  e.n++;
  e.seconds += (performance.now() - a) / 1000;
  byShape.set(key, e);
  return m;
});
const t1 = performance.now();
const alloc = allocate(menus, budget);
const t2 = performance.now();
names.forEach((n, i) => {
  const t = src.read(n);
  buildChoice(t, statsFor(stats, n, t.cols), menus[i], alloc.choices[i].choice);
});
const t3 = performance.now();
const weights = menus.reduce((s, m) => s + m.weights, 0);
process.stdout.write(`${model}: ${names.length} layers, ${(weights / 1e6).toFixed(1)} M weights, ${threadCount()} threads\n`);
for (const [k, v] of byShape) process.stdout.write(`  menu of a ${k} layer: ${(v.seconds / v.n).toFixed(2)} s (${v.n} layers)\n`);
const total = (t3 - t0) / 1000;
process.stdout.write(
  `menus ${((t1 - t0) / 1000).toFixed(1)} s, knapsack ${((t2 - t1) / 1000).toFixed(3)} s, rebuild ${((t3 - t2) / 1000).toFixed(1)} s; ` +
    `total ${total.toFixed(1)} s = ${((total / weights) * 1e9).toFixed(0)} ns per weight, ${(total / ref).toFixed(0)} x reference; peak RSS ${peakRssMiB().toFixed(0)} MiB\n` +
    `extrapolated to the 32-layer 4096-hidden model (6.48 G weights): ${((total / weights) * 6.476e9 / 60).toFixed(0)} min\n`,
);
