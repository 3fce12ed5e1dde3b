// One point of a sweep: replay a trace on a hw-config with overrides, and (optionally) on the baseline;
// returns the CSV row. Runs in the main thread or in a worker (sweep-worker.ts); traces are resolved
// once per thread, so synthetic slices are quantized once.

import type { Mode } from '../../sim/datapath/datapath.js';
import { resolveSteps, type Step } from '../../sim/trace/steps.js';
import { ConfigError, lutOutputOf } from '../../sim/config/load.js';
import { readJsonFile } from '../../quant/io/bytes.js';
import { hwPath, loadHw } from './hw.js';
import { flatten, runSteps } from './sim-run.js';
import { baselineLayer } from './commands/compare.js';

export interface PointTask {
  point: number;
  points: number;
  trace: string;
  hw: string;
  baseline: string | null;
  baselineSets: boolean;
  sets: Array<[string, number | boolean | string]>;
  mode: Mode;
}

const stepsCache = new Map<string, Step[]>();
const baselineCache = new Map<string, Record<string, number>>();
/** Baseline hw-config documents, read once per thread (which sections it has). */
const baselineDocs = new Map<string, Record<string, unknown>>();

/** A trace's steps, raw weights quantized for the datapath's LUT format (as simulate, compare and replay do). */
function steps(trace: string, lut: string | undefined, tokens: number | undefined): Step[] {
  const key = `${trace}\0${lut ?? ''}\0${tokens ?? ''}`;
  let s = stepsCache.get(key);
  if (!s) stepsCache.set(key, (s = resolveSteps(trace, { lut, tokens })));
  return s;
}

/**
 * The point's --set values the baseline takes: every one whose section the baseline has (a clock, the DRAM,
 * the weight buffer, the MACs...), none of a block it lacks (the LUT, the ROM, the selection mux).
 */
export function baselineSets(baseline: string, setStrings: string[]): string[] {
  let doc = baselineDocs.get(baseline);
  if (!doc) baselineDocs.set(baseline, (doc = readJsonFile(hwPath(baseline)) as Record<string, unknown>));
  return setStrings.filter((s) => Object.hasOwn(doc, s.slice(0, s.indexOf('.') < 0 ? s.indexOf('=') : s.indexOf('.'))));
}

/** A point's row up to its figures: its settings, its status and the hw-config's name. */
function pointRow(task: Pick<PointTask, 'point' | 'points' | 'sets'>, status: string, hw: string): Record<string, string | number> {
  const row: Record<string, string | number> = { point: task.point, points: task.points };
  for (const [p, v] of task.sets) row[p] = typeof v === 'boolean' ? String(v) : v;
  row.status = status;
  row.hw = hw;
  return row;
}

/** The row of a point that cannot run on its configuration: why, from its ConfigError (the hw-config's path left out). */
export function infeasibleRow(task: Pick<PointTask, 'point' | 'points' | 'sets'>, hw: string, e: ConfigError): Record<string, string | number> {
  return pointRow(task, `infeasible: ${e.message.replace(/^[^:]*\.json: /, '')}`, hw);
}

export function runPoint(task: PointTask): Record<string, string | number> {
  // `tokens` is the trace's, every other key the hw-config's
  const tokens = task.sets.find(([p]) => p === 'tokens')?.[1] as number | undefined;
  const setStrings = task.sets.filter(([p]) => p !== 'tokens').map(([p, v]) => `${p}=${v}`);
  const cfg = loadHw(task.hw, setStrings);
  const st = steps(task.trace, lutOutputOf(cfg), tokens);
  let sop: Record<string, number>;
  try {
    sop = flatten(runSteps(cfg, st, task.mode).total);
  } catch (e) {
    if (e instanceof ConfigError) return infeasibleRow(task, cfg.hw.name, e);
    throw e;
  }
  const row = pointRow(task, 'ok', cfg.hw.name);
  Object.assign(row, sop);
  if (task.baseline) {
    const bsets = task.baselineSets ? baselineSets(task.baseline, setStrings) : [];
    const key = `${task.baseline}|${bsets.join(',')}|${tokens ?? ''}`;
    let b = baselineCache.get(key);
    if (!b) {
      const bcfg = loadHw(task.baseline, bsets);
      b = flatten(runSteps(bcfg, st, task.mode, baselineLayer).total);
      baselineCache.set(key, b);
    }
    for (const [k, v] of Object.entries(b)) row[`baseline_${k}`] = v;
    // a ratio over zero is undefined: an empty cell, never 1 or 0
    const r = (k: string) => (b![k] ? sop[k] / b![k] : '');
    row.ratio_cycles = r('cycles');
    row.ratio_dram_bytes = r('dram_bytes');
    row.ratio_energy_total = r('energy_total_pj');
    row.ratio_energy_per_weight = r('energy_pj_per_weight');
  }
  return row;
}
