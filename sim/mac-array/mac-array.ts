// MAC array: consumes decoded weights against the N activation vectors of the layer's tokens, then
// applies the layer's scale at the output (a power of two is an exponent add).
// Contract: `macs_per_cycle` MACs per cycle; counts MACs and output scalings.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class MacArray {
  static readonly NAME = 'mac_array';
  readonly macsPerCycle: number;
  readonly hMacs: number;
  readonly hOutputs: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.macsPerCycle = cfg.hw.mac_array.macs_per_cycle;
    this.hMacs = counters.define(MacArray.NAME, 'macs', '', 'multiply-accumulates (weights x tokens)');
    this.hOutputs = counters.define(MacArray.NAME, 'output_scales', '', 'outputs scaled by the per-layer scale (rows x tokens)');
  }

  actions(): EnergyAction[] {
    const m = actionPj(this.cfg, this.cfg.hw.actions.mac);
    const o = actionPj(this.cfg, this.cfg.hw.actions.output_scale);
    return [
      { component: MacArray.NAME, action: 'mac', counter: `${MacArray.NAME}.macs`, pjEach: m.pj, source: m.source },
      { component: MacArray.NAME, action: 'output_scale', counter: `${MacArray.NAME}.output_scales`, pjEach: o.pj, source: o.source },
    ];
  }
}
