// Model-level SOP (docs/MODEL.md §4-6): every layer gets a menu of configurations — SOP 4-bit on blocks of 32
// (4.25 bpw) and of 16 (4.5 bpw), SOP 4-bit with sparse residuals, FP6 E2M3sUE4M4, FP8 E4M3 — each with its
// exact bits and its distortion (1 - ACos) x weights under the layer's activation statistics; an exact
// multiple-choice knapsack picks one per layer within a bits-per-weight budget. (The g = 32 entry is what
// lets a 4.5 bpw budget pay the few per-layer bits — normaliser, DD4 table — that sop4 adds to 4.5.)
//
// Large layers are priced on a row sample (every k-th row, at least 2^21 weights): bits are exact for the
// full shape, distortion is the sample's (1 - ACos) × the layer's weights, and the pair and DD4 found on
// the sample are the recipe. Only the chosen entry is then built on the whole layer and measured exactly.

import { statsFor, type ActivationStats } from '../io/activations.js';
import type { WeightSource } from '../io/load.js';
import { sampleRows, type Tensor2D } from '../io/tensor.js';
import { bitsAccount, bitsAtRows, type QuantizedLayer } from '../layer.js';
import { measure } from '../measure.js';
import type { ErrorMetrics } from '../metrics.js';
import { quantize, type QuantizeOptions } from '../schemes/index.js';
import { residualCount, withResiduals } from '../sop/residuals.js';
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
  /** Row stride of the sample the entries were measured on (1: the whole layer, exact). */
  sample: number;
  /** Per sop4 variant (block size): its pair and DD4 levels, so the choice is rebuilt without searching. */
  recipes: Record<string, { pair: [string, string]; dd4Levels?: number[] }>;
}

