// `sopsim quantize-model` on a synthetic model, end to end as a user runs it (menus, knapsack, packed files),
// layers spread over the cores: wall time, time per weight and the extrapolation to the 32-layer model:
//   npm run build && node dist/scripts/bench/model.js [--model synthetic-model:small] [--budget 5] [--workers N]

import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, referenceSeconds } from './reference.js';

const model = arg('model', 'synthetic-model:small');
const budget = arg('budget', '5');
const workers = arg('workers', String(availableParallelism()));
const ref = referenceSeconds();
const out = join(mkdtempSync(join(tmpdir(), 'bench-model-')), 'q');
const cli = fileURLToPath(new URL('../cli/sopsim.js', import.meta.url));
const t0 = performance.now();
const r = spawnSync(process.execPath, [cli, 'quantize-model', model, '--budget-bpw', budget, '--synthetic-stats', '1', '--out', out, '--workers', workers], { encoding: 'utf8' });
const s = (performance.now() - t0) / 1000;
if (r.status !== 0) throw new Error(r.stderr);
const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { weights: number; layers: unknown[] };
rmSync(out, { recursive: true, force: true });
process.stdout.write(
  `${model}: ${m.layers.length} layers, ${(m.weights / 1e6).toFixed(1)} M weights, ${workers} workers: ${s.toFixed(1)} s wall = ` +
    `${((s / m.weights) * 1e9).toFixed(0)} ns per weight, ${(s / ref).toFixed(0)} x reference (${ref.toFixed(3)} s)\n` +
    `extrapolated to the 32-layer 4096-hidden model (6.48 G weights): ${(((s / m.weights) * 6.476e9) / 60).toFixed(0)} min\n`,
);
