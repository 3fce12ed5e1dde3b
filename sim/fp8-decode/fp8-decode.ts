// FP8 decode: the trivial unpack of an 8-bit float (sign, exponent, mantissa fields) into a MAC operand.
// The FP8 baseline decodes every weight here; the SOP datapath uses it for layers promoted to FP8.
// Contract: one decode per weight, any number per cycle.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class Fp8Decode {
  static readonly NAME = 'fp8_decode';
  readonly hDecodes: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.hDecodes = counters.define(Fp8Decode.NAME, 'decodes', '', 'weights decoded directly from their number format (no table)');
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.fp8_unpack);
    return [{ component: Fp8Decode.NAME, action: 'decode', counter: `${Fp8Decode.NAME}.decodes`, pjEach: a.pj, source: a.source }];
  }
}
