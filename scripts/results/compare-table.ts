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
const sweep = arg('tokens-list', '1,16,256').split(',').map(Number);
const prepared = colsSpec.map((c) => {
  const q = quantize(t, c.scheme, c.lut ? { lut: parseLutFormat(c.lut) } : {});
  return { c, q, m: measure(t, q), cfg: loadHwConfig(join(hwDir, `${c.hw}.json`)) };
});
const simulate = (p: (typeof prepared)[number], n: number) => runLayers(p.cfg, [buildLayerWork(p.q, p.cfg, n, t.name)], { mode: 'fast' }).total;
const results: Array<{ col: Col; r: SimReport; sqnr: number; bpw: number }> = prepared.map((p) => ({ col: p.c, r: simulate(p, tokens), sqnr: p.m.sqnr_db, bpw: p.m.bpw }));
const onChip = (r: SimReport) => r.energy_pj.total - r.energy_pj.weight_fetch;
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
const comps = [...new Set(results.flatMap((x) => Object.keys(x.r.energy_pj)))].filter((c) => c !== 'total');
for (const c of comps) row(`energy ${c} (uJ)`, (r) => (r.energy_pj[c] ?? 0) / 1e6, false, 4);
row('energy total (uJ)', (r) => r.energy_pj.total / 1e6, true, 4);
row('energy per weight (pJ)', (r) => r.energy_pj_per_weight, true, 4);
row('on-chip energy per weight (pJ, excl. DRAM)', (r) => onChip(r) / r.weights_decoded, true, 4);
row('area (mm2)', (r) => r.area_mm2.total, true, 4);
row('MAC array utilisation', (r) => r.utilisation.mac_array, false, 3);
process.stdout.write(`One ${rows}x${cols} Student-t(4) layer (seed 1), ${tokens} token(s), fast mode; ratios against FP8 in brackets.\n\n${lines.join('\n')}\n`);

// the same layers at several token counts: energy ratios, in total and on chip
const byTokens = sweep.map((n) => ({ n, rs: prepared.map((p) => simulate(p, n)) }));
const ratio = (a: SimReport, b: SimReport, f: (r: SimReport) => number) => (f(a) / f(b)).toFixed(3);
const total = (r: SimReport) => r.energy_pj.total;
const tl = ['| tokens | sop4 HIF / FP8 total | on chip | FP6 HIF / FP8 total | on chip | HIF / BF16 LUT (sop4) total | on chip | cycles sop4 HIF / FP8 |', '|---|---|---|---|---|---|---|---|'];
for (const { n, rs } of byTokens) {
  const [hif, fp6, bf, fp8] = rs;
  tl.push(`| ${n} | ${ratio(hif, fp8, total)} | ${ratio(hif, fp8, onChip)} | ${ratio(fp6, fp8, total)} | ${ratio(fp6, fp8, onChip)} | ${ratio(hif, bf, total)} | ${ratio(hif, bf, onChip)} | ${ratio(hif, fp8, (r) => r.cycles)} |`);
}
process.stdout.write(`\nEnergy ratios at ${sweep.join(', ')} tokens (same layers):\n\n${tl.join('\n')}\n`);