export interface ModelOptions {
  /** bpw the sparse residuals may add to SOP 4-bit (default 0.1). */
  residualBpw: number;
  /** Selection metric for the codebook search: 'acos' uses the statistics, 'mse' ignores them. */
  metric: 'acos' | 'mse';
  menu: readonly MenuLabel[];
  /** Row stride of the menu sample: 'auto' (by layer size, see menuStride) or a number (1 = whole layers). */
  menuSample: number | 'auto';
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = { residualBpw: 0.1, metric: 'acos', menu: MENU, menuSample: 'auto' };

/** Smallest sample a menu is priced on under 'auto', and the largest stride. */
const MENU_SAMPLE_WEIGHTS = 2 ** 21;
const MENU_MAX_STRIDE = 64;

/** The row stride a layer's menu is measured with: 'auto' keeps about 2^21 weights (at least that many; at most 1 row in 64). */
export function menuStride(sample: number | 'auto', rows: number, cols: number): number {
  const k = sample === 'auto' ? Math.min(MENU_MAX_STRIDE, Math.floor((rows * cols) / MENU_SAMPLE_WEIGHTS)) : Math.floor(sample);
  return Math.max(1, Math.min(k, Math.floor(rows / 2) || 1));
}

function sopOptions(a: Float64Array | null, metric: 'acos' | 'mse'): QuantizeOptions {
  return { activations: a, metric };
}

const SOP_BLOCK: Partial<Record<MenuLabel, number>> = { 'sop4-g32': 32, sop4: 16, 'sop4+res': 16 };

/** A layer as the menu sees it: its shape, and its every k-th row on request (read or drawn lazily). */
export interface LayerRows {
  name: string;
  rows: number;
  cols: number;
  sample(stride: number): Tensor2D;
}

/** A layer from a source, read only as far as its menu sample needs. */
export function sourceRows(src: WeightSource, name: string): LayerRows {
  const [rows, cols] = src.shape(name);
  return { name, rows, cols, sample: (k) => src.sample(name, k) };
}

/** Quantize one layer (or its row sample) every way on the menu and measure each. */
export function buildLayerMenu(layer: Tensor2D | LayerRows, a: Float64Array | null, opt: ModelOptions = DEFAULT_MODEL_OPTIONS): LayerMenu {
  const t = 'data' in layer ? { name: layer.name, rows: layer.rows, cols: layer.cols, sample: (k: number) => sampleRows(layer, k) } : layer;
  const stride = menuStride(opt.menuSample ?? 'auto', t.rows, t.cols);
  const s = t.sample(stride);
  const n = t.rows * t.cols;
  const entries: MenuEntry[] = [];
  const recipes: LayerMenu['recipes'] = {};
  const sops = new Map<number, QuantizedLayer>();
  const add = (label: MenuLabel, q: QuantizedLayer) => {
    const bits = stride === 1 ? bitsAccount(q).total : bitsAtRows(q, t.rows, label === 'sop4+res' ? residualCount(opt.residualBpw, n) : 0);
    entries.push(entryOf(label, bits, n, measure(s, q, a)));
  };
  // a sampled menu searches the pair on the whole sample (it is already the row sample)
  const base = { ...sopOptions(a, opt.metric), ...(stride > 1 ? { searchSample: 1 } : {}) };
  for (const label of BUILD_ORDER.filter((l) => opt.menu.includes(l))) {
    const g = SOP_BLOCK[label];
    if (g) {
      let sop = sops.get(g);
      if (!sop) {
        // the block-32 variant reuses the pair and DD4 the block-16 search found (when it ran first)
        const prior = recipes['16'];
        sop = quantize(s, 'sop4', { ...base, block: g, ...(g !== 16 && prior ? { pair: prior.pair, dd4Levels: prior.dd4Levels } : {}) });
        sops.set(g, sop);
        const dd = sop.books.find((b) => b.name === 'DD4');
        recipes[String(g)] = { pair: sop.info.pair as [string, string], dd4Levels: dd ? Array.from(dd.grid.levels) : undefined };
      }
      // the sample buys the residuals the whole layer would, in proportion
      add(label, label === 'sop4+res' ? withResiduals(s, sop, opt.residualBpw, a) : sop);
    } else add(label, quantize(s, label, sopOptions(a, opt.metric)));
  }
  entries.sort((x, y) => opt.menu.indexOf(x.label) - opt.menu.indexOf(y.label));
  return { name: t.name, shape: [t.rows, t.cols], weights: n, entries, sample: stride, recipes };
}

/** The menu entry of a configuration as built on the whole layer (exact bits and error). */
export function measureEntry(t: Tensor2D, a: Float64Array | null, label: MenuLabel, q: QuantizedLayer): MenuEntry {
  return entryOf(label, bitsAccount(q).total, t.rows * t.cols, measure(t, q, a));
}

/** A menu entry from its bits, the layer's weight count and the measured error (of the layer or its sample). */
function entryOf(label: MenuLabel, bits: number, weights: number, m: ErrorMetrics): MenuEntry {
  return { label, bits, bpw: bits / weights, acos: m.acos, mse: m.mse, sqnr_db: m.sqnr_db, dist: Math.max(0, 1 - m.acos) * weights };
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
  /** Whether the figures are the menus' (estimates where a menu was sampled) or measured on the built layers. */
  measured: boolean;
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
  const measured = menus.every((m) => m.sample === 1);
  return { budget_bpw: budgetBpw, achieved_bpw: r.cost / weights, total_bits: r.cost, weights, total_dist: r.dist, mean_dist: r.dist / weights, choices, states: r.nodes, measured };
}

/** The allocation with every layer's figures replaced by those of its built layer (`built[i]` for layer i). */
export function withMeasured(alloc: Allocation, built: MenuEntry[]): Allocation {
  const choices = alloc.choices.map((c, i) => {
    const e = built[i];
    if (e.label !== c.choice) throw new Error(`layer ${c.layer}: built ${e.label} but ${c.choice} was chosen`);
    return { layer: c.layer, choice: c.choice, bpw: e.bpw, acos: e.acos, mse: e.mse, sqnr_db: e.sqnr_db, dist: e.dist };
  });
  const bits = built.reduce((s, e) => s + e.bits, 0);
  const dist = built.reduce((s, e) => s + e.dist, 0);
  return { ...alloc, achieved_bpw: bits / alloc.weights, total_bits: bits, total_dist: dist, mean_dist: dist / alloc.weights, choices, measured: true };
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
    const l = sourceRows(src, n);
    return buildLayerMenu(l, statsFor(stats, n, l.cols), opt);
  });
}

export { InfeasibleBudget };
