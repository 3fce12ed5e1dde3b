// Model-level SOP (SPEC §4-6): every layer gets a menu of configurations — SOP 4-bit on blocks of 32
// (4.25 bpw) and of 16 (4.5 bpw), SOP 4-bit with sparse residuals, FP6 E2M3sUE4M4, FP8 E4M3 — each with its
// exact bits and its distortion (1 - ACos) x weights under the layer's activation statistics; an exact
// multiple-choice knapsack picks one per layer within a bits-per-weight budget. (The g = 32 entry is what
// lets a 4.5 bpw budget pay the few per-layer bits — normaliser, DD4 table — that sop4 adds to 4.5.)

import { statsFor, type ActivationStats } from '../io/activations.js';
import type { WeightSource } from '../io/load.js';
import type { Tensor2D } from '../io/tensor.js';
import { bitsAccount, type QuantizedLayer } from '../layer.js';
import { measure } from '../measure.js';
import { quantize, type QuantizeOptions } from '../schemes/index.js';
import { withResiduals } from '../sop/residuals.js';
import { InfeasibleBudget, solveMCKP } from './knapsack.js';

export const MENU = ['sop4-g32', 'sop4', 'sop4+res', 'E2M3sUE4M4', 'e4m3-pot'] as const;

/** The order menus are built in: the block-16 search first, so block 32 can reuse what it found. */
const BUILD_ORDER: readonly MenuLabel[] = ['sop4', 'sop4+res', 'sop4-g32', 'E2M3sUE4M4', 'e4m3-pot'];
export type MenuLabel = (typeof MENU)[number];

export interface MenuEntry {
  label: MenuLabel;
  bits: number;
  bpw: number;
  acos: number;
  mse: number;
  sqnr_db: number;
  /** (1 - ACos) x weights: what the knapsack minimises. */
  dist: number;
}

export interface LayerMenu {
  name: string;
  shape: [number, number];
  weights: number;
  entries: MenuEntry[];
  /** Per sop4 variant (block size): its pair and DD4 levels, so the choice is rebuilt without searching. */
  recipes: Record<string, { pair: [string, string]; dd4Levels?: number[] }>;
}

