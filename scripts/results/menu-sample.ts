// What pricing menus on a row sample costs in allocation quality (README, quantize-model):
//   npm run build && node dist/scripts/results/menu-sample.js [--model synthetic-model:L2-H2048-I5504] [--sample 4]
// Builds every layer's menu twice — on the whole layer and on every k-th row — then, at each budget, solves
// the knapsack on both and scores both choices with the whole-layer figures. Prints a Markdown table: the
// exact optimum, the sampled menus' choice scored exactly, the loss, the sampled estimate, and the times.

import { generateActivationStats } from '../../quant/io/activations.js';
import { openWeights } from '../../quant/io/load.js';
import { allocate, buildMenus, DEFAULT_MODEL_OPTIONS, type LayerMenu } from '../../quant/model/quantize-model.js';
import { arg } from '../bench/reference.js';

const model = arg('model', 'synthetic-model:L2-H2048-I5504');
const sample = arg('sample', 'auto');
const src = openWeights(model);
const names = src.tensors();
const stats = { path: 'synthetic-stats:1', layers: generateActivationStats(names.map((n) => ({ name: n, cols: src.shape(n)[1] })), 1) };

const timed = (menuSample: number | 'auto'): [LayerMenu[], number] => {
  const t0 = performance.now();
  const m = buildMenus(src, names, stats, { ...DEFAULT_MODEL_OPTIONS, menuSample });
  return [m, (performance.now() - t0) / 1000];
};
const [full, tFull] = timed(1);
const [sampled, tSampled] = timed(sample === 'auto' ? 'auto' : Number(sample));
const strides = [...new Set(sampled.map((m) => m.sample))].sort((a, b) => a - b).join(', ');

process.stdout.write(
  `Model ${model} (${names.length} layers); sampled menus with --menu-sample ${sample} (row strides ${strides}). ` +
    `Menus: whole layers ${tFull.toFixed(0)} s, sampled ${tSampled.toFixed(0)} s (in one process on this machine).\n\n` +
    '| budget bpw | optimum, whole-layer menus (ppm) | sampled menus\' choice, scored exactly (ppm) | loss | sampled estimate (ppm) |\n|---|---|---|---|---|\n',
);
for (const b of [4.5, 4.6, 4.8, 5.0, 5.25, 5.5, 6.0, 6.5]) {
  const exact = allocate(full, b);
  const est = allocate(sampled, b);
  // the sampled allocation's layers, priced by the whole-layer menus
  const truth = est.choices.reduce((s, c, i) => s + full[i].entries.find((e) => e.label === c.choice)!.dist, 0);
  const ppm = (d: number) => ((d / exact.weights) * 1e6).toFixed(1);
  process.stdout.write(`| ${b} | ${ppm(exact.total_dist)} | ${ppm(truth)} | ${(100 * (truth / exact.total_dist - 1)).toFixed(2)}% | ${ppm(est.total_dist)} |\n`);
}
