// A self-contained HTML report: Chart.js (inlined from node_modules, no network) draws the charts that
// the given results support — a sweep CSV, a replay CSV, a quantize-model manifest.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../../quant/io/tensor.js';

export interface Chart {
  id: string;
  title: string;
  /** A Chart.js configuration (plain data: no functions). */
  config: Record<string, unknown>;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];

function num(v: string | undefined): number {
  return v === undefined || v === '' ? NaN : Number(v);
}

/** Charts from a sweep CSV (columns point, points, <swept paths>, status, hw, figures...); infeasible points are left out. */
function sweepCharts(file: string, all: Array<Record<string, string>>): Chart[] {
  const cols = Object.keys(all[0]);
  const rows = all.filter((r) => r.status === undefined || r.status === 'ok');
  if (rows.length === 0) throw new InputError(file, 'no point ran (every point is infeasible)');
  const swept = cols.slice(2, cols.indexOf('hw')).filter((c) => c !== 'status');
  const x = swept[0];
  const labels = rows.map((r) => swept.map((s) => `${s.replace(/^.*\./, '')}=${r[s]}`).join(' '));
  const charts: Chart[] = [];
  // components only: the total and the on-chip sum would count the same energy twice in a stacked bar
  const comps = cols.filter((c) => /^energy_.*_pj$/.test(c) && c !== 'energy_total_pj' && c !== 'energy_on_chip_pj' && rows.some((r) => num(r[c]) > 0));
  charts.push({
    id: `energy-${charts.length}`,
    title: `Energy by component per point (${file})`,
    config: {
      type: 'bar',
      data: { labels, datasets: comps.map((c, i) => ({ label: c.replace(/^energy_|_pj$/g, ''), data: rows.map((r) => num(r[c]) / 1e6), backgroundColor: PALETTE[i % PALETTE.length] })) },
      options: { animation: false, plugins: { title: { display: true, text: 'Energy by component (uJ)' } }, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'uJ' } } } },
    },
  });
  // a numeric axis (log when it spans 16x or more), or the swept words in order (lut.output=hif8,bf16)
  const xs = rows.map((r) => num(r[x]));
  const numeric = xs.every((v) => Number.isFinite(v));
  const xv = (r: Record<string, string>): number | string => (numeric ? num(r[x]) : r[x]);
  const logX = numeric && xs.every((v) => v > 0) && Math.max(...xs) / Math.min(...xs) >= 16;
  const xScale = numeric ? { type: logX ? 'logarithmic' : 'linear', title: { display: true, text: x } } : { type: 'category', labels: [...new Set(rows.map((r) => r[x]))], title: { display: true, text: x } };
  if (cols.includes('ratio_energy_total')) {
    charts.push({
      id: `ratio-${charts.length}`,
      title: `SOP / FP8 baseline against ${x}`,
      config: {
        type: 'line',
        data: {
          datasets: [
            { label: 'energy ratio', data: rows.map((r) => ({ x: xv(r), y: num(r.ratio_energy_total) })), borderColor: PALETTE[0], backgroundColor: PALETTE[0] },
            { label: 'cycles ratio', data: rows.map((r) => ({ x: xv(r), y: num(r.ratio_cycles) })), borderColor: PALETTE[1], backgroundColor: PALETTE[1] },
          ],
        },
        options: { animation: false, plugins: { title: { display: true, text: `SOP / FP8 against ${x}` } }, scales: { x: xScale, y: { title: { display: true, text: 'ratio' } } } },
      },
    });
  }
  const stalls = cols.filter((c) => c.startsWith('stall_') && c !== 'stall_total' && rows.some((r) => num(r[c]) > 0));
  charts.push({
    id: `stalls-${charts.length}`,
    title: `Stalls and LUT reloads against ${x}`,
    config: {
      type: 'line',
      data: {
        datasets: [
          ...stalls.map((c, i) => ({ label: c.replace('stall_', 'stall: '), data: rows.map((r) => ({ x: xv(r), y: num(r[c]) })), borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], yAxisID: 'y' })),
          { label: 'LUT reloads', data: rows.map((r) => ({ x: xv(r), y: num(r.lut_reloads) })), borderColor: '#000', backgroundColor: '#000', borderDash: [6, 4], yAxisID: 'y1' },
        ],
      },
      options: {
        animation: false,
        plugins: { title: { display: true, text: `Stall cycles and LUT reloads against ${x}` } },
        scales: { x: xScale, y: { title: { display: true, text: 'stall cycles' }, position: 'left' }, y1: { title: { display: true, text: 'reloads' }, position: 'right', grid: { drawOnChartArea: false } } },
      },
    },
  });
  return charts;
}

