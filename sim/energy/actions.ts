// Counts × per-action energy = energy (the Accelergy way). Each block lists its actions: the counter
// handle that counts it and what one costs; this module multiplies and sums, and keeps every line.

import type { Counter, Counters } from '../kernel/counters.js';
import type { LoadedConfig } from '../config/load.js';

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

/** Energy of one action built from technology primitives, scaled to the config's node. */
export function actionPj(cfg: LoadedConfig, primitives: readonly string[]): { pj: number; source: string } {
  const node = cfg.tech.node_scaling[String(cfg.hw.node_nm)];
  let pj = 0;
  for (const p of primitives) pj += cfg.tech.primitives_pj[p].value;
  return { pj: pj * node.logic, source: primitives.length ? `${primitives.join(' + ')} at ${cfg.tech.reference_node_nm} nm x ${node.logic} (${cfg.hw.node_nm} nm)` : 'none' };
}

/** An action costed from a primitive list of the block's config. */
export function primitiveAction(cfg: LoadedConfig, component: string, action: string, counter: Counter, primitives: readonly string[]): EnergyAction {
  const a = actionPj(cfg, primitives);
  return { component, action, counter, pjEach: a.pj, source: a.source };
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
