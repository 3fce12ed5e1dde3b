// HIF output path: turns a LUT/ROM entry into the MAC's weight operand. With HIF the entry is a short
// integer mantissa and the table's exponent is added once per block product; with a BF16 LUT the
// entry is the operand itself. Contract: one conversion per table lookup.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class HifOutput {
  static readonly NAME = 'hif_output';
  readonly hConversions: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.hConversions = counters.define(HifOutput.NAME, 'conversions', '', 'table entries turned into MAC operands (ROM and LUT lookups)');
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.hif_convert);
    return [{ component: HifOutput.NAME, action: 'convert', counter: `${HifOutput.NAME}.conversions`, pjEach: a.pj, source: a.source }];
  }
}
