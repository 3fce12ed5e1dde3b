// Regenerates the README's model-level results:
//   npm run build && node dist/scripts/results/budget-sweep.js [--model synthetic-model:small] [--seed 1]
// 1. Error (weight-averaged 1 - ACos under seeded LLM-like activation statistics) against bits per weight:
//    SOP with knapsack promotion at budgets 4.5-6.5, against uniform sop4, sop4+residuals, E2M3sUE4M4,
//    NVFP4, MXFP4, MXFP6 and FP8 on every layer. A table and a text plot.
// 2. ACos-driven against MSE-driven codebook selection on an outlier-channel tensor with matching statistics.

import { generateActivationStats, statsFor } from '../../quant/io/activations.js';
import { openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { measure } from '../../quant/measure.js';
import { allocate, buildMenus, cheapestBpw, DEFAULT_MODEL_OPTIONS } from '../../quant/model/quantize-model.js';
import { quantize } from '../../quant/schemes/index.js';
import { arg } from '../bench/reference.js';

const model = arg('model', 'synthetic-model:small');
const seed = Number(arg('seed', '1'));
const src = openWeights(model);
const names = src.tensors().filter((n) => !/embed|norm|lm_head/i.test(n));
const stats = { path: `synthetic-stats:${seed}`, layers: generateActivationStats(names.map((n) => ({ name: n, cols: src.shape(n)[1] })), seed) };
const t0 = performance.now();
const tty = process.stderr.isTTY;
const menus = buildMenus(src, names, stats, DEFAULT_MODEL_OPTIONS, (i, n) => tty && process.stderr.write(`\r\x1b[Kmenus ${i + 1}/${names.length} ${n}`));
process.stderr.write(`${tty ? '\r\x1b[K' : ''}menus built in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
const weights = menus.reduce((s, m) => s + m.weights, 0);

interface Point {
  label: string;
  bpw: number;
  ppm: number;
  mark: string;
}
const points: Point[] = [];
const rows: string[] = [];
if (cheapestBpw(menus) > 4.5) throw new Error('the menus cannot reach 4.5 bpw');
for (const b of [4.5, 5.0, 5.5, 6.0, 6.5]) {
  const a = allocate(menus, b);
  const counts: Record<string, number> = {};
  for (const c of a.choices) counts[c.choice] = (counts[c.choice] ?? 0) + 1;
  rows.push(`| SOP + promotion, budget ${b.toFixed(1)} | ${a.achieved_bpw.toFixed(4)} | ${(a.mean_dist * 1e6).toFixed(1)} | ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')} |`);
  points.push({ label: `SOP+promotion ${b}`, bpw: a.achieved_bpw, ppm: a.mean_dist * 1e6, mark: '*' });
}
// uniform menu entries come straight from the menus; other schemes are quantized here
const uniform = (label: string) => {
  let bits = 0;
  let dist = 0;
  for (const m of menus) {
    const e = m.entries.find((x) => x.label === label)!;
    bits += e.bits;
    dist += e.dist;
  }
  return { bpw: bits / weights, ppm: (dist / weights) * 1e6 };
};
const marks: Record<string, string> = { 'sop4-g32': 'g', sop4: 's', 'sop4+res': 'r', E2M3sUE4M4: '6', 'e4m3-pot': '8', nvfp4: 'n', mxfp4: '4', 'mxfp6-e2m3': 'm' };
for (const label of ['sop4-g32', 'sop4', 'sop4+res', 'E2M3sUE4M4', 'e4m3-pot']) {
  const u = uniform(label);
  rows.push(`| uniform ${label} | ${u.bpw.toFixed(4)} | ${u.ppm.toFixed(1)} | every layer |`);
  points.push({ label, bpw: u.bpw, ppm: u.ppm, mark: marks[label] });
}
for (const scheme of ['nvfp4', 'mxfp4', 'mxfp6-e2m3']) {
  let bits = 0;
  let dist = 0;
  names.forEach((n, i) => {
    const t = src.read(n);
    const a = statsFor(stats, n, t.cols);
    const r = measure(t, quantize(t, scheme), a);
    bits += r.bits.total;
    dist += (1 - r.acos) * menus[i].weights;
  });
  rows.push(`| uniform ${scheme} | ${(bits / weights).toFixed(4)} | ${((dist / weights) * 1e6).toFixed(1)} | every layer |`);
  points.push({ label: scheme, bpw: bits / weights, ppm: (dist / weights) * 1e6, mark: marks[scheme] });
}

// a text plot: x = bpw (4 to 8.25), y = log10(1 - ACos in ppm)
const W = 64;
const H = 16;
const ys = points.map((p) => Math.log10(p.ppm));
const yMin = Math.floor(Math.min(...ys) * 2) / 2;
const yMax = Math.ceil(Math.max(...ys) * 2) / 2;
const grid = Array.from({ length: H }, () => Array(W).fill(' '));
for (const p of points) {
  const x = Math.round(((p.bpw - 4) / 4.25) * (W - 1));
  const y = Math.round(((Math.log10(p.ppm) - yMin) / (yMax - yMin)) * (H - 1));
  grid[H - 1 - y][Math.max(0, Math.min(W - 1, x))] = p.mark;
}
const plot = grid.map((r, i) => {
  const yv = yMax - (i / (H - 1)) * (yMax - yMin);
  const lab = i % 3 === 0 ? `${Math.round(10 ** yv)}`.padStart(6) : ''.padStart(6);
  return `${lab} |${r.join('')}`;
});
plot.push(`${''.padStart(6)} +${'-'.repeat(W)}`);
plot.push(`${''.padStart(8)}4${' '.repeat(Math.round(W / 4.25) - 1)}5${' '.repeat(Math.round(W / 4.25) - 1)}6${' '.repeat(Math.round(W / 4.25) - 1)}7${' '.repeat(Math.round(W / 4.25) - 1)}8  bpw`);

// ACos-driven vs MSE-driven selection on an outlier-channel tensor with matching statistics
const t = synthesize({ dist: 'outlier', rows: 1024, cols: 4096, seed: 9 });
const act = new Float64Array(t.cols).fill(1);
for (let j = 0; j < t.cols; j++) {
  let s = 0;
  for (let r = 0; r < t.rows; r++) s += t.data[r * t.cols + j] ** 2;
  if (Math.sqrt(s / t.rows) > 0.1) act[j] = 40;
}
const byAcos = measure(t, quantize(t, 'sop4', { activations: act, metric: 'acos' }), act);
const byMse = measure(t, quantize(t, 'sop4', { activations: act, metric: 'mse' }), act);

process.stdout.write(`Model: ${model} (${names.length} layers, ${(weights / 1e6).toFixed(1)} M weights), activation statistics seed ${seed}.
Error = weight-averaged (1 - ACos), in ppm (lower is better).

| configuration | achieved bpw | 1 - ACos (ppm) | layers |
|---|---|---|---|
${rows.join('\n')}

\`\`\`text
1-ACos (ppm, log scale) against bits per weight
${plot.join('\n')}
  * SOP with knapsack promotion   g sop4 on g=32   s sop4   r sop4 + residuals   6 E2M3sUE4M4   8 FP8 e4m3-pot
  n NVFP4   4 MXFP4   m MXFP6 (E2M3)
\`\`\`

ACos-driven against MSE-driven codebook selection (sop4, 1024x4096 outlier-channel tensor, activations 40x on
the outlier channels):

| selection | 1 - ACos (ppm) | MSE | SQNR dB |
|---|---|---|---|
| by activation-weighted error (ACos) | ${byAcos.acos_ppm.toFixed(1)} | ${byAcos.mse.toExponential(4)} | ${byAcos.sqnr_db.toFixed(2)} |
| by MSE | ${byMse.acos_ppm.toFixed(1)} | ${byMse.mse.toExponential(4)} | ${byMse.sqnr_db.toFixed(2)} |
`);
