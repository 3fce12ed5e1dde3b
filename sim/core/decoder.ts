// Decoders: the blocks that turn an element code into a weight operand (a direct number-format decode,
// a fixed-codebook ROM, a LUT SRAM). Each claims the element books it decodes when a layer is set up;
// the weights of a claimed book reach it as Demand.routed[its route].

import type { Block, BlockEnv, Demand } from './block.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter } from '../kernel/counters.js';

export interface Decoder extends Block {
  /** This decoder's index into Demand.routed. */
  readonly route: number;
  /** True when its output is a table entry (ROM, LUT) that the output path converts. */
  readonly tabled: boolean;
}

/** What a decoder that only counts its weights is: its names, what it counts, and what one costs. */
export interface CountingDecoderSpec {
  component: string;
  impl: string;
  tabled: boolean;
  counter: { name: string; description: string };
  action: { name: string; primitives: readonly string[] };
}

/** A decoder serving any number of lanes a cycle: one counted action per weight routed to it. */
export class CountingDecoder implements Decoder {
  readonly component: string;
  readonly impl: string;
  readonly tabled: boolean;
  readonly route: number;
  private readonly h: Counter;

  constructor(private readonly spec: CountingDecoderSpec, private readonly env: BlockEnv) {
    ({ component: this.component, impl: this.impl, tabled: this.tabled } = spec);
    this.route = env.route(spec.component);
    this.h = env.counters.define(spec.component, spec.counter.name, '', spec.counter.description);
  }

  charge(d: Demand): void {
    this.env.counters.add(this.h, d.routed[this.route]);
  }

  actions(): EnergyAction[] {
    return [primitiveAction(this.env.cfg, this.component, this.spec.action.name, this.h, this.spec.action.primitives)];
  }
}
