// Logic from structure (docs/MODEL.md §8, "Logic"): every operator is a count of standard cells derived
// from its operand formats (full and half adders, AND and XOR gates, 2:1 muxes, flip-flops). Area is the
// cells' areas at 45 nm scaled to the node; dynamic energy is proportional to the switched cell area, with
// one constant per node fitted by least squares to the published anchor points the technology table names
// (energy = k · (node / 45)^alpha · area at 45 nm). Leakage is per µm² of logic.

import { BadValueError } from '../../quant/io/tensor.js';
import type { Technology } from '../config/schema.js';
import { SHIFT_ADD } from '../../quant/codebooks/lut-format.js';

/**
 * An operand as the hardware sees it: an integer (or fixed-point) word, or a float's fields. A shift-add
 * integer (the hif7sa / hif8sa LUT entries) is a `bits`-bit mantissa shifted left by 0..`shift` per entry.
 */
export type Operand = { kind: 'int'; bits: number; shift?: number; name: string } | { kind: 'float'; exp: number; man: number; name: string };


const FLOATS: Record<string, [number, number]> = { bf16: [8, 7], fp16: [5, 10], fp32: [8, 23], tf32: [8, 10] };

/** `int8`, `uint4`, `fx24`, `hif8`, `hif7sa`, `hif8sa` (integer words), `bf16`, `fp16`, `fp32`, `tf32`, `e4m3`, `ue4m4` (floats). */
export function parseOperand(name: string): Operand {
  const s = name.trim().toLowerCase();
  if (Object.hasOwn(SHIFT_ADD, s)) return { kind: 'int', bits: 5, shift: SHIFT_ADD[s].shiftMax, name: s };
  if (FLOATS[s]) return { kind: 'float', exp: FLOATS[s][0], man: FLOATS[s][1], name: s };
  const i = /^(?:u?int|fx|hif)(\d+)$/.exec(s);
  if (i && Number(i[1]) >= 1 && Number(i[1]) <= 64) return { kind: 'int', bits: Number(i[1]), name: s };
  const f = /^u?e(\d+)m(\d+)$/.exec(s);
  if (f && Number(f[1]) >= 1 && Number(f[1]) <= 11 && Number(f[2]) <= 52) return { kind: 'float', exp: Number(f[1]), man: Number(f[2]), name: s };
  throw new BadValueError(`unknown operand format '${name}' (expected intN, uintN, fxN, hifN, hif7sa, hif8sa, bf16, fp16, fp32, tf32 or eXmY such as e4m3, ue4m4)`);
}

/** Significand width (the hidden bit included for floats). */
export function significand(o: Operand): number {
  return o.kind === 'int' ? o.bits : o.man + 1;
}

/** Bits of the stored word (a shift-add integer: mantissa and shift field). */
export function operandBits(o: Operand): number {
  return o.kind === 'int' ? o.bits + (o.shift ? log2ceil(o.shift + 1) : 0) : 1 + o.exp + o.man;
}

/** Bits of an integer operand's value (a shift-add integer: mantissa plus its largest shift). */
export function valueBits(o: Operand & { kind: 'int' }): number {
  return o.bits + (o.shift ?? 0);
}

/** An integer operand times a `bits`-bit integer: a multiplier, and for shift-add entries a shifter after it. */
export function intProduct(w: Operand & { kind: 'int' }, bits: number): Cells {
  const m = intMult(w.bits, bits);
  return w.shift ? plus(m, shifter(w.bits + bits + w.shift, w.shift)) : m;
}

const log2ceil = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

export const CELL_NAMES = ['fa', 'ha', 'and2', 'xor2', 'mux2', 'dff'] as const;
export type CellName = (typeof CELL_NAMES)[number];
/**
 * Counts of cells, and `tree`: the mux cells of select trees weighted by the tree's depth beyond one level
 * (a count of cell-levels, no area). Deeper select trees switch more per cell (gate-level synthesis measures it,
 * hw-configs/synth-osu018.json); the technology's `tree_level` turns a cell-level into energy.
 */
export type Cells = Record<CellName | 'tree', number>;
const COUNT_KEYS = [...CELL_NAMES, 'tree'] as const;

export function cells(c: Partial<Cells> = {}): Cells {
  return { fa: 0, ha: 0, and2: 0, xor2: 0, mux2: 0, dff: 0, tree: 0, ...c };
}

export function plus(...cs: Cells[]): Cells {
  const out = cells();
  for (const c of cs) for (const k of COUNT_KEYS) out[k] += c[k];
  return out;
}

