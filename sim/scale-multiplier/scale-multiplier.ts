// Scale multiplier: applies block scales. Per block (the scaled-outer-product way) the g products of a
// block are summed first and the sum is multiplied once per token; per element every decoded weight is
// multiplied once. Contract: `units` multiplies per cycle; counts multiplies.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class ScaleMultiplier {
  static readonly NAME = 'scale_multiplier';
  readonly perBlock: boolean;
  readonly units: number;
  readonly hMultiplies: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.perBlock = cfg.hw.scale_multiplier.placement === 'per_block';
    this.units = cfg.hw.scale_multiplier.units;
    this.hMultiplies = counters.define(ScaleMultiplier.NAME, 'multiplies', '', this.perBlock ? 'block partial sums x block scale (blocks x tokens)' : 'decoded weights x block scale');
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.scale_multiply);
    return [{ component: ScaleMultiplier.NAME, action: 'multiply', counter: `${ScaleMultiplier.NAME}.multiplies`, pjEach: a.pj, source: a.source }];
  }
}