export interface ModelOptions {
  /** bpw the sparse residuals may add to SOP 4-bit (default 0.1). */
  residualBpw: number;
  /** Selection metric for the codebook search: 'acos' uses the statistics, 'mse' ignores them. */
  metric: 'acos' | 'mse';
  menu: readonly MenuLabel[];
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = { residualBpw: 0.1, metric: 'acos', menu: MENU };

function sopOptions(a: Float64Array | null, metric: 'acos' | 'mse'): QuantizeOptions {
  return { activations: a, metric };
}

const SOP_BLOCK: Partial<Record<MenuLabel, number>> = { 'sop4-g32': 32, sop4: 16, 'sop4+res': 16 };

/** Quantize one layer every way on the menu and measure each. */
export function buildLayerMenu(t: Tensor2D, a: Float64Array | null, opt: ModelOptions = DEFAULT_MODEL_OPTIONS): LayerMenu {
  const entries: MenuEntry[] = [];
  const recipes: LayerMenu['recipes'] = {};
  const sops = new Map<number, QuantizedLayer>();
  const add = (label: MenuLabel, q: QuantizedLayer) => {
    const m = measure(t, q, a);
    const n = t.rows * t.cols;
    entries.push({ label, bits: bitsAccount(q).total, bpw: m.bpw, acos: m.acos, mse: m.mse, sqnr_db: m.sqnr_db, dist: Math.max(0, 1 - m.acos) * n });
  };
  for (const label of BUILD_ORDER.filter((l) => opt.menu.includes(l))) {
    const g = SOP_BLOCK[label];
    if (g) {
      let sop = sops.get(g);
      if (!sop) {
        // the block-32 variant reuses the pair and DD4 the block-16 search found (when it ran first)
        const prior = recipes['16'];
        sop = quantize(t, 'sop4', { ...sopOptions(a, opt.metric), block: g, ...(g !== 16 && prior ? { pair: prior.pair, dd4Levels: prior.dd4Levels } : {}) });
        sops.set(g, sop);
        const dd = sop.books.find((b) => b.name === 'DD4');
        recipes[String(g)] = { pair: sop.info.pair as [string, string], dd4Levels: dd ? Array.from(dd.grid.levels) : undefined };
      }
      add(label, label === 'sop4+res' ? withResiduals(t, sop, opt.residualBpw, a) : sop);
    } else add(label, quantize(t, label, sopOptions(a, opt.metric)));
  }
  entries.sort((x, y) => opt.menu.indexOf(x.label) - opt.menu.indexOf(y.label));
  return { name: t.name, shape: [t.rows, t.cols], weights: t.rows * t.cols, entries, recipes };
}

/** Rebuild the chosen configuration of a layer exactly as its menu entry was measured. */
export function buildChoice(t: Tensor2D, a: Float64Array | null, menu: LayerMenu, label: MenuLabel, opt: ModelOptions = DEFAULT_MODEL_OPTIONS): QuantizedLayer {
  const g = SOP_BLOCK[label];
  if (g) {
    const r = menu.recipes[String(g)];
    const q = quantize(t, 'sop4', { ...sopOptions(a, opt.metric), block: g, pair: r.pair, dd4Levels: r.dd4Levels });
    return label === 'sop4+res' ? withResiduals(t, q, opt.residualBpw, a) : q;
  }
  return quantize(t, label, sopOptions(a, opt.metric));
}

export interface Allocation {
  budget_bpw: number;
  achieved_bpw: number;
  total_bits: number;
  weights: number;
  /** Σ (1 - ACos) x weights. */
  total_dist: number;
  /** total_dist / weights: the weight-averaged (1 - ACos). */
  mean_dist: number;
  choices: Array<{ layer: string; choice: MenuLabel; bpw: number; acos: number; mse: number; sqnr_db: number; dist: number }>;
  states: number;
}

/** Solve the knapsack for one budget over the menus. */
export function allocate(menus: LayerMenu[], budgetBpw: number): Allocation {
  const weights = menus.reduce((s, m) => s + m.weights, 0);
  // the bits a budget allows: floor(bpw x weights), forgiving float noise at an exact integer
  const x = budgetBpw * weights;
  const budget = Math.abs(x - Math.round(x)) < 1e-6 ? Math.round(x) : Math.floor(x);
  const r = solveMCKP(menus.map((m) => m.entries.map((e) => ({ cost: e.bits, dist: e.dist }))), budget);
  const choices = menus.map((m, i) => {
    const e = m.entries[r.choice[i]];
    return { layer: m.name, choice: e.label, bpw: e.bpw, acos: e.acos, mse: e.mse, sqnr_db: e.sqnr_db, dist: e.dist };
  });
  return { budget_bpw: budgetBpw, achieved_bpw: r.cost / weights, total_bits: r.cost, weights, total_dist: r.dist, mean_dist: r.dist / weights, choices, states: r.nodes };
}

/** The least bpw any allocation can reach (each layer at its cheapest entry). */
export function cheapestBpw(menus: LayerMenu[]): number {
  const weights = menus.reduce((s, m) => s + m.weights, 0);
  return menus.reduce((s, m) => s + Math.min(...m.entries.map((e) => e.bits)), 0) / weights;
}

/** Menus for every layer of a source, one tensor in memory at a time. */
export function buildMenus(src: WeightSource, names: string[], stats: ActivationStats | null, opt: ModelOptions, progress?: (i: number, name: string) => void): LayerMenu[] {
  return names.map((n, i) => {
    progress?.(i, n);
    const t = src.read(n);
    return buildLayerMenu(t, statsFor(stats, n, t.cols), opt);
  });
}

export { InfeasibleBudget };
