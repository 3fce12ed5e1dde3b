// Run layers through a datapath and turn counters into the report: cycles with stalls by cause, SRAM
// accesses, DRAM bytes, energy by component (counts × per-action energy, every line kept), per weight.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { WAITING_CAUSES, type SramAccesses } from '../core/block.js';
import { computeEnergy, type EnergyLine } from '../energy/actions.js';
import { Datapath, STALL_CAUSES, type Mode } from './datapath.js';
import type { LayerWork } from './layer-work.js';

export type { SramAccesses };

export interface SimReport {
  name: string;
  hw: string;
  mode: Mode;
  layers: number;
  tokens: number;
  weights_decoded: number;
  cycles: number;
  busy_cycles: number;
  /** Cycles that did not issue a lane group, by cause, and their total. */
  stall_cycles: Record<string, number>;
  /** Of the stall cycles: waiting for DRAM data, LUT tables or the pipeline to drain. */
  waiting_cycles: number;
  /** Of the stall cycles: a block (MACs, LUT ports, scale multipliers, ...) busy with a group for more than a cycle. */
  throughput_cycles: number;
  dram_bytes: number;
  sram: Record<string, SramAccesses>;
  energy_pj: Record<string, number>;
  energy_pj_per_weight: number;
  /** Wall time at the core clock, average power, and tokens per second (the report's tokens over its time). */
  time_ns: number;
  power_w: number;
  tokens_per_s: number;
  /** Silicon area per block and in total (mm2). */
  area_mm2: Record<string, number>;
  /** Share of each block's peak rate used over the report's cycles (MAC array, LUT, DRAM, ...). */
  utilisation: Record<string, number>;
  /** Lower bounds the cycles must respect: DRAM bandwidth, lane count and MAC count. */
  bounds: { dram_cycles: number; lane_cycles: number; mac_cycles: number };
  start_cycle: number;
  end_cycle: number;
  counters: Record<string, Record<string, number>>;
  energy_detail: EnergyLine[];
}

export interface RunOptions {
  mode: Mode;
  /** Event mode: capture decoded weights per layer (by layer index). */
  capture?: (i: number, n: number) => Float64Array | undefined;
}

export function buildReport(name: string, cfg: LoadedConfig, dp: Datapath, counters: Counters, mode: Mode, extra: { layers: number; tokens: number; start: number; end: number }): SimReport {
  const cycles = counters.get('datapath', 'cycles');
  const energy = computeEnergy(dp.actions(), counters, cycles);
  const stall: Record<string, number> = {};
  let stallTotal = 0;
  for (const s of STALL_CAUSES) {
    stall[s] = counters.get('stalls', s);
    stallTotal += stall[s];
  }
  stall.total = stallTotal;
  const waiting = WAITING_CAUSES.reduce((a, c) => a + stall[c], 0);
  const sram: Record<string, SramAccesses> = {};
  const bounds: Record<string, number> = {};
  const utilisation: Record<string, number> = {};
  const area = dp.area();
  const area_mm2: Record<string, number> = Object.fromEntries(area.blocks.map((b) => [b.component, b.mm2]));
  area_mm2.total = area.total;
  for (const b of dp.blocks) {
    if (b.sram) sram[b.component] = b.sram(counters);
    if (b.utilisation) utilisation[b.component] = b.utilisation(counters, cycles);
    const bound = b.bound?.(counters);
    if (bound) bounds[bound.name] = bound.cycles;
  }
  const weights = counters.get('unpacker', 'weights');
  const dram = counters.get('weight_fetch', 'dram_bytes');
  const energy_pj: Record<string, number> = { ...energy.byComponent, total: energy.total };
  return {
    name,
    hw: cfg.hw.name,
    mode,
    layers: extra.layers,
    tokens: extra.tokens,
    weights_decoded: weights,
    cycles,
    busy_cycles: counters.get('datapath', 'busy_cycles'),
    stall_cycles: stall,
    waiting_cycles: waiting,
    throughput_cycles: stallTotal - waiting,
    dram_bytes: dram,
    sram,
    energy_pj,
    energy_pj_per_weight: weights ? energy.total / weights : 0,
    ...timeFigures(cycles, energy.total, extra.tokens, cfg.hw.clock_ghz.value),
    area_mm2,
    utilisation,
    bounds: bounds as SimReport['bounds'],
    start_cycle: extra.start,
    end_cycle: extra.end,
    counters: counters.snapshot(),
    energy_detail: energy.lines,
  };
}

/** Cycles at `ghz` as time; pJ over ns is mW, so power_w = pJ / ns / 1000. */
function timeFigures(cycles: number, pj: number, tokens: number, ghz: number): Pick<SimReport, 'time_ns' | 'power_w' | 'tokens_per_s'> {
  const ns = cycles / ghz;
  return { time_ns: ns, power_w: ns > 0 ? pj / ns / 1000 : 0, tokens_per_s: ns > 0 ? (tokens * 1e9) / ns : 0 };
}

export interface RunResult {
  total: SimReport;
  layers: SimReport[];
}

/**
 * Run layers in order through one datapath (LUT residency carries over); report each and the total.
 * Layers are produced on demand, and only the current and the next one are held.
 */
export function runLayers(cfg: LoadedConfig, layers: LayerWork[] | LayerSource, opt: RunOptions, name?: string): RunResult {
  const reports: SimReport[] = [];
  const run = layerReports(cfg, layers, opt, name);
  for (;;) {
    const r = run.next();
    if (r.done) return { total: r.value, layers: reports };
    reports.push(r.value);
  }
}

export interface LayerSource {
  count: number;
  get(i: number): LayerWork;
}

/**
 * The same run, one layer's report at a time (yielded, not kept), then the total (returned): what a caller
 * streams to a file holds one layer's figures at a time, whatever the number of layers.
 */
export function* layerReports(cfg: LoadedConfig, layers: LayerWork[] | LayerSource, opt: RunOptions, name?: string): Generator<SimReport, SimReport> {
  const src = Array.isArray(layers) ? { count: layers.length, get: (i: number) => layers[i] } : layers;
  const dp = new Datapath(cfg);
  let start = 0;
  let end = 0;
  let tokens = 0;
  let cur = src.count ? src.get(0) : null;
  // the total's name lists the layers when there are few (a long trace is named by its caller)
  const names: string[] = [];
  const before = new Float64Array(dp.counters.values.length);
  for (let i = 0; i < src.count; i++) {
    const w = cur!;
    const next = i + 1 < src.count ? src.get(i + 1) : null;
    const now = dp.counters.values;
    const snap = before.length >= now.length ? before : new Float64Array(now.length);
    snap.set(now);
    const capture = opt.mode === 'event' ? opt.capture?.(i, w.n) : undefined;
    const t = dp.runLayer(w, { mode: opt.mode, next, capture });
    if (i === 0) {
      start = t.start;
      tokens = w.tokens;
    }
    end = t.end;
    if (names.length < 64) names.push(w.name);
    yield buildReport(w.name, cfg, dp, dp.counters.since(snap), opt.mode, { layers: 1, tokens: w.tokens, start: t.start, end: t.end });
    cur = next;
  }
  return buildReport(name ?? names.join(','), cfg, dp, dp.counters, opt.mode, { layers: src.count, tokens, start, end });
}
