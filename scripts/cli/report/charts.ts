// The charts a results file supports, as Vega-Lite specifications with the numbers behind them: sweep CSVs
// (several files with the same swept axes are overlaid), replay CSVs and quantize-model manifests.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../../../quant/io/tensor.js';

export interface Chart {
  id: string;
  title: string;
  spec: TopLevelSpec;
  /** The numbers drawn, printed under the chart and written beside its SVG. */
  table: { columns: string[]; rows: Array<Array<string | number>> };
}

type Row = Record<string, string>;
type Datum = Record<string, string | number>;

export interface ResultsFile {
  file: string;
  kind: 'sweep' | 'replay' | 'manifest' | 'formats';
  rows: Row[];
  manifest?: Manifest;
}

interface Manifest {
  menus: Array<{ name: string; entries: Array<{ label: string; bpw: number; acos: number }> }>;
  layers: Array<{ layer: string; bpw: number; acos: number; choice: string }>;
  budget_bpw?: number;
}

const num = (v: string | undefined): number => (v === undefined || v === '' ? NaN : Number(v));
/** Three significant digits: what a chart's table needs. */
const sig = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(4)) : v);

/** A swept path's unit from its name (sizes in bytes, times in ns, rates...), for axis titles. */
export function unitOf(path: string): string {
  if (/gb_per_s$/.test(path)) return 'GB/s';
  if (/_bytes$/.test(path)) return 'B';
  if (/_bits$/.test(path)) return 'bits';
  if (/_ns$/.test(path)) return 'ns';
  if (/_ghz$/.test(path)) return 'GHz';
  if (/_nm$/.test(path)) return 'nm';
  return '';
}
const titled = (path: string): string => (unitOf(path) ? `${path} (${unitOf(path)})` : path);
/** A column name as a Vega-Lite field: a dot there means a nested field unless escaped. */
const field = (name: string): string => name.replace(/[.[\]]/g, (c) => `\\${c}`);

