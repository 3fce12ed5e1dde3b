// Regenerates the README's datapath comparison on one 4096x4096 layer:
//   npm run build && node dist/scripts/results/compare-table.js [--rows 4096] [--cols 4096] [--tokens 1] [--json]
// SOP+HIF at 4.5 bpw (sop4) and 6.5 bpw (E2M3sUE4M4), the same on a BF16-LUT datapath (to isolate HIF),
// against FP8 E4M3 with a per-layer power-of-two scale (e4m3-pot), all from the same seeded weights.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '../../quant/io/synthetic.js';
import { arg } from '../bench/reference.js';
import { parseLutFormat } from '../../quant/codebooks/lut-format.js';
import { measure } from '../../quant/measure.js';
import { quantize } from '../../quant/schemes/index.js';
import { loadHwConfig } from '../../sim/config/load.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers, type SimReport } from '../../sim/datapath/report.js';

const args = process.argv.slice(2); // --json
const rows = Number(arg('rows', '4096'));
const cols = Number(arg('cols', '4096'));
const tokens = Number(arg('tokens', '1'));
const hwDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'hw-configs');
const t = synthesize({ dist: 't4', rows, cols, seed: 1 }, `t4-${rows}x${cols}`);

interface Col {
  label: string;
  scheme: string;
  hw: string;
  lut?: string;
}
const colsSpec: Col[] = [
  { label: 'SOP+HIF sop4 (4.5 bpw)', scheme: 'sop4', hw: 'sop-hif' },
  { label: 'SOP+HIF E2M3sUE4M4 (6.5 bpw)', scheme: 'E2M3sUE4M4', hw: 'sop-hif' },
  { label: 'SOP+BF16-LUT sop4 (4.5 bpw)', scheme: 'sop4', hw: 'sop-bf16lut', lut: 'bf16' },
  { label: 'FP8 E4M3 e4m3-pot (8.0 bpw)', scheme: 'e4m3-pot', hw: 'fp8-e4m3' },
];
const results: Array<{ col: Col; r: SimReport; sqnr: number; bpw: number }> = [];
for (const c of colsSpec) {
  const q = quantize(t, c.scheme, c.lut ? { lut: parseLutFormat(c.lut) } : {});
  const m = measure(t, q);
  const cfg = loadHwConfig(join(hwDir, `${c.hw}.json`));
  const r = runLayers(cfg, [buildLayerWork(q, cfg, tokens, t.name)], { mode: 'fast' }).total;
  results.push({ col: c, r, sqnr: m.sqnr_db, bpw: m.bpw });
}
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify(results.map((x) => ({ ...x.col, sqnr_db: x.sqnr, bpw: x.bpw, report: { ...x.r, counters: undefined, energy_detail: undefined } })), null, 1) + '\n');
  process.exit(0);
}
const base = results[results.length - 1].r;
const f = (x: number, d = 3) => (Math.abs(x) >= 1e5 ? x.toExponential(3) : Number(x.toFixed(d)).toString());
const lines: string[] = [];
const head = ['figure', ...results.map((x) => x.col.label)];
lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
const row = (name: string, get: (r: SimReport) => number, ratio = true, d = 3) =>
  lines.push(`| ${name} | ${results.map((x) => `${f(get(x.r), d)}${ratio && x.r !== base && get(base) ? ` (${(get(x.r) / get(base)).toFixed(3)}x)` : ''}`).join(' | ')} |`);
lines.push(`| bpw (exact) | ${results.map((x) => x.bpw.toFixed(4)).join(' | ')} |`);
lines.push(`| SQNR dB | ${results.map((x) => x.sqnr.toFixed(2)).join(' | ')} |`);
row('cycles', (r) => r.cycles);
row('  stall: DRAM', (r) => r.stall_cycles.dram, false);
row('  stall: LUT reload', (r) => r.stall_cycles.lut_reload, false);
row('DRAM bytes', (r) => r.dram_bytes);
row('weight buffer reads (256-bit)', (r) => r.sram.weight_buffer.reads);
row('LUT SRAM reads', (r) => r.sram.lut_sram?.reads ?? 0, false);
const comps = ['weight_fetch', 'weight_buffer', 'unpacker', 'selection_mux', 'codebook_rom', 'lut_sram', 'hif_output', 'scale_multiplier', 'mac_array', 'fp8_decode'];
for (const c of comps) row(`energy ${c} (uJ)`, (r) => (r.energy_pj[c] ?? 0) / 1e6, false, 4);
row('energy total (uJ)', (r) => r.energy_pj.total / 1e6, true, 4);
row('energy per weight (pJ)', (r) => r.energy_pj_per_weight, true, 4);
row('on-chip energy per weight (pJ, excl. DRAM)', (r) => (r.energy_pj.total - r.energy_pj.weight_fetch) / r.weights_decoded, true, 4);
process.stdout.write(`One ${rows}x${cols} Student-t(4) layer (seed 1), ${tokens} token(s), fast mode; ratios against FP8 in brackets.\n\n${lines.join('\n')}\n`);
