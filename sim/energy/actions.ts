// Counts × per-action energy = energy (the Accelergy way). Each block lists its actions: the counter
// handle that counts it and what one costs; this module multiplies and sums, and keeps every line.

import type { Counter, Counters } from '../kernel/counters.js';
import type { LoadedConfig } from '../config/load.js';
import type { Cells } from './logic.js';
import type { SramFigures } from './sram-model.js';

export interface EnergyAction {
  component: string;
  action: string;
  /** Handle of the counter whose value is the action count; or 'cycles' for per-cycle leakage. */
  counter: Counter | 'cycles';
  pjEach: number;
  source: string;
}

export interface EnergyLine {
  component: string;
  action: string;
  /** `component.name` of the counter (or 'cycles'). */
  counter: string;
  pjEach: number;
  source: string;
  count: number;
  pj: number;
}

export interface EnergyReport {
  lines: EnergyLine[];
  byComponent: Record<string, number>;
  total: number;
}

/** An action whose energy is a structure of logic cells (sim/energy/logic.ts) at the config's node. */
export function logicAction(cfg: LoadedConfig, component: string, action: string, counter: Counter, c: Cells, what: string): EnergyAction {
  return { component, action, counter, pjEach: cfg.logic.pj(c), source: cfg.logic.source(what, c) };
}

/**
 * The actions of `copies` identical SRAMs: a read and a write each cost one array's access energy (the
 * figures' source), and every copy leaks each cycle.
 */
export function sramActions(cfg: LoadedConfig, component: string, s: SramFigures, copies: number, read: [string, Counter], write: [string, Counter]): EnergyAction[] {
  const ghz = cfg.hw.clock_ghz.value;
  const leak = copies > 1 ? `${copies} copies x ${s.leak_mw.toExponential(3)} mW` : `${s.leak_mw.toExponential(3)} mW`;
  return [
    { component, action: read[0], counter: read[1], pjEach: s.read_pj, source: s.source },
    { component, action: write[0], counter: write[1], pjEach: s.write_pj, source: s.source },
    { component, action: 'leakage_cycle', counter: 'cycles', pjEach: (s.leak_mw * copies) / ghz, source: `${leak} at ${ghz} GHz (${s.source})` },
  ];
}

/** `counters` may be a per-layer copy of the run's counters (same handles, Counters.since). */
export function computeEnergy(actions: EnergyAction[], counters: Counters, cycles: number): EnergyReport {
  const lines: EnergyLine[] = [];
  const byComponent: Record<string, number> = {};
  let total = 0;
  for (const a of actions) {
    const count = a.counter === 'cycles' ? cycles : counters.values[a.counter];
    const pj = count * a.pjEach;
    lines.push({ component: a.component, action: a.action, counter: a.counter === 'cycles' ? 'cycles' : counters.key(a.counter), pjEach: a.pjEach, source: a.source, count, pj });
    byComponent[a.component] = (byComponent[a.component] ?? 0) + pj;
    total += pj;
  }
  return { lines, byComponent, total };
}