/** Read and classify one results file. */
export function readResults(file: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (/\.json$/i.test(file)) {
    let doc: Manifest;
    try {
      doc = JSON.parse(text) as Manifest;
    } catch (e) {
      throw new InputError(file, `not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(doc?.menus) || !Array.isArray(doc?.layers)) throw new InputError(file, "not a quantize-model manifest (expected 'menus' and 'layers')");
    return { file, kind: 'manifest', rows: [], manifest: doc };
  }
  let rows: Row[];
  try {
    rows = parse(text, { columns: true }) as Row[];
  } catch (e) {
    throw new InputError(file, `not a readable CSV (${(e as Error).message.split('\n')[0]})`);
  }
  if (rows.length === 0) throw new InputError(file, 'no rows');
  const cols = Object.keys(rows[0]);
  if (cols[0] === 'point' && cols.includes('hw')) return { file, kind: 'sweep', rows };
  if (cols[0] === 'format' && cols.includes('sqnr_db')) return { file, kind: 'formats', rows };
  if (cols.includes('layer') && cols.includes('row') && cols.includes('hw')) return { file, kind: 'replay', rows };
  throw new InputError(file, 'not a sweep CSV (point, points, ...), a per-layer CSV from replay/simulate (row, index, layer, ...) or a formats CSV (format, scheme, ...)');
}

/** The swept columns of a sweep CSV: between `points` and `status`. */
export function sweptAxes(rows: Row[]): string[] {
  const cols = Object.keys(rows[0]);
  return cols.slice(2, cols.indexOf('status') < 0 ? cols.indexOf('hw') : cols.indexOf('status'));
}

interface Layout {
  x: string;
  color?: string;
  dash?: string;
  facet?: string;
  numericX: boolean;
  logX: boolean;
  xValues: Array<string | number>;
}

/** One line per value of the second axis, small multiples over the rest, files told apart by dash (or colour). */
function layoutFor(axes: string[], data: Datum[], files: number): Layout {
  const x = axes[0];
  const xs = data.map((d) => d[x]);
  const numericX = xs.every((v) => typeof v === 'number');
  const distinct = [...new Set(xs)];
  if (numericX) (distinct as number[]).sort((a, b) => a - b);
  const logX = numericX && (distinct as number[])[0] > 0 && (distinct as number[]).at(-1)! / (distinct as number[])[0] >= 16;
  const second = axes[1];
  return {
    x,
    color: second ?? (files > 1 ? 'file' : undefined),
    dash: second && files > 1 ? 'file' : undefined,
    facet: axes.length > 2 ? 'facet' : undefined,
    numericX,
    logX,
    xValues: distinct,
  };
}

/** A line chart of one figure against the first swept axis, in the layout's series. */
function lineChart(id: string, title: string, data: Datum[], lay: Layout, y: string, yTitle: string, ruleAt?: number): Chart {
  const xEnc = lay.numericX
    ? { field: field(lay.x), type: 'quantitative', scale: lay.logX ? { type: 'log', nice: false, padding: 16 } : { type: 'linear', zero: false, nice: false, padding: 16 }, axis: { values: lay.xValues, title: titled(lay.x), format: lay.xValues.every((v) => Number.isInteger(v)) ? ',d' : ',~g', labelOverlap: true } }
    : { field: field(lay.x), type: 'ordinal', sort: lay.xValues, axis: { title: titled(lay.x), labelAngle: 0 } };
  const enc: Record<string, unknown> = { x: xEnc, y: { field: y, type: 'quantitative', axis: { title: yTitle } } };
  if (lay.color) enc.color = { field: field(lay.color), type: 'nominal', title: lay.color === 'file' ? 'file' : titled(lay.color), sort: null, legend: { titleLimit: 360 } };
  if (lay.dash) enc.strokeDash = { field: lay.dash, type: 'nominal', title: 'file' };
  const line = { mark: { type: 'line', point: true }, encoding: enc };
  const layers: unknown[] = [line];
  if (ruleAt !== undefined) layers.push({ mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { datum: ruleAt } } });
  const inner = { width: 420, height: 240, layer: layers };
  const spec = (lay.facet ? { data: { values: data }, facet: { row: { field: field(lay.facet), type: 'nominal', title: null } }, spec: inner } : { data: { values: data }, ...inner }) as unknown as TopLevelSpec;
  const fields = [lay.facet, lay.dash, lay.color, lay.x].filter((f, i, a): f is string => !!f && a.indexOf(f) === i);
  const rows = data.filter((d) => Number.isFinite(d[y] as number)).map((d) => [...fields.map((f) => d[f]), sig(d[y] as number)]);
  return { id, title, spec, table: { columns: [...fields, y], rows } };
}

/** The sweep points that ran, one datum each, with the per-weight figures the charts draw. */
function sweepData(results: ResultsFile[], axes: string[]): Datum[] {
  const out: Datum[] = [];
  for (const r of results) {
    for (const row of r.rows) {
      if (row.status !== undefined && row.status !== 'ok') continue;
      const d: Datum = { file: basename(r.file).replace(/\.csv$/i, '') };
      for (const a of axes) d[a] = Number.isFinite(num(row[a])) && row[a] !== '' ? num(row[a]) : row[a];
      if (axes.length > 2) d.facet = axes.slice(2).map((a) => `${a}=${row[a]}`).join(', ');
      const w = num(row.weights_decoded);
      d.energy_pj_per_weight = num(row.energy_pj_per_weight);
      d.on_chip_pj_per_weight = num(row.energy_on_chip_pj) / w;
      d.lut_pj_per_weight = num(row.energy_lut_sram_pj) / w;
      d.ratio_energy_total = num(row.ratio_energy_total);
      d.ratio_cycles = num(row.ratio_cycles);
      d.stall_total = num(row.stall_total);
      d.lut_reloads = num(row.lut_reloads);
      d.area_total_mm2 = num(row.area_total_mm2);
      out.push(d);
    }
  }
  return out;
}

/** The on-chip energy of every point by component (the DRAM left out, so the on-chip blocks are visible). */
function onChipComponents(id: string, results: ResultsFile[], axes: string[]): Chart {
  const values: Datum[] = [];
  for (const r of results) {
    const comps = Object.keys(r.rows[0]).filter((c) => /^energy_.*_pj$/.test(c) && !/^energy_(total|on_chip|weight_fetch)_pj$/.test(c));
    for (const row of r.rows) {
      if (row.status !== undefined && row.status !== 'ok') continue;
      // the values only (the axis title names them), so labels stay short
      const point = (results.length > 1 ? `${basename(r.file, '.csv')}: ` : '') + axes.map((a) => row[a]).join(' / ');
      for (const c of comps) {
        const v = num(row[c]) / num(row.weights_decoded);
        if (v > 0) values.push({ point, component: c.replace(/^energy_|_pj$/g, ''), pj_per_weight: sig(v) });
      }
    }
  }
  const title = 'On-chip energy per weight by block (DRAM left out)';
  const spec = {
    data: { values },
    width: { step: 28 },
    height: 260,
    mark: 'bar',
    encoding: {
      x: { field: 'point', type: 'nominal', sort: null, axis: { title: axes.map(titled).join(' / '), labelAngle: -40, labelLimit: 220 } },
      y: { field: 'pj_per_weight', type: 'quantitative', stack: 'zero', axis: { title: 'on-chip energy (pJ per weight)' } },
      color: { field: 'component', type: 'nominal', title: 'block', scale: { scheme: 'tableau20' } },
    },
  } as unknown as TopLevelSpec;
  return { id, title, spec, table: { columns: ['point', 'component', 'pj_per_weight'], rows: values.map((v) => [v.point, v.component, v.pj_per_weight]) } };
}

/** Charts of one group of sweep files with the same swept axes. */
function sweepGroupCharts(results: ResultsFile[], prefix: string): Chart[] {
  const axes = sweptAxes(results[0].rows);
  const data = sweepData(results, axes);
  if (data.length === 0) throw new InputError(results[0].file, 'no point ran (every point is infeasible)');
  const lay = layoutFor(axes, data, results.length);
  const baseline = results[0].rows.find((r) => r.baseline)?.baseline;
  const against = ` against ${lay.x}`;
  const charts: Chart[] = [];
  if (baseline !== undefined && data.some((d) => Number.isFinite(d.ratio_energy_total as number))) {
    charts.push(lineChart(`${prefix}ratio-energy`, `Energy, SOP / ${baseline}${against}`, data, lay, 'ratio_energy_total', `energy ratio (SOP / ${baseline})`, 1));
    charts.push(lineChart(`${prefix}ratio-cycles`, `Cycles, SOP / ${baseline}${against}`, data, lay, 'ratio_cycles', `cycles ratio (SOP / ${baseline})`, 1));
  }
  charts.push(lineChart(`${prefix}energy-total`, `Total energy per weight${against}`, data, lay, 'energy_pj_per_weight', 'total energy (pJ per weight)'));
  charts.push(lineChart(`${prefix}energy-on-chip`, `On-chip energy per weight${against}`, data, lay, 'on_chip_pj_per_weight', 'on-chip energy (pJ per weight)'));
  charts.push(lineChart(`${prefix}energy-lut`, `LUT SRAM energy per weight${against}`, data, lay, 'lut_pj_per_weight', 'LUT SRAM energy (pJ per weight)'));
  charts.push(onChipComponents(`${prefix}on-chip-blocks`, results, axes));
  charts.push(lineChart(`${prefix}stalls`, `Stall cycles${against}`, data, lay, 'stall_total', 'stall cycles'));
  charts.push(lineChart(`${prefix}lut-reloads`, `LUT reloads${against}`, data, lay, 'lut_reloads', 'LUT reloads (count)'));
  if (data.some((d) => (d.area_total_mm2 as number) > 0)) charts.push(lineChart(`${prefix}area`, `Area${against}`, data, lay, 'area_total_mm2', 'area (mm²)'));
  return charts;
}

/** Energy per weight by layer from a per-layer CSV (replay or simulate), beside the baseline's when present. */
function layerCharts(r: ResultsFile, prefix: string): Chart[] {
  const layers = r.rows.filter((x) => x.row === 'layer');
  const baseline = layers.find((x) => x.baseline)?.baseline;
  const short = (l: string) => l.replace(/^model\.layers\./, 'L').replace(/\.weight$/, '');
  const values: Datum[] = [];
  for (const x of layers) {
    values.push({ layer: short(x.layer), side: `SOP (${x.hw})`, pj_per_weight: sig(num(x.energy_pj_per_weight)) });
    if (baseline) values.push({ layer: short(x.layer), side: `baseline (${baseline})`, pj_per_weight: sig(num(x.baseline_energy_pj_per_weight)) });
  }
  const title = `Energy per weight by layer (${basename(r.file)})`;
  const spec = {
    data: { values },
    width: { step: 14 },
    height: 260,
    mark: 'bar',
    encoding: {
      x: { field: 'layer', type: 'nominal', sort: null, axis: { title: 'layer', labelAngle: -60 } },
      xOffset: { field: 'side' },
      y: { field: 'pj_per_weight', type: 'quantitative', axis: { title: 'energy (pJ per weight)' } },
      color: { field: 'side', type: 'nominal', title: null },
    },
  } as unknown as TopLevelSpec;
  return [{ id: `${prefix}layers-energy`, title, spec, table: { columns: ['layer', 'side', 'pj_per_weight'], rows: values.map((v) => [v.layer, v.side, v.pj_per_weight]) } }];
}

/** Every menu entry of every layer, error against bits per weight, with the allocation's choices ringed. */
function manifestCharts(r: ResultsFile, prefix: string): Chart[] {
  const m = r.manifest!;
  const ppm = (a: number) => sig(Math.max(1e-3, (1 - a) * 1e6));
  const values: Datum[] = [];
  for (const menu of m.menus) for (const e of menu.entries) values.push({ layer: menu.name, entry: e.label, bpw: sig(e.bpw), error_ppm: ppm(e.acos), chosen: 'menu' });
  for (const c of m.layers) values.push({ layer: c.layer, entry: c.choice, bpw: sig(c.bpw), error_ppm: ppm(c.acos), chosen: `chosen at ${m.budget_bpw ?? '?'} bpw` });
  const title = `Per-layer error against bits per weight (${basename(r.file)})`;
  const spec = {
    data: { values },
    width: 420,
    height: 280,
    layer: [
      { transform: [{ filter: "datum.chosen === 'menu'" }], mark: { type: 'point', filled: true, size: 30 }, encoding: { x: { field: 'bpw', type: 'quantitative', scale: { zero: false, padding: 12 }, axis: { title: 'bits per weight' } }, y: { field: 'error_ppm', type: 'quantitative', scale: { type: 'log' }, axis: { title: '1 - ACos (ppm)' } }, color: { field: 'entry', type: 'nominal', title: 'menu entry' } } },
      { transform: [{ filter: "datum.chosen !== 'menu'" }], mark: { type: 'point', size: 140, color: '#000' }, encoding: { x: { field: 'bpw', type: 'quantitative' }, y: { field: 'error_ppm', type: 'quantitative' }, shape: { field: 'chosen', type: 'nominal', title: null } } },
    ],
  } as unknown as TopLevelSpec;
  return [{ id: `${prefix}error-bpw`, title, spec, table: { columns: ['layer', 'entry', 'bpw', 'error_ppm', 'chosen'], rows: values.map((v) => [v.layer, v.entry, v.bpw, v.error_ppm, v.chosen]) } }];
}

/** Formats side by side (sopsim formats --csv): reconstruction against energy per weight, total and on chip, each point named. */
function formatCharts(r: ResultsFile, prefix: string): Chart[] {
  const values = r.rows.map((x) => ({ format: x.format, hw: x.hw, bpw: sig(num(x.bpw)), sqnr_db: sig(num(x.sqnr_db)), energy_pj_per_weight: sig(num(x.energy_pj_per_weight)), on_chip_pj_per_weight: sig(num(x.on_chip_pj_per_weight)) }));
  const chart = (id: string, xField: 'energy_pj_per_weight' | 'on_chip_pj_per_weight', xTitle: string): Chart => {
    const title = `SQNR against ${xTitle} (${basename(r.file)})`;
    const enc = { x: { field: xField, type: 'quantitative', scale: { zero: false, padding: 20 }, axis: { title: xTitle } }, y: { field: 'sqnr_db', type: 'quantitative', scale: { zero: false, padding: 20 }, axis: { title: 'SQNR (dB)' } } };
    const spec = {
      data: { values },
      width: 460,
      height: 300,
      layer: [
        { mark: { type: 'point', filled: true, size: 70 }, encoding: { ...enc, color: { field: 'hw', type: 'nominal', title: 'datapath' } } },
        { mark: { type: 'text', align: 'left', dx: 7, dy: -6, fontSize: 10 }, encoding: { ...enc, text: { field: 'format' } } },
      ],
    } as unknown as TopLevelSpec;
    return { id: `${prefix}${id}`, title, spec, table: { columns: ['format', 'hw', 'bpw', 'sqnr_db', xField], rows: values.map((v) => [v.format, v.hw, v.bpw, v.sqnr_db, v[xField]]) } };
  };
  return [chart('sqnr-energy', 'energy_pj_per_weight', 'energy (pJ per weight)'), chart('sqnr-on-chip', 'on_chip_pj_per_weight', 'on-chip energy (pJ per weight)')];
}

/** Every chart of the given files: sweep files with the same swept axes share charts (one overlay). */
export function chartsFor(files: string[]): Chart[] {
  const results = files.map(readResults);
  const groups = new Map<string, ResultsFile[]>();
  const charts: Chart[] = [];
  for (const r of results) {
    if (r.kind !== 'sweep') continue;
    const key = sweptAxes(r.rows).join('|');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  let g = 0;
  for (const group of groups.values()) charts.push(...sweepGroupCharts(group, groups.size > 1 ? `sweep${++g}-` : 'sweep-'));
  const seen = { replay: 0, manifest: 0, sweep: 0, formats: 0 };
  for (const r of results) {
    const k = ++seen[r.kind];
    if (r.kind === 'replay') charts.push(...layerCharts(r, `per-layer${k > 1 ? k : ''}-`));
    if (r.kind === 'manifest') charts.push(...manifestCharts(r, `manifest${k > 1 ? k : ''}-`));
    if (r.kind === 'formats') charts.push(...formatCharts(r, `formats${k > 1 ? k : ''}-`));
  }
  return charts;
}
