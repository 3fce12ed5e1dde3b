// Unpacker: L lanes split the packed stream into element codes, up to L weights per cycle.
// Contract: every weight passes through exactly once; a group is one cycle's worth of lanes.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class Unpacker {
  static readonly NAME = 'unpacker';
  readonly lanes: number;
  readonly hWeights: number;
  readonly hGroups: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.lanes = cfg.hw.unpacker.lanes;
    this.hWeights = counters.define(Unpacker.NAME, 'weights', '', 'element codes unpacked (each weight exactly once)');
    this.hGroups = counters.define(Unpacker.NAME, 'groups', '', `lane groups issued (up to ${this.lanes} weights each)`);
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.unpack_weight);
    return [{ component: Unpacker.NAME, action: 'unpack_weight', counter: `${Unpacker.NAME}.weights`, pjEach: a.pj, source: a.source }];
  }
}
