// SRAM energy, leakage, area and access time from CACTI 7: a committed table over capacity x width x
// ports x banks x node (hw-configs/sram-cacti.json, made by scripts/cacti/grid.ts), interpolated
// multilinearly in log2(capacity), log2(width), ports, log2(banks) and log2(node), on the logarithm of each
// figure. With a CACTI binary (--cacti PATH or SOPSIM_CACTI) the exact configuration is run instead.
// The interpolation's error against CACTI on configurations left out of the grid is measured by
// test/sim/sram-model.test.ts (test/golden/sram-cacti-holdout.json).

import { BadValueError } from '../../quant/io/tensor.js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeSram, runCacti, sramKey, type CactiFigures, type SramQuery } from './cacti.js';
import type { Technology } from '../config/schema.js';
import { LogicModel, muxTree, plus, register, times } from './logic.js';

export type { SramQuery };

export interface SramFigures extends CactiFigures {
  /** Where the figures come from: the CACTI run, or the table and how it was read. */
  source: string;
}

const FIGURES = ['read_pj', 'write_pj', 'leak_mw', 'area_mm2', 'access_ns', 'cycle_ns'] as const;

const TableSchema = z.object({
  description: z.string(),
  source: z.object({ tool: z.string(), command: z.string() }).loose(),
  columns: z.array(z.string()),
  axes: z.object({
    capacity_bytes: z.array(z.number().positive()).min(2),
    width_bits: z.array(z.number().positive()).min(2),
    ports: z.array(z.number().int().positive()).min(1),
    banks: z.array(z.number().int().positive()).min(1),
    node_nm: z.array(z.number().positive()).min(1),
  }),
  points: z.array(z.array(z.number())),
});
export type SramTableDoc = z.infer<typeof TableSchema>;

type Axis = 'capacity_bytes' | 'width_bits' | 'ports' | 'banks' | 'node_nm';
const AXES: Axis[] = ['capacity_bytes', 'width_bits', 'ports', 'banks', 'node_nm'];
/** How each axis is interpolated: on log2 of its value, or on the value. */
const LOG_AXIS: Record<Axis, boolean> = { capacity_bytes: true, width_bits: true, ports: false, banks: true, node_nm: true };

function coordinates(q: SramQuery): Record<Axis, number> {
  return { capacity_bytes: q.capacityBytes, width_bits: q.widthBits, ports: q.ports, banks: q.banks, node_nm: q.nodeNm };
}

/** Where x falls on a sorted axis: the two grid indices around it and the weight of the upper one. */
function bracket(axis: number[], x: number, log: boolean): { i0: number; i1: number; t: number } {
  const f = (v: number) => (log ? Math.log2(v) : v);
  if (axis.length === 1) return { i0: 0, i1: 0, t: 0 };
  let i = 0;
  while (i < axis.length - 2 && axis[i + 1] < x) i++;
  // beyond either end the nearest two points extrapolate (t < 0 or t > 1)
  const t = (f(x) - f(axis[i])) / (f(axis[i + 1]) - f(axis[i]));
  return { i0: i, i1: i + 1, t };
}

export class SramTable {
  private readonly axes: SramTableDoc['axes'];
  /** log of each figure per grid point, NaN where CACTI had no organisation. */
  private readonly logs: Float64Array[];
  private readonly strides: number[];

  constructor(doc: SramTableDoc, readonly path: string) {
    this.axes = doc.axes;
    const sizes = AXES.map((a) => doc.axes[a].length);
    this.strides = sizes.map((_, k) => sizes.slice(k + 1).reduce((p, s) => p * s, 1));
    const total = sizes.reduce((p, s) => p * s, 1);
    this.logs = FIGURES.map(() => new Float64Array(total).fill(NaN));
    const col = (name: string) => doc.columns.indexOf(name);
    for (const p of doc.points) {
      const idx = AXES.reduce((s, a, k) => s + doc.axes[a].indexOf(p[col(a)]) * this.strides[k], 0);
      FIGURES.forEach((f, j) => (this.logs[j][idx] = Math.log(p[col(f)])));
    }
  }

  get minCapacity(): number {
    return this.axes.capacity_bytes[0];
  }

  /** The most read-write ports one array of the table has. */
  get maxPorts(): number {
    return this.axes.ports[this.axes.ports.length - 1];
  }

  static load(path: string): SramTable {
    const doc = TableSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    return new SramTable(doc, path);
  }

  /** Is q within the table's range on every axis (no extrapolation)? */
  covers(q: SramQuery): boolean {
    const v = coordinates(q);
    return AXES.every((a) => v[a] >= this.axes[a][0] && v[a] <= this.axes[a][this.axes[a].length - 1]);
  }

