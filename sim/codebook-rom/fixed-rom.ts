// One ROM per lane holding the listed fixed codebooks at the LUT output precision.

import { z } from 'zod';
import type { BlockEnv, Demand, RouteQuery } from '../core/block.js';
import type { Decoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { Primitives, implOf } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter, Counters } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('fixed-rom'), codebooks: z.array(z.string().min(1)), actions: z.object({ lookup: Primitives }).strict() }).strict();
type Conf = z.infer<typeof Schema>;

class FixedRom implements Decoder {
  readonly component = 'codebook_rom';
  readonly impl = 'fixed-rom';
  readonly tabled = true;
  readonly route: number;
  private readonly counters: Counters;
  private readonly hLookups: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.route = env.route(this.component);
    this.counters = env.counters;
    this.hLookups = env.counters.define(this.component, 'lookups', '', 'weights decoded by a ROM codebook');
  }

  charge(d: Demand): void {
    this.counters.add(this.hLookups, d.routed[this.route]);
  }

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, 'lookup', this.hLookups, this.conf.actions.lookup)];
  }
}

/** Does the ROM hold this codebook (names compare case-insensitively)? */
export function romHolds(conf: Conf, codebook: string): boolean {
  return conf.codebooks.some((c) => c.toUpperCase() === codebook.toUpperCase());
}

registerBlock<Conf>({
  kind: 'codebook_rom',
  impl: 'fixed-rom',
  summary: 'the listed fixed codebooks, one ROM per lane',
  schema: Schema,
  create: (conf, env) => new FixedRom(conf, env),
  route: (conf, q: RouteQuery) => (q.book.grid.kind === 'fixed' && !q.book.inLut && romHolds(conf, q.book.name) ? {} : null),
  primitiveLists: (c) => ({ 'actions.lookup': c.actions.lookup }),
});