export function times(c: Cells, n: number): Cells {
  const out = cells();
  for (const k of COUNT_KEYS) out[k] = c[k] * n;
  return out;
}


/** Ripple-carry adder of `bits`. */
export const intAdd = (bits: number): Cells => cells({ fa: bits });

/** Array multiplier: a·b partial-product ANDs reduced by (min - 1)·max full adders. */
export function intMult(a: number, b: number): Cells {
  return cells({ and2: a * b, fa: (Math.min(a, b) - 1) * Math.max(a, b) });
}

/**
 * A mux tree choosing one of `inputs` words of `width` bits: (inputs - 1) x `width` muxes, each counted in
 * `tree` by the tree's depth beyond one level (synthesis finds a deeper tree's cells switching more).
 */
export function muxTree(inputs: number, width: number): Cells {
  const n = Math.max(0, inputs - 1) * width;
  return cells({ mux2: n, tree: n * Math.max(0, log2ceil(inputs) - 1) });
}

/** A barrel shifter moving `width` bits by 0..`positions`. */
export const shifter = (width: number, positions: number): Cells => cells({ mux2: width * log2ceil(positions + 1) });

/**
 * A hard-wired table of constants read by address: a mux tree whose lowest four levels, choosing among
 * constants, collapses: each output bit of 16 constants is a 4-input function of the address, one gate.
 */
export const romTree = (entries: number, width: number): Cells => muxTree(Math.ceil(entries / 16), width);

/** Leading-zero count of `bits` (a priority tree, about two gates a bit). */
export const lzc = (bits: number): Cells => cells({ and2: 2 * bits });

export const register = (bits: number): Cells => cells({ dff: bits });

/** Round to nearest even on a `bits` result: sticky OR of the dropped bits and an incrementer. */
const round = (bits: number, dropped: number): Cells => cells({ ha: bits + 1, and2: Math.max(0, dropped) });

/**
 * a × b into `out` (null: the exact product, no rounding). Integer × integer is a plain multiplier; with a
 * float operand the significands multiply, the exponents add (and the bias is taken off), the product is
 * normalised (one position when both significands are normalised, a full shift after an integer operand)
 * and rounded to `out`'s significand.
 */
export function multiply(a: Operand, b: Operand, out: Operand | null = null): Cells {
  const pa = significand(a);
  const pb = significand(b);
  const prod = intMult(pa, pb);
  // a shift-add entry's shift: a shifter after an integer product, an exponent increment against a float
  if (a.kind === 'int' && b.kind === 'int') return a.shift ? intProduct(a, pb) : b.shift ? intProduct(b, pa) : prod;
  const e = Math.max(a.kind === 'float' ? a.exp : 0, b.kind === 'float' ? b.exp : 0) + 1;
  const p = pa + pb;
  const normalised = a.kind === 'float' && b.kind === 'float';
  const norm = normalised ? cells({ mux2: p }) : plus(lzc(p), shifter(p, p));
  const keep = out ? significand(out) : p;
  return plus(prod, intAdd(2 * e), norm, out && keep < p ? round(keep, p - keep) : cells(), cells({ xor2: 1 }));
}

/**
 * Floating-point add of two `f` operands: exponent difference, operand swap, alignment shift with guard,
 * round and sticky bits, significand add/subtract, leading-zero count, normalisation shift, exponent
 * adjust and rounding.
 */
export function fpAdd(f: Operand): Cells {
  if (f.kind === 'int') return intAdd(f.bits);
  const p = f.man + 1;
  const w = p + 3;
  return plus(intAdd(f.exp), cells({ mux2: 2 * p }), shifter(w, w), cells({ and2: p }), intAdd(w), cells({ xor2: w }), lzc(w), shifter(w, w), intAdd(f.exp), round(p, 3));
}

/** A value rounded from one format to a narrower one (the significand's dropped bits, an incrementer). */
export function narrow(from: Operand, to: Operand): Cells {
  const drop = significand(from) - significand(to);
  return drop > 0 ? round(significand(to), drop) : cells();
}

/** A field of `bits` taken out of a `wordBits` word at any offset. */
export const extract = (bits: number, wordBits: number): Cells => shifter(bits, wordBits - 1);

export function describeCells(c: Cells): string {
  const s = CELL_NAMES.filter((k) => c[k] > 0)
    .map((k) => `${Math.round(c[k] * 100) / 100} ${k}`)
    .join(' + ');
  return c.tree > 0 ? `${s} (select trees: ${Math.round(c.tree)} cell-levels)` : s;
}

