// `entries` accumulator registers in the accumulator format: an update writes one, a drain rounds one to
// the activation format. Costed by the logic model.

import { z } from 'zod';
import type { Block, BlockEnv, Demand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { MacArray } from '../mac-array/mac-array.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, implOf } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { narrow, operandBits, register, times, type Cells } from '../energy/logic.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('token-registers'), entries: PosInt.default(512) }).strict();
type Conf = z.infer<typeof Schema>;

class TokenRegisters implements Block {
  readonly component = 'accumulator';
  readonly impl = 'token-registers';
  private readonly hUpdates: Counter;
  private readonly hDrains: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    const c = env.counters;
    this.hUpdates = c.define(this.component, 'updates', '', 'accumulator writes (lane groups x tokens)');
    this.hDrains = c.define(this.component, 'drains', '', 'outputs rounded to the activation format and written back (rows x tokens)');
  }

  private get mac(): MacArray {
    return this.env.block<MacArray>('mac_array')!;
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hUpdates, d.groups * d.tokens);
  }

  endLayer(work: LayerWork): void {
    this.env.counters.add(this.hDrains, work.rows * work.tokens);
  }

  logic(): { cells: Cells; what: string } {
    return { cells: times(register(operandBits(this.mac.accumulator)), this.conf.entries), what: `${this.conf.entries} ${this.mac.accumulator.name} registers` };
  }

  actions(): EnergyAction[] {
    const { cfg } = this.env;
    const acc = this.mac.accumulator;
    const act = this.mac.activation;
    return [
      logicAction(cfg, this.component, 'update', this.hUpdates, register(operandBits(acc)), `a ${acc.name} register written`),
      logicAction(cfg, this.component, 'drain', this.hDrains, narrow(acc, act), `${acc.name} rounded to ${act.name}`),
    ];
  }
}

registerBlock<Conf>({
  kind: 'accumulator',
  impl: 'token-registers',
  summary: '`entries` registers in the accumulator format',
  schema: Schema,
  create: (conf, env) => new TokenRegisters(conf, env),
});
