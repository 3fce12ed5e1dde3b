// The LUT output path: a table entry (ROM or LUT) registered as the MAC array's weight operand. A HIF
// entry is already an integer mantissa (its table's exponent joins once per block, in the scale path), a
// BF16 entry already a float: the cost is the entry's width of pipeline register.

import { z } from 'zod';
import type { BlockEnv, Demand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { implOf } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { register, times, type Cells } from '../energy/logic.js';
import type { LutSram } from '../lut-sram/lut-sram.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { Block } from '../core/block.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('table-output') }).strict();
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

  private lane(): Cells {
    return register(this.env.block<LutSram>('lut_sram')!.entryBits);
  }

  logic(): { cells: Cells; what: string } {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    return { cells: times(this.lane(), lanes), what: `${lanes} lanes` };
  }

  actions(): EnergyAction[] {
    const bits = this.env.block<LutSram>('lut_sram')!.entryBits;
    return [logicAction(this.env.cfg, this.component, 'convert', this.hConversions, this.lane(), `a ${bits}-bit entry registered as the MAC operand`)];
  }
}

registerBlock<Conf>({
  kind: 'hif_output',
  impl: 'table-output',
  summary: 'one conversion per table lookup',
  schema: Schema,
  create: (conf, env) => new TableOutput(conf, env),
});