  figures(q: SramQuery): SramFigures {
    const f = this.tryFigures(q);
    if (!f) throw new BadValueError(`${this.path}: no CACTI point near ${describeSram(q)}`);
    return f;
  }

  /** The interpolated figures, or null when no grid point around q has a CACTI organisation. */
  tryFigures(q: SramQuery): SramFigures | null {
    const v = coordinates(q);
    const br = AXES.map((a) => bracket(this.axes[a], v[a], LOG_AXIS[a]));
    const sums = new Float64Array(FIGURES.length);
    let wsum = 0;
    let used = 0;
    for (let corner = 0; corner < 32; corner++) {
      let w = 1;
      let idx = 0;
      for (let k = 0; k < 5; k++) {
        const hi = (corner >> k) & 1;
        const b = br[k];
        if (b.i0 === b.i1 && hi) {
          w = 0;
          break;
        }
        w *= b.i0 === b.i1 ? 1 : hi ? b.t : 1 - b.t;
        idx += (hi ? b.i1 : b.i0) * this.strides[k];
      }
      if (w === 0 || Number.isNaN(this.logs[0][idx])) continue;
      for (let j = 0; j < FIGURES.length; j++) sums[j] += w * this.logs[j][idx];
      wsum += w;
      used++;
    }
    if (used === 0 || Math.abs(wsum) < 1e-12) return null;
    const out = Object.fromEntries(FIGURES.map((f, j) => [f, Math.exp(sums[j] / wsum)])) as unknown as CactiFigures;
    const how = !this.covers(q) ? `extrapolated from ${used} grid points (outside the table's range)` : used === 1 ? 'a grid point' : `interpolated between ${used} grid points`;
    return { ...out, source: `CACTI 7 table ${this.path.replace(/^.*\//, '')}: ${describeSram(q)}, ${how}` };
  }
}

/**
 * SRAM figures for a configuration: CACTI itself when a binary is given, else the table. More ports
 * than the table holds are built as copies of the widest-ported array (each copy serves its ports and
 * holds every word): the same energy per access, the area and leakage of every copy.
 */
/** CACTI runs depend only on the binary and the configuration: each is made once per process. */
const cactiRuns = new Map<string, SramFigures>();

export class SramModel {
  constructor(readonly table: SramTable, private readonly tech: Technology, readonly cactiBin: string | null = null) {}

  private fromTable(q: SramQuery): SramFigures {
    const most = this.table.maxPorts;
    const copies = Math.ceil(q.ports / most);
    const one = q.capacityBytes < this.table.minCapacity ? null : this.table.tryFigures(copies > 1 ? { ...q, ports: most } : q);
    // CACTI organises none of these: below its smallest array, or no grid point around (tiny and wide)
    if (!one) return registerFile(this.tech, q);
    if (copies === 1) return one;
    return { ...one, leak_mw: one.leak_mw * copies, area_mm2: one.area_mm2 * copies, source: `${copies} copies of ${most}-port arrays for ${q.ports} ports; each ${one.source}` };
  }

  figures(q: SramQuery): SramFigures {
    if (!this.cactiBin) return this.fromTable(q);
    const key = `${this.cactiBin}|${sramKey(q)}`;
    let f = cactiRuns.get(key);
    if (!f) {
      f = { ...runCacti(this.cactiBin, q), source: `CACTI 7 run (${this.cactiBin}): ${describeSram(q)}` };
      cactiRuns.set(key, f);
    }
    return f;
  }
}

/**
 * A flip-flop array read through a mux tree, for arrays CACTI cannot organise (a few dozen entries),
 * costed by the logic model: a read switches one port's mux tree, a write one word of flip-flops; the
 * area is every bit's flip-flop and every port's mux tree.
 */
export function registerFile(tech: Technology, q: SramQuery): SramFigures {
  const logic = new LogicModel(tech, q.nodeNm);
  const bits = q.capacityBytes * 8;
  const entries = Math.max(1, Math.ceil(bits / q.widthBits));
  const levels = Math.max(1, Math.ceil(Math.log2(entries)));
  const tree = muxTree(entries, q.widthBits);
  const all = plus(register(bits), times(tree, q.ports));
  return {
    read_pj: logic.pj(tree),
    write_pj: logic.pj(register(q.widthBits)),
    leak_mw: logic.leakMw(all),
    area_mm2: logic.um2(all) / 1e6,
    // assumption: about 50 ps a 2:1 mux level; `sram-model` prints it, no timing of the simulator reads it
    access_ns: levels * 0.05,
    cycle_ns: levels * 0.05,
    source: `flip-flop array (CACTI has no organisation here): ${entries} entries x ${q.widthBits} bits, ${q.ports} port(s), ${q.nodeNm} nm, costed by the logic model`,
  };
}
