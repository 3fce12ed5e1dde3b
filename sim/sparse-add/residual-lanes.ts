// `lanes` correction x activation multiply-adds per cycle.

import { z } from 'zod';
import type { Block, BlockEnv, TileDemand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, Primitives, implOf } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('residual-lanes'), lanes: PosInt, actions: z.object({ multiply_add: Primitives }).strict() }).strict();
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

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'multiply_add', this.hAdds, this.conf.actions.multiply_add)];
  }
}

registerBlock<Conf>({
  kind: 'sparse_add',
  impl: 'residual-lanes',
  summary: '`lanes` correction multiply-adds per cycle',
  schema: Schema,
  create: (conf, env) => new ResidualLanes(conf, env),
});
