// The README's LUT SRAM size table: the 32-layer decoder trace on sop-hif at each LUT capacity, against
// the FP8 baseline, as a markdown table:
//   npm run build && node dist/scripts/results/lut-sweep-table.js [--trace traces/llama-7b-decode.json]

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPoint } from '../cli/sweep-point.js';
import { arg } from '../bench/reference.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const trace = arg('trace', resolve(root, 'traces', 'llama-7b-decode.json'));
const sizes = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const rows = sizes.map((c, i) => runPoint({ point: i, points: sizes.length, trace, hw: 'sop-hif', baseline: 'fp8-e4m3', baselineSets: false, sets: [['lut.capacity_bytes', c]], mode: 'fast' }));
const n = (r: Record<string, string | number>, k: string) => Number(r[k]);
const lines = [
  '| LUT SRAM bytes | cycles | stall: LUT ports | stall: LUT reload | LUT reloads | LUT energy (uJ) | on-chip energy (uJ) | energy SOP/FP8 | on-chip SOP/FP8 | cycles SOP/FP8 |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const onChip = n(r, 'energy_total_pj') - n(r, 'energy_weight_fetch_pj');
  const baseOnChip = n(r, 'baseline_energy_total_pj') - n(r, 'baseline_energy_weight_fetch_pj');
  lines.push(
    `| ${r['lut.capacity_bytes']} | ${r.cycles} | ${r.stall_lut_port} | ${r.stall_lut_reload} | ${r.lut_reloads} | ${(n(r, 'energy_lut_sram_pj') / 1e6).toFixed(1)} | ${(onChip / 1e6).toFixed(1)} | ${n(r, 'ratio_energy_total').toFixed(4)} | ${(onChip / baseOnChip).toFixed(4)} | ${n(r, 'ratio_cycles').toFixed(4)} |`,
  );
}
process.stdout.write(lines.join('\n') + '\n');
