// Scale multiplier: applies block scales with `units` multipliers.
// Contract: a lane stage for layers with block scales: counts its multiplies and answers the cycles a
// lane group needs for them; an implementation decides only where the scale is applied (how many
// multiplies a share of the tile takes), not what the MAC array does.

import { z } from 'zod';
import type { Block, BlockEnv, Demand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { MacArray } from '../mac-array/mac-array.js';
import { registerBlock, registerKind } from '../core/registry.js';
import { OperandName, PosInt } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { parseOperand, times, type Cells, type Operand } from '../energy/logic.js';
import type { Counter, Counters } from '../kernel/counters.js';

registerKind({ kind: 'scale_multiplier', contract: 'applies block scales with `units` multipliers; where (per block or per element) is the implementation' });

/** Where the scale is applied: what one multiply is, and how many a share of a tile takes. */
export interface Placement {
  impl: string;
  summary: string;
  /** What the multiplies counter counts. */
  counted: string;
  /** True when the MAC array sums a block's products before the scale is applied. */
  blockSums: boolean;
  multiplies(d: Demand): number;
  /** The most multiplies one lane group of the layer can take. */
  mostPerGroup(lanes: number, work: LayerWork): number;
  /** The logic of one multiply, given the MAC array and the scale format. */
  unit(mac: MacArray, scale: Operand): { cells: Cells; what: string };
  /** The weight operand the MAC array receives for a table weight `w` (per-element scaling changes it). */
  scaled(w: Operand, scale: Operand): Operand;
}

/** What the MAC array asks of the scale multiplier. */
export interface ScaleMultiplier extends Block {
  readonly blockSums: boolean;
  scaledOperand(w: Operand): Operand;
}

type Conf = { impl: string; units: number; scale: string };

class Scaler implements ScaleMultiplier {
  readonly component = 'scale_multiplier';
  readonly stall = 'scale' as const;
  readonly impl: string;
  readonly blockSums: boolean;
  private readonly scale: Operand;
  private scaled = false;
  private readonly h: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv, private readonly place: Placement) {
    this.impl = place.impl;
    this.blockSums = place.blockSums;
    this.scale = parseOperand(conf.scale);
    this.h = env.counters.define(this.component, 'multiplies', '', place.counted);
  }

  beginLayer(work: LayerWork): void {
    this.scaled = work.hasBlockScales;
  }

  charge(d: Demand): void {
    if (this.scaled) this.env.counters.add(this.h, this.place.multiplies(d));
  }

  groupCycles(d: Demand): number {
    return this.scaled ? Math.ceil(this.place.multiplies(d) / this.conf.units) : 0;
  }

  groupBound(work: LayerWork): number {
    return this.scaled ? Math.ceil(this.place.mostPerGroup(this.env.block<Unpacker>('unpacker')!.lanes, work) / this.conf.units) : 0;
  }

  scaledOperand(w: Operand): Operand {
    return this.place.scaled(w, this.scale);
  }

  utilisation(c: Counters, cycles: number): number {
    return cycles > 0 ? c.values[this.h] / (cycles * this.conf.units) : 0;
  }

  private unit(): { cells: Cells; what: string } {
    return this.place.unit(this.env.block<MacArray>('mac_array')!, this.scale);
  }

  logic(): { cells: Cells; what: string } {
    return { cells: times(this.unit().cells, this.conf.units), what: `${this.conf.units} units` };
  }

  actions(): EnergyAction[] {
    const u = this.unit();
    return [logicAction(this.env.cfg, this.component, 'multiply', this.h, u.cells, u.what)];
  }
}

/** Register a placement as an implementation of the scale multiplier. */
export function registerPlacement(place: Placement): void {
  const schema = z.object({ impl: z.literal(place.impl), units: PosInt, scale: OperandName.default('e4m4') }).strict();
  registerBlock({ kind: 'scale_multiplier', impl: place.impl, summary: place.summary, schema, create: (conf, env) => new Scaler(conf, env, place) });
}