/** An anchor: a published energy of one operator at one node. */
export interface Anchor {
  op: string;
  node_nm: number;
  pj: number;
  source: string;
}

/** The cells of an anchor's operator: `add <fmt>` or `mult <fmt> <fmt>`. */
export function anchorCells(op: string): Cells {
  const [verb, ...args] = op.trim().split(/\s+/);
  const fs = args.map(parseOperand);
  if (verb === 'add' && fs.length === 1) return fs[0].kind === 'int' ? intAdd(fs[0].bits) : fpAdd(fs[0]);
  if (verb === 'mult' && fs.length === 2) return multiply(fs[0], fs[1], fs[0].kind === 'float' ? fs[0] : null);
  throw new BadValueError(`anchor '${op}': expected 'add <format>' or 'mult <format> <format>'`);
}

type LogicTech = Technology['logic'];

/** Area of cells at 45 nm (µm²). */
export function area45(tech: LogicTech, c: Cells): number {
  let a = 0;
  for (const k of CELL_NAMES) a += c[k] * tech.cells_um2[k].value;
  return a;
}

/** ln k and alpha fitted by least squares: ln pj = ln k + alpha · ln(node / 45) + ln area45. */
export function fitAnchors(tech: LogicTech): { k: number; alpha: number; residuals: Array<Anchor & { model_pj: number; ratio: number }> } {
  const rows = tech.anchors.map((a) => ({ a, x: Math.log(a.node_nm / 45), y: Math.log(a.pj / area45(tech, anchorCells(a.op))) }));
  const n = rows.length;
  const mx = rows.reduce((s, r) => s + r.x, 0) / n;
  const my = rows.reduce((s, r) => s + r.y, 0) / n;
  const sxx = rows.reduce((s, r) => s + (r.x - mx) ** 2, 0);
  const alpha = sxx > 0 ? rows.reduce((s, r) => s + (r.x - mx) * (r.y - my), 0) / sxx : 0;
  const lnk = my - alpha * mx;
  const k = Math.exp(lnk);
  const residuals = rows.map(({ a }) => {
    const model = k * (a.node_nm / 45) ** alpha * area45(tech, anchorCells(a.op));
    return { ...a, model_pj: model, ratio: model / a.pj };
  });
  return { k, alpha, residuals };
}

const fits = new WeakMap<LogicTech, ReturnType<typeof fitAnchors>>();

/** Energy, area and leakage of cells at one node. */
export class LogicModel {
  /** pJ per µm² (45 nm area) switched at this node. */
  readonly pjPerUm2: number;
  /** Cell area at this node over its 45 nm area. */
  readonly areaScale: number;
  readonly leakScale: number;
  /** The fit to the technology's anchors (made once per technology table). */
  readonly fit: ReturnType<typeof fitAnchors>;

  constructor(readonly tech: Technology, readonly nodeNm: number) {
    const logic = tech.logic;
    let fit = fits.get(logic);
    if (!fit) fits.set(logic, (fit = fitAnchors(logic)));
    this.fit = fit;
    this.pjPerUm2 = fit.k * (nodeNm / 45) ** fit.alpha;
    const node = tech.node_scaling[String(nodeNm)];
    const ref = tech.node_scaling[String(tech.reference_node_nm)];
    this.areaScale = node && ref ? node.cell_um2 / ref.cell_um2 : (nodeNm / 45) ** 2;
    this.leakScale = node?.leakage ?? 1;
  }

  /** Switched area: the cells' area, and each select-tree cell-level as `tree_level` of a mux2. */
  pj(c: Cells): number {
    const logic = this.tech.logic;
    return this.pjPerUm2 * (area45(logic, c) + c.tree * logic.tree_level.value * logic.cells_um2.mux2.value);
  }

  um2(c: Cells): number {
    return area45(this.tech.logic, c) * this.areaScale;
  }

  /** Leakage in mW of the cells, at this node. */
  leakMw(c: Cells): number {
    return area45(this.tech.logic, c) * this.tech.logic.leak_nw_per_um2.value * this.leakScale * 1e-6;
  }

  /** Clock energy of `flops` flip-flops for one cycle. */
  clockPj(flops: number): number {
    return flops * this.tech.logic.clock_per_dff.value * this.pj(cells({ dff: 1 }));
  }

  source(what: string, c: Cells): string {
    return `${what}: ${describeCells(c)} (logic model, ${this.nodeNm} nm, ${this.pjPerUm2.toExponential(3)} pJ/um2 fitted to the technology's anchors)`;
  }
}
