// Scale multiplier: applies block scales with `units` multipliers.
// Contract: a lane stage for layers with block scales: counts its multiplies and answers the cycles a
// lane group needs for them; an implementation decides only where the scale is applied (how many
// multiplies a share of the tile takes), not what the MAC array does.

import { z } from 'zod';
import type { Block, BlockEnv, Demand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import { registerBlock, registerKind } from '../core/registry.js';
import { PosInt, Primitives } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter } from '../kernel/counters.js';

registerKind({ kind: 'scale_multiplier', contract: 'applies block scales with `units` multipliers; where (per block or per element) is the implementation' });

/** Where the scale is applied: what one multiply is, and how many a share of a tile takes. */
export interface Placement {
  impl: string;
  summary: string;
  /** What the multiplies counter counts. */
  counted: string;
  multiplies(d: Demand): number;
  /** The most multiplies one lane group of the layer can take. */
  mostPerGroup(lanes: number, work: LayerWork): number;
}

type Conf = { impl: string; units: number; actions: { multiply: string[] } };

class ScaleMultiplier implements Block {
  readonly component = 'scale_multiplier';
  readonly stall = 'scale' as const;
  readonly impl: string;
  private scaled = false;
  private readonly h: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv, private readonly place: Placement) {
    this.impl = place.impl;
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

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'multiply', this.h, this.conf.actions.multiply)];
  }
}

/** Register a placement as an implementation of the scale multiplier. */
export function registerPlacement(place: Placement): void {
  const schema = z.object({ impl: z.literal(place.impl), units: PosInt, actions: z.object({ multiply: Primitives }).strict() }).strict();
  registerBlock({ kind: 'scale_multiplier', impl: place.impl, summary: place.summary, schema, create: (conf, env) => new ScaleMultiplier(conf, env, place) });
}
