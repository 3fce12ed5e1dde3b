// Selection-bit mux: per block, routes the block's indices to the fixed-codebook ROM or to the LUT SRAM.
// Contract: one selection per block of a two-book layer; counts blocks sent each way.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class SelectionMux {
  static readonly NAME = 'selection_mux';
  readonly hBlocks: number;
  readonly hToLut: number;
  readonly hToRom: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    const c = SelectionMux.NAME;
    this.hBlocks = counters.define(c, 'blocks', '', 'blocks whose selection bit was read');
    this.hToLut = counters.define(c, 'to_lut', '', 'blocks routed to the LUT SRAM');
    this.hToRom = counters.define(c, 'to_rom', '', 'blocks routed to the codebook ROM');
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.select_block);
    return [{ component: SelectionMux.NAME, action: 'select_block', counter: `${SelectionMux.NAME}.blocks`, pjEach: a.pj, source: a.source }];
  }
}
