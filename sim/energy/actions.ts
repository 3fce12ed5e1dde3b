// Counts × per-action energy = energy (the Accelergy way). Each block lists its actions: which counter
// counts it and what one costs; this module multiplies and sums, and keeps every line for the report.

import type { Counters } from '../kernel/counters.js';
import type { LoadedConfig } from '../config/load.js';

export interface EnergyAction {
  component: string;
  action: string;
  /** Counter (component.name) whose value is the action count; or 'cycles' for per-cycle leakage. */
  counter: string;
  pjEach: number;
  source: string;
}

export interface EnergyLine extends EnergyAction {
  count: number;
  pj: number;
}

export interface EnergyReport {
  lines: EnergyLine[];
  byComponent: Record<string, number>;
  total: number;
}

/** Energy of one action built from technology primitives, scaled to the config's node. */
export function actionPj(cfg: LoadedConfig, primitives: string[]): { pj: number; source: string } {
  const node = cfg.tech.node_scaling[String(cfg.hw.node_nm)];
  let pj = 0;
  for (const p of primitives) pj += cfg.tech.primitives_pj[p].value;
  return { pj: pj * node.logic, source: primitives.length ? `${primitives.join(' + ')} at ${cfg.tech.reference_node_nm} nm x ${node.logic} (${cfg.hw.node_nm} nm)` : 'none' };
}

export function computeEnergy(actions: EnergyAction[], counters: Counters, cycles: number): EnergyReport {
  const lines: EnergyLine[] = [];
  const byComponent: Record<string, number> = {};
  let total = 0;
  for (const a of actions) {
    let count: number;
    if (a.counter === 'cycles') count = cycles;
    else {
      const [comp, name] = a.counter.split('.');
      count = counters.get(comp, name);
    }
    const pj = count * a.pjEach;
    lines.push({ ...a, count, pj });
    byComponent[a.component] = (byComponent[a.component] ?? 0) + pj;
    total += pj;
  }
  return { lines, byComponent, total };
}
