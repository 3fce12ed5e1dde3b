// `lanes` correction x activation multiply-adds per cycle: a BF16 correction times the activation, added
// into the output's accumulator.

import { z } from 'zod';
import type { Block, BlockEnv, TileDemand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, implOf } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { fpAdd, multiply, parseOperand, plus, times, type Cells } from '../energy/logic.js';
import type { MacArray } from '../mac-array/mac-array.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('residual-lanes'), lanes: PosInt }).strict();
type Conf = z.infer<typeof Schema>;

class ResidualLanes implements Block {
  readonly component = 'sparse_add';
  readonly impl = 'residual-lanes';
  readonly stall = 'sparse' as const;
  private readonly hResiduals: Counter;
  private readonly hAdds: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    const c = env.counters;
    this.hResiduals = c.define(this.component, 'residuals', '', 'sparse corrections read');
    this.hAdds = c.define(this.component, 'adds', '', 'correction x activation products added to outputs (residuals x tokens)');
  }

  chargeTile(t: TileDemand): number {
    if (!t.residuals) return 0;
    this.env.counters.add(this.hResiduals, t.residuals);
    this.env.counters.add(this.hAdds, t.residuals * t.tokens);
    return Math.ceil((t.residuals * t.tokens) / this.conf.lanes);
  }

  private lane(): { cells: Cells; what: string } {
    const mac = this.env.block<MacArray>('mac_array')!;
    const bf16 = parseOperand('bf16');
    return { cells: plus(multiply(bf16, mac.activation), fpAdd(mac.accumulator)), what: `bf16 correction x ${mac.activation.name} activation, ${mac.accumulator.name} add` };
  }

  logic(): { cells: Cells; what: string } {
    return { cells: times(this.lane().cells, this.conf.lanes), what: `${this.conf.lanes} lanes` };
  }

  actions(): EnergyAction[] {
    const l = this.lane();
    return [logicAction(this.env.cfg, this.component, 'multiply_add', this.hAdds, l.cells, l.what)];
  }
}

registerBlock<Conf>({
  kind: 'sparse_add',
  impl: 'residual-lanes',
  summary: '`lanes` correction multiply-adds per cycle',
  schema: Schema,
  create: (conf, env) => new ResidualLanes(conf, env),
});
