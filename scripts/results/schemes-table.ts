// Regenerates the README's table of every scheme on every input:
//   npm run build && node dist/scripts/results/schemes-table.js [--data path/to/stories260K.safetensors] [--json]
// Inputs: synthetic 256x2048 Gaussian, Student-t(4), Laplace and outlier-channel tensors (seed 7), and
// every linear layer of stories260K when its file is found (mean and worst layer).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import type { Tensor2D } from '../../quant/io/tensor.js';
import { measure } from '../../quant/measure.js';
import { quantize } from '../../quant/schemes/index.js';

const SCHEMES = ['e4m3-pot', 'mxfp8', 'int8', 'E2M3sUE4M4', 'mxfp6-e2m3', 'mxfp6-e3m2', 'int4', 'nvfp4', 'nf4-b64', 'mxfp4', 'sop4'];
const args = process.argv.slice(2);
const json = args.includes('--json');
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dataArg = args.indexOf('--data');
const data = dataArg >= 0 ? args[dataArg + 1] : join(repo, '..', 'shared', 'data', 'stories260K.safetensors');

interface Input {
  label: string;
  tensors: Tensor2D[];
}
const inputs: Input[] = ['gaussian', 't4', 'laplace', 'outlier'].map((d) => ({
  label: `${d} 256x2048`,
  tensors: [synthesize({ dist: d, rows: 256, cols: 2048, seed: 7 })],
}));
if (existsSync(data)) {
  const src = openWeights(data);
  inputs.push({ label: 'stories260K (35 layers)', tensors: src.tensors().filter((n) => /_proj\.weight$/.test(n)).map((n) => src.read(n)) });
} else process.stderr.write(`note: ${data} not found; the stories260K column is left out\n`);

const out: Record<string, Record<string, { bpw: number; sqnr_db: number; sqnr_min_db: number; mse: number }>> = {};
for (const s of SCHEMES) {
  out[s] = {};
  for (const inp of inputs) {
    const rs = inp.tensors.map((t) => measure(t, quantize(t, s)));
    const mean = (f: (r: (typeof rs)[0]) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    out[s][inp.label] = { bpw: mean((r) => r.bpw), sqnr_db: mean((r) => r.sqnr_db), sqnr_min_db: Math.min(...rs.map((r) => r.sqnr_db)), mse: mean((r) => r.mse) };
  }
}
if (json) {
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
} else {
  const head = ['scheme', 'bpw (exact, 256x2048)', ...inputs.map((i) => i.label)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of SCHEMES) {
    const cells = inputs.map((i) => {
      const r = out[s][i.label];
      return i.tensors.length > 1 ? `${r.sqnr_db.toFixed(2)} (min ${r.sqnr_min_db.toFixed(2)})` : r.sqnr_db.toFixed(2);
    });
    lines.push(`| ${s} | ${out[s][inputs[0].label].bpw.toFixed(4)} | ${cells.join(' | ')} |`);
  }
  process.stdout.write(`SQNR in dB (higher is better); stories260K: mean over its linear layers, worst layer in brackets.\n\n${lines.join('\n')}\n`);
}
