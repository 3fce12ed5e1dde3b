// Scale multiplier: applies block scales with `units` multipliers.
// Contract: a lane stage for layers with block scales: counts its multiplies and answers the cycles a
// lane group needs for them; an implementation decides only where the scale is applied (how many
// multiplies a share of the tile takes), not what the MAC array does.

import { z } from 'zod';
import type { Block, BlockEnv, Demand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import { registerKind } from '../core/registry.js';
import { PosInt, Primitives } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter, Counters } from '../kernel/counters.js';

registerKind({ kind: 'scale_multiplier', contract: 'applies block scales with `units` multipliers; where (per block or per element) is the implementation' });

/** The section every placement shares. */
export const scaleSection = <T extends string>(impl: T) =>
  z.object({ impl: z.literal(impl), units: PosInt, actions: z.object({ multiply: Primitives }).strict() }).strict();
export type ScaleConf = { impl: string; units: number; actions: { multiply: string[] } };

export abstract class ScaleMultiplier implements Block {
  readonly component = 'scale_multiplier';
  abstract readonly impl: string;
  readonly stall = 'scale' as const;
  protected scaled = false;
  private readonly counters: Counters;
  private readonly hMultiplies: Counter;

  constructor(private readonly conf: ScaleConf, protected readonly env: BlockEnv, counted: string) {
    this.counters = env.counters;
    this.hMultiplies = env.counters.define(this.component, 'multiplies', '', counted);
  }

  /** Multiplies a share of the tile takes (the layer has block scales). */
  protected abstract multiplies(d: Demand): number;
  /** The most multiplies one lane group of the layer can take. */
  protected abstract mostPerGroup(lanes: number, work: LayerWork): number;

  beginLayer(work: LayerWork): void {
    this.scaled = work.hasBlockScales;
  }

  charge(d: Demand): void {
    if (this.scaled) this.counters.add(this.hMultiplies, this.multiplies(d));
  }

  groupCycles(d: Demand): number {
    return this.scaled ? Math.ceil(this.multiplies(d) / this.conf.units) : 0;
  }

  groupBound(work: LayerWork): number {
    return this.scaled ? Math.ceil(this.mostPerGroup(this.env.block<Unpacker>('unpacker')!.lanes, work) / this.conf.units) : 0;
  }

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'multiply', this.hMultiplies, this.conf.actions.multiply)];
  }
}
