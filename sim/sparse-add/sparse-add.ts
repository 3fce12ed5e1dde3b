// Sparse-add path: merges sparse residual corrections (index, BF16 value) into the outputs.
// Contract: `lanes` corrections x tokens per cycle, beside the main decode of the same tile.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import { actionPj, type EnergyAction } from '../energy/actions.js';

export class SparseAdd {
  static readonly NAME = 'sparse_add';
  readonly lanes: number;
  readonly hResiduals: number;
  readonly hAdds: number;

  constructor(private readonly cfg: LoadedConfig, counters: Counters) {
    this.lanes = cfg.hw.sparse_add.lanes;
    this.hResiduals = counters.define(SparseAdd.NAME, 'residuals', '', 'sparse corrections read');
    this.hAdds = counters.define(SparseAdd.NAME, 'adds', '', 'correction x activation products added to outputs (residuals x tokens)');
  }

  actions(): EnergyAction[] {
    const a = actionPj(this.cfg, this.cfg.hw.actions.sparse_add);
    return [{ component: SparseAdd.NAME, action: 'multiply_add', counter: `${SparseAdd.NAME}.adds`, pjEach: a.pj, source: a.source }];
  }
}
