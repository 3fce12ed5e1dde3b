// Charts drawn by Vega-Lite in Node (no browser): SVG for papers, PNG through resvg, and one static HTML
// page holding every SVG with its numbers in a table underneath.

import { compile } from 'vega-lite';
import { parse as vegaParse, View } from 'vega';
import { Resvg } from '@resvg/resvg-js';
import type { Chart } from './charts.js';

/** One chart as a standalone SVG document. */
export async function chartSvg(chart: Chart): Promise<string> {
  const view = new View(vegaParse(compile(chart.spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** An SVG rasterised at twice its size (print resolution for a column-wide figure). */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A chart's numbers as CSV text (written beside its SVG). */
export function tableCsv(chart: Chart): string {
  const cell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [chart.table.columns.join(','), ...chart.table.rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

function tableHtml(chart: Chart): string {
  const head = chart.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = chart.table.rows.map((r) => `<tr>${r.map((v) => `<td${typeof v === 'number' ? ' class="n"' : ''}>${escapeHtml(String(v))}</td>`).join('')}</tr>`).join('\n');
  return `<details${chart.table.rows.length <= 40 ? ' open' : ''}><summary>numbers (${chart.table.rows.length} rows)</summary><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></details>`;
}

/** The page: every chart's SVG inline, its table under it; no scripts, nothing fetched. */
export function reportHtml(title: string, charts: Chart[], svgs: string[], command: string): string {
  const figures = charts.map((c, i) => `<figure id="${c.id}"><figcaption>${escapeHtml(c.title)}</figcaption>\n${svgs[i]}\n${tableHtml(c)}</figure>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}figure{margin:2.5em 0}figcaption{font-weight:600;margin-bottom:.5em}table{border-collapse:collapse;font-size:.8em;margin-top:.5em}td,th{border:1px solid #ddd;padding:2px 6px}td.n{text-align:right;font-variant-numeric:tabular-nums}code{background:#f4f4f4;padding:2px 4px}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>Regenerate with <code>${escapeHtml(command)}</code></p>
${figures}
</body></html>
`;
}