/** Charts from a replay CSV (columns index, layer, scheme, hw, figures...). */
function replayCharts(file: string, rows: Array<Record<string, string>>): Chart[] {
  const layers = rows.filter((r) => r.layer !== 'TOTAL');
  return [
    {
      id: 'replay-energy',
      title: `Energy per weight by layer (${file})`,
      config: {
        type: 'bar',
        data: {
          labels: layers.map((r) => r.layer.replace(/^model\.layers\./, 'L').replace(/\.weight$/, '')),
          datasets: [
            { label: 'SOP pJ/weight', data: layers.map((r) => num(r.energy_pj_per_weight)), backgroundColor: PALETTE[0] },
            ...(rows[0].baseline_energy_pj_per_weight !== undefined ? [{ label: 'baseline pJ/weight', data: layers.map((r) => num(r.baseline_energy_pj_per_weight)), backgroundColor: PALETTE[1] }] : []),
          ],
        },
        options: { animation: false, plugins: { title: { display: true, text: 'Energy per weight by layer (pJ)' } } },
      },
    },
  ];
}

/** Error against bpw from a quantize-model manifest: every menu entry of every layer, and the choices. */
function manifestCharts(file: string, m: { menus?: Array<{ name: string; entries: Array<{ label: string; bpw: number; acos: number }> }>; layers?: Array<{ layer: string; bpw: number; acos: number; choice: string }>; budget_bpw?: number }): Chart[] {
  if (!m.menus || !m.layers) throw new InputError(file, "not a quantize-model manifest (expected 'menus' and 'layers')");
  const labels = [...new Set(m.menus.flatMap((x) => x.entries.map((e) => e.label)))];
  const ppm = (a: number) => Math.max(1e-3, (1 - a) * 1e6);
  return [
    {
      id: 'error-bpw',
      title: `Error against bits per weight (${file})`,
      config: {
        type: 'scatter',
        data: {
          datasets: [
            ...labels.map((l, i) => ({
              label: `menu: ${l}`,
              data: m.menus!.flatMap((x) => x.entries.filter((e) => e.label === l).map((e) => ({ x: e.bpw, y: ppm(e.acos) }))),
              backgroundColor: PALETTE[i % PALETTE.length],
              pointRadius: 3,
            })),
            { label: `chosen at ${m.budget_bpw} bpw`, data: m.layers.map((c) => ({ x: c.bpw, y: ppm(c.acos) })), backgroundColor: 'rgba(0,0,0,0)', borderColor: '#000', pointRadius: 7, pointStyle: 'circle' },
          ],
        },
        options: { animation: false, plugins: { title: { display: true, text: 'Per-layer error (1 - ACos, ppm) against bpw' } }, scales: { x: { title: { display: true, text: 'bits per weight' } }, y: { type: 'logarithmic', title: { display: true, text: '1 - ACos (ppm)' } } } },
      },
    },
  ];
}

/** Charts for one results file. */
export function chartsFor(file: string): Chart[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (/\.json$/i.test(file)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new InputError(file, `not valid JSON (${(e as Error).message})`);
    }
    return manifestCharts(file, doc as Parameters<typeof manifestCharts>[1]);
  }
  let rows: Array<Record<string, string>>;
  try {
    rows = parse(text, { columns: true }) as Array<Record<string, string>>;
  } catch (e) {
    throw new InputError(file, `not a readable CSV (${(e as Error).message.split('\n')[0]})`);
  }
  if (rows.length === 0) throw new InputError(file, 'no rows');
  const cols = Object.keys(rows[0]);
  if (cols[0] === 'point' && cols.includes('hw')) return sweepCharts(file, rows);
  if (cols[0] === 'index' && cols.includes('layer')) return replayCharts(file, rows);
  throw new InputError(file, "not a sweep CSV (point, points, ...) or a replay CSV (index, layer, ...)");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The page: Chart.js inlined, one canvas per chart, and a flag tests wait for. */
export function reportHtml(title: string, charts: Chart[], command: string): string {
  const require = createRequire(import.meta.url);
  // the UMD build sits beside the package's CommonJS entry (dist/), which is what `exports` lets us resolve
  const chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  const figures = charts.map((c) => `<figure><figcaption>${escapeHtml(c.title)}</figcaption><div class="box"><canvas id="${c.id}"></canvas></div></figure>`).join('\n');
  const data = JSON.stringify(charts.map((c) => ({ id: c.id, config: c.config }))).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}figure{margin:2em 0}figcaption{font-weight:600;margin-bottom:.5em}.box{position:relative;height:420px}code{background:#f4f4f4;padding:2px 4px}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>Regenerate with <code>${escapeHtml(command)}</code></p>
${figures}
<script>${chartJs}</script>
<script>
window.__charts = ${data};
window.__drawn = 0;
for (const c of window.__charts) { new Chart(document.getElementById(c.id), Object.assign({}, c.config, { options: Object.assign({ responsive: true, maintainAspectRatio: false }, c.config.options) })); window.__drawn++; }
</script>
</body></html>
`;
}
