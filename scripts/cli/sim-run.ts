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
