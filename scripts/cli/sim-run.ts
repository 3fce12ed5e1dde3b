// Shared by simulate, compare (and replay): run resolved steps through a hw-config, and flatten reports.

import { buildLayerWork, type LayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers, type LayerSource, type RunResult, type SimReport } from '../../sim/datapath/report.js';
import type { Mode } from '../../sim/datapath/datapath.js';
import type { LoadedConfig } from '../../sim/config/load.js';
import type { Step } from '../../sim/trace/steps.js';
import type { QuantizedLayer } from '../../quant/layer.js';

/** Resolved steps as the layers a datapath runs, built one at a time on demand. */
export function stepLayers(cfg: LoadedConfig, steps: Step[], layerOf: (s: Step) => QuantizedLayer = (s) => s.layer()): LayerSource {
  // a repeated step is the same Step object: set its layer up once (blocks only read a LayerWork)
  const made = new WeakMap<Step, LayerWork>();
  const work = (s: Step) => {
    let w = made.get(s);
    if (!w) made.set(s, (w = buildLayerWork(layerOf(s), cfg, s.tokens, s.name, s.rows, `${s.name}#${s.id}`)));
    return w;
  };
  return { count: steps.length, get: (i) => work(steps[i]) };
}

export function runSteps(cfg: LoadedConfig, steps: Step[], mode: Mode, layerOf?: (s: Step) => QuantizedLayer, name?: string): RunResult {
  return runLayers(cfg, stepLayers(cfg, steps, layerOf), { mode }, name);
}

/** The figures a person compares, flattened to name → number (for tables and CSV rows). */
export function flatten(r: SimReport): Record<string, number> {
  const out: Record<string, number> = {
    weights_decoded: r.weights_decoded,
    tokens: r.tokens,
    cycles: r.cycles,
    busy_cycles: r.busy_cycles,
  };
  for (const [k, v] of Object.entries(r.stall_cycles)) out[`stall_${k}`] = v;
  out.waiting_cycles = r.waiting_cycles;
  out.throughput_cycles = r.throughput_cycles;
  out.dram_bytes = r.dram_bytes;
  for (const [m, a] of Object.entries(r.sram)) for (const [k, v] of Object.entries(a)) out[`${m}_${k}`] = v;
  for (const [k, v] of Object.entries(r.energy_pj)) out[`energy_${k}_pj`] = v;
  out.energy_on_chip_pj = onChipPj(r);
  out.energy_pj_per_weight = r.energy_pj_per_weight;
  out.time_ns = r.time_ns;
  out.power_w = r.power_w;
  out.tokens_per_s = r.tokens_per_s;
  out.lut_reloads = r.counters.lut_sram?.reloads ?? 0;
  for (const [k, v] of Object.entries(r.area_mm2)) out[`area_${k}_mm2`] = v;
  for (const [k, v] of Object.entries(r.utilisation)) out[`utilisation_${k}`] = v;
  return out;
}

/**
 * A CSV figure: whole numbers as they are, fractions to 10 significant digits (the binary tail of a sum,
 * 124908245529.59999, is noise; a pJ figure never carries 10 meaningful digits).
 */
export function csvFigure(v: number | string): number | string {
  return typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v;
}

/** A CSV row with every figure rounded as csvFigure says. */
export function csvRounded(row: Record<string, number | string>): Record<string, number | string> {
  for (const k of Object.keys(row)) row[k] = csvFigure(row[k]);
  return row;
}

/** The ratio columns every CSV carries beside a baseline (empty where the baseline's figure is 0: undefined, never 1). */
export function ratioColumns(sop: Record<string, number>, base: Record<string, number>): Record<string, number | ''> {
  const r = (k: string) => (base[k] ? sop[k] / base[k] : '');
  return {
    ratio_cycles: r('cycles'),
    ratio_dram_bytes: r('dram_bytes'),
    ratio_energy_total: r('energy_total_pj'),
    ratio_energy_on_chip: r('energy_on_chip_pj'),
    ratio_energy_per_weight: r('energy_pj_per_weight'),
  };
}

/** A step's scheme (a trace step knows it; else the quantized layer's, with +res for sparse residuals). */
export function stepScheme(step: Step): string {
  if (step.scheme) return step.scheme;
  const q = step.layer();
  return q.residuals?.index.length ? `${q.scheme}+res` : q.scheme;
}

/**
 * One row of a per-layer CSV (simulate, replay): `row` is layer or total (the total has no index or scheme),
 * then the layer, its hw-config, the baseline's name, the figures, the baseline's figures and the ratios.
 */
export function layerCsvRow(kind: 'layer' | 'total', index: number | '', scheme: string, r: SimReport, base?: { name: string; report: SimReport }): Record<string, number | string> {
  const sop = flatten(r);
  const row: Record<string, number | string> = { row: kind, index, layer: kind === 'total' ? '' : r.name, scheme, hw: r.hw, baseline: base?.name ?? '', ...sop };
  if (base) {
    const b = flatten(base.report);
    for (const [k, v] of Object.entries(b)) row[`baseline_${k}`] = v;
    Object.assign(row, ratioColumns(sop, b));
  }
  return csvRounded(row);
}

/** Energy spent on chip: everything but the DRAM (weight_fetch). */
export function onChipPj(r: SimReport): number {
  return r.energy_pj.total - (r.energy_pj.weight_fetch ?? 0);
}

/** The JSON view the issue asks for: cycles, stalls by cause, DRAM bytes, SRAM, energy, per weight. */
export function summary(r: SimReport): Record<string, unknown> {
  return {
    name: r.name,
    hw: r.hw,
    mode: r.mode,
    layers: r.layers,
    tokens: r.tokens,
    weights_decoded: r.weights_decoded,
    cycles: r.cycles,
    busy_cycles: r.busy_cycles,
    stall_cycles: r.stall_cycles,
    waiting_cycles: r.waiting_cycles,
    throughput_cycles: r.throughput_cycles,
    dram_bytes: r.dram_bytes,
    sram: r.sram,
    energy_pj: r.energy_pj,
    energy_pj_per_weight: r.energy_pj_per_weight,
    time_ns: r.time_ns,
    power_w: r.power_w,
    tokens_per_s: r.tokens_per_s,
    energy_on_chip_pj: onChipPj(r),
    area_mm2: r.area_mm2,
    utilisation: r.utilisation,
    bounds: r.bounds,
  };
}
