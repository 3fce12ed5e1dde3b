// L lanes of bit-field extraction from the buffer's words.

import { z } from 'zod';
import type { BlockEnv, Demand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, implOf } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { extract, plus, register, times, type Cells } from '../energy/logic.js';
import type { WeightBuffer } from '../weight-buffer/weight-buffer.js';
import type { Counter, Counters } from '../kernel/counters.js';
import type { Unpacker } from './unpacker.js';

const Schema = z
  .object({
    impl: implOf('bit-unpacker'),
    lanes: PosInt,
    /** The widest element code a lane extracts (8: FP8 and int8 layers pass through too). */
    code_bits: z.number().int().min(1).max(32).default(8),
  })
  .strict();
type Conf = z.infer<typeof Schema>;

class BitUnpacker implements Unpacker {
  readonly component = 'unpacker';
  readonly impl = 'bit-unpacker';
  readonly lanes: number;
  private readonly hWeights: Counter;
  private readonly hGroups: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.lanes = conf.lanes;
    const c = env.counters;
    this.hWeights = c.define(this.component, 'weights', '', 'element codes unpacked (each weight exactly once)');
    this.hGroups = c.define(this.component, 'groups', '', `lane groups issued (up to ${this.lanes} weights each)`);
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hWeights, d.weights);
    this.env.counters.add(this.hGroups, d.groups);
  }

  bound(c: Counters): { name: string; cycles: number } {
    return { name: 'lane_cycles', cycles: Math.ceil(c.values[this.hWeights] / this.lanes) };
  }

  utilisation(c: Counters, cycles: number): number {
    return cycles > 0 ? c.values[this.hWeights] / (cycles * this.lanes) : 0;
  }

  /** One lane: a field of code_bits out of a buffer word at any offset, into the lane's register. */
  private lane(): Cells {
    const word = this.env.block<WeightBuffer>('weight_buffer')!.wordBits;
    return plus(extract(this.conf.code_bits, word), register(this.conf.code_bits));
  }

  logic(): { cells: Cells; what: string } {
    return { cells: times(this.lane(), this.lanes), what: `${this.lanes} lanes` };
  }

  actions(): EnergyAction[] {
    const word = this.env.block<WeightBuffer>('weight_buffer')!.wordBits;
    return [logicAction(this.env.cfg, this.component, 'unpack_weight', this.hWeights, this.lane(), `a ${this.conf.code_bits}-bit field out of a ${word}-bit word, registered`)];
  }
}

registerBlock<Conf>({
  kind: 'unpacker',
  impl: 'bit-unpacker',
  summary: '`lanes` bit-field extractors',
  schema: Schema,
  create: (conf, env) => new BitUnpacker(conf, env),
});
