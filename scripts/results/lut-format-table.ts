// Regenerates the README's LUT output format table: sop4 with its levels held as HIF8 (8-bit mantissa, one
// exponent a table), the shift-add HIF7 / HIF8 reconstructions (5-bit mantissa with a per-entry shift of 0-3 /
// 0-4: 80 and 96 values) and BF16, each on its datapath: error, LUT bits, and the cost the simulator finds.
//   npm run build && node dist/scripts/results/lut-format-table.js [--data path/to/stories260K.safetensors] [--json]
// Without the stories260K file it runs on one seeded 1024x1024 Student-t(4) tensor.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLutFormat } from '../../quant/codebooks/lut-format.js';
import { openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import type { Tensor2D } from '../../quant/io/tensor.js';
import { measure } from '../../quant/measure.js';
import { quantize } from '../../quant/schemes/index.js';
import { loadHwConfig } from '../../sim/config/load.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers, type SimReport } from '../../sim/datapath/report.js';
import { arg } from '../bench/reference.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const data = arg('data', join(repo, '..', 'shared', 'data', 'stories260K.safetensors'));
const json = process.argv.includes('--json');
let label: string;
let tensors: Tensor2D[];
if (existsSync(data)) {
  const src = openWeights(data);
  tensors = src.tensors().filter((n) => /_proj\.weight$/.test(n)).map((n) => src.read(n));
  label = `stories260K, its ${tensors.length} linear layers`;
} else {
  tensors = [synthesize({ dist: 't4', rows: 1024, cols: 1024, seed: 1 })];
  label = 'one seeded 1024x1024 Student-t(4) tensor (stories260K not found)';
}

const FORMATS = [
  { lut: 'hif8', hw: 'sop-hif', what: 'HIF8: 8-bit mantissa, one exponent a table' },
  { lut: 'hif7sa', hw: 'sop-hif', what: 'HIF7 shift-add (reconstruction): 5-bit mantissa, shift 0-3, 80 values' },
  { lut: 'hif8sa', hw: 'sop-hif', what: 'HIF8 shift-add (reconstruction): 5-bit mantissa, shift 0-4, 96 values' },
  { lut: 'bf16', hw: 'sop-bf16lut', what: 'BF16 entries, float MACs' },
];
const rows = FORMATS.map((f) => {
  const cfg = loadHwConfig(join(repo, 'hw-configs', `${f.hw}.json`), [['lut.output', f.lut]]);
  const qs = tensors.map((t) => quantize(t, 'sop4', { lut: parseLutFormat(f.lut) }));
  const ms = qs.map((q, i) => measure(tensors[i], q));
  const run = (tokens: number): SimReport => runLayers(cfg, qs.map((q, i) => buildLayerWork(q, cfg, tokens, tensors[i].name)), { mode: 'fast' }).total;
  const [one, many] = [run(1), run(256)];
  const onChip = (r: SimReport) => (r.energy_pj.total - r.energy_pj.weight_fetch) / r.weights_decoded / r.tokens;
  return {
    lut: f.lut,
    what: f.what,
    sqnr_db: ms.reduce((s, m) => s + m.sqnr_db, 0) / ms.length,
    bpw: ms.reduce((s, m) => s + m.bpw * m.shape[0] * m.shape[1], 0) / ms.reduce((s, m) => s + m.shape[0] * m.shape[1], 0),
    mac_pj: one.energy_pj.mac_array / one.counters.mac_array.macs,
    on_chip_pj_per_weight_1: onChip(one),
    on_chip_pj_per_weight_256: onChip(many),
    mac_array_mm2: one.area_mm2.mac_array,
    area_mm2: one.area_mm2.total,
  };
});
if (json) {
  process.stdout.write(JSON.stringify({ input: label, rows }, null, 1) + '\n');
  process.exit(0);
}
const ref = rows[0];
const r3 = (x: number) => x.toPrecision(3);
const rel = (x: number, y: number) => `${r3(x)} (${(x / y).toFixed(2)}x)`;
const lines = [
  '| LUT output | SQNR dB (mean) | bpw | MAC energy (pJ a MAC) | on-chip pJ/weight, 1 token | on-chip pJ/weight-token, 256 tokens | MAC array mm2 | total mm2 |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.lut}: ${r.what} | ${r.sqnr_db.toFixed(2)} | ${r.bpw.toFixed(4)} | ${rel(r.mac_pj, ref.mac_pj)} | ${rel(r.on_chip_pj_per_weight_1, ref.on_chip_pj_per_weight_1)} | ${rel(r.on_chip_pj_per_weight_256, ref.on_chip_pj_per_weight_256)} | ${rel(r.mac_array_mm2, ref.mac_array_mm2)} | ${rel(r.area_mm2, ref.area_mm2)} |`),
];
process.stdout.write(`sop4 on ${label}; ratios against hif8 in brackets; 22 nm, sop-hif (sop-bf16lut for BF16).\n\n${lines.join('\n')}\n`);
