// One conversion per table lookup, priced by the config's primitive list.

import { z } from 'zod';
import type { BlockEnv, Demand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { Primitives, implOf } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Block } from '../core/block.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('table-output'), actions: z.object({ convert: Primitives }).strict() }).strict();
type Conf = z.infer<typeof Schema>;

class TableOutput implements Block {
  readonly component = 'hif_output';
  readonly impl = 'table-output';
  private readonly hConversions: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    
    this.hConversions = env.counters.define(this.component, 'conversions', '', 'table entries turned into MAC operands (ROM and LUT lookups)');
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hConversions, d.tabled);
  }

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'convert', this.hConversions, this.conf.actions.convert)];
  }
}

registerBlock<Conf>({
  kind: 'hif_output',
  impl: 'table-output',
  summary: 'one conversion per table lookup',
  schema: Schema,
  create: (conf, env) => new TableOutput(conf, env),
});
