// Decoders: the blocks that turn an element code into a weight operand (a direct number-format decode,
// a fixed-codebook ROM, a LUT SRAM). Each claims the element books it decodes when a layer is set up;
// the weights of a claimed book reach it as Demand.routed[its route].

import type { Block, BlockEnv, Demand } from './block.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { times, type Cells, type Operand } from '../energy/logic.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { Counter } from '../kernel/counters.js';

export interface Decoder extends Block {
  /** This decoder's index into Demand.routed. */
  readonly route: number;
  /** True when its output is a table entry (ROM, LUT) that the output path converts. */
  readonly tabled: boolean;
  /** The weight operand it hands the MAC array (a table entry's format, or the decoded number format). */
  operand(): Operand;
}

/** What one lane of a decoder is made of, and what that is in words. */
export interface LaneLogic {
  cells: Cells;
  what: string;
}

/** What a decoder that only counts its weights is: its names, what it counts, and what one costs. */
export interface CountingDecoderSpec {
  component: string;
  impl: string;
  tabled: boolean;
  counter: { name: string; description: string };
  action: { name: string };
  /** One lane's decode logic (asked once the datapath is built, so it may look at other blocks). */
  lane(env: BlockEnv): LaneLogic;
  operand(env: BlockEnv): Operand;
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

  operand(): Operand {
    return this.spec.operand(this.env);
  }

  logic(): { cells: Cells; what: string } {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    return { cells: times(this.spec.lane(this.env).cells, lanes), what: `${lanes} lanes` };
  }

  actions(): EnergyAction[] {
    const l = this.spec.lane(this.env);
    return [logicAction(this.env.cfg, this.component, this.spec.action.name, this.h, l.cells, l.what)];
  }
}
