// One point of a sweep: replay a trace on a hw-config with overrides, and (optionally) on the baseline;
// returns the CSV row. Runs in the main thread or in a worker (sweep-worker.ts); traces are resolved
// once per thread, so synthetic slices are quantized once.

import type { Mode } from '../../sim/datapath/datapath.js';
import { resolveSteps, type Step } from '../../sim/trace/steps.js';
import { ConfigError, lutOutputOf } from '../../sim/config/load.js';
import { baselineDoc, baselineSets, loadHw } from './hw.js';
import { csvRounded, flatten, ratioColumns, runSteps } from './sim-run.js';
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

/** A trace's steps, raw weights quantized for the datapath's LUT format (as simulate, compare and replay do). */
function steps(trace: string, lut: string | undefined, tokens: number | undefined): Step[] {
  const key = `${trace}\0${lut ?? ''}\0${tokens ?? ''}`;
  let s = stepsCache.get(key);
  if (!s) stepsCache.set(key, (s = resolveSteps(trace, { lut, tokens })));
  return s;
}

/** The hw-config keys (not `tokens`, the trace's) as --set strings. */
const setStringsOf = (task: Pick<PointTask, 'sets'>): string[] => task.sets.filter(([p]) => p !== 'tokens').map(([p, v]) => `${p}=${v}`);

type RowTask = Pick<PointTask, 'point' | 'points' | 'sets' | 'baseline' | 'baselineSets'>;

/** The point's --set values its baseline takes (none without a baseline or with --no-baseline-sets). */
const baselineSetsOf = (task: RowTask): string[] => (task.baseline && task.baselineSets ? baselineSets(task.baseline, setStringsOf(task)) : []);

/**
 * A point's row up to its figures: its settings, its status, the hw-config's name, and the baseline's name
 * with the settings it took (`bsets`; empty without a baseline).
 */
function pointRow(task: RowTask, status: string, hw: string, bsets: string[]): Record<string, string | number> {
  const row: Record<string, string | number> = { point: task.point, points: task.points };
  for (const [p, v] of task.sets) row[p] = typeof v === 'boolean' ? String(v) : v;
  row.status = status;
  row.hw = hw;
  row.baseline = task.baseline ? String(baselineDoc(task.baseline).name ?? task.baseline) : '';
  row.baseline_sets = bsets.join(' ');
  return row;
}

/** The row of a point that cannot run on its configuration: why, from its ConfigError (the hw-config's path left out). */
export function infeasibleRow(task: RowTask, hw: string, e: ConfigError): Record<string, string | number> {
  return csvRounded(pointRow(task, `infeasible: ${e.message.replace(/^[^:]*\.json: /, '')}`, hw, baselineSetsOf(task)));
}

export function runPoint(task: PointTask): Record<string, string | number> {
  // `tokens` is the trace's, every other key the hw-config's
  const tokens = task.sets.find(([p]) => p === 'tokens')?.[1] as number | undefined;
  const setStrings = setStringsOf(task);
  const cfg = loadHw(task.hw, setStrings);
  const st = steps(task.trace, lutOutputOf(cfg), tokens);
  let sop: Record<string, number>;
  try {
    sop = flatten(runSteps(cfg, st, task.mode).total);
  } catch (e) {
    if (e instanceof ConfigError) return infeasibleRow(task, cfg.hw.name, e);
    throw e;
  }
  const bsets = baselineSetsOf(task);
  const row = pointRow(task, 'ok', cfg.hw.name, bsets);
  Object.assign(row, sop);
  if (task.baseline) {
    const key = `${task.baseline}|${bsets.join(',')}|${tokens ?? ''}`;
    let b = baselineCache.get(key);
    if (!b) {
      const bcfg = loadHw(task.baseline, bsets);
      b = flatten(runSteps(bcfg, st, task.mode, baselineLayer).total);
      baselineCache.set(key, b);
    }
    for (const [k, v] of Object.entries(b)) row[`baseline_${k}`] = v;
    Object.assign(row, ratioColumns(sop, b));
  }
  return csvRounded(row);
}
