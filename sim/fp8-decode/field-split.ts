// Direct decode as a field split: claims number-format books that need no table (integers, formats of
// more than 6 bits) and, on a datapath without a LUT, every number-format book.

import { z } from 'zod';
import type { BlockEnv, Demand, RouteQuery } from '../core/block.js';
import type { Decoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { Primitives, implOf } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter, Counters } from '../kernel/counters.js';
import { intBookBits } from '../../quant/schemes/books.js';

const Schema = z.object({ impl: implOf('field-split'), actions: z.object({ decode: Primitives }).strict() }).strict();
type Conf = z.infer<typeof Schema>;

/** Widest number format a LUT table decodes (64 entries); wider ones decode directly. */
export const LUT_FORMAT_MAX_BITS = 6;

class FieldSplit implements Decoder {
  readonly component = 'fp8_decode';
  readonly impl = 'field-split';
  readonly tabled = false;
  readonly route: number;
  private readonly counters: Counters;
  private readonly hDecodes: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.route = env.route(this.component);
    this.counters = env.counters;
    this.hDecodes = env.counters.define(this.component, 'decodes', '', 'weights decoded directly from their number format (no table)');
  }

  charge(d: Demand): void {
    this.counters.add(this.hDecodes, d.routed[this.route]);
  }

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'decode', this.hDecodes, this.conf.actions.decode)];
  }
}

function claims(q: RouteQuery): boolean {
  if (q.book.grid.kind !== 'format') return false;
  return intBookBits(q.book.name) !== null || q.layer.elementBits > LUT_FORMAT_MAX_BITS || !q.decoders.includes('lut_sram');
}

registerBlock<Conf>({
  kind: 'fp8_decode',
  impl: 'field-split',
  summary: 'sign / exponent / mantissa field split of FP8 and integer codes',
  schema: Schema,
  create: (conf, env) => new FieldSplit(conf, env),
  route: (_conf, q) => (claims(q) ? {} : null),
  primitiveLists: (c) => ({ 'actions.decode': c.actions.decode }),
});
