// L lanes of bit-field extraction from the buffer's words.

import { z } from 'zod';
import type { BlockEnv, Demand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, Primitives, implOf } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter, Counters } from '../kernel/counters.js';
import type { Unpacker } from './unpacker.js';

const Schema = z.object({ impl: implOf('bit-unpacker'), lanes: PosInt, actions: z.object({ unpack_weight: Primitives }).strict() }).strict();
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

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'unpack_weight', this.hWeights, this.conf.actions.unpack_weight)];
  }
}

registerBlock<Conf>({
  kind: 'unpacker',
  impl: 'bit-unpacker',
  summary: '`lanes` bit-field extractors',
  schema: Schema,
  create: (conf, env) => new BitUnpacker(conf, env),
});
