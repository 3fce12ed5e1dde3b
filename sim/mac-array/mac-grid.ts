// `macs_per_cycle` multiply-accumulators shared by the lanes and tokens of a group.

import { z } from 'zod';
import type { Block, BlockEnv, Demand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, Primitives, implOf } from '../config/schema.js';
import { primitiveAction, type EnergyAction } from '../energy/actions.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('mac-grid'), macs_per_cycle: PosInt, actions: z.object({ mac: Primitives, output_scale: Primitives }).strict() }).strict();
type Conf = z.infer<typeof Schema>;

class MacGrid implements Block {
  readonly component = 'mac_array';
  readonly impl = 'mac-grid';
  readonly stall = 'mac' as const;
  private readonly macs: number;
  private readonly hMacs: Counter;
  private readonly hOutputs: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.macs = conf.macs_per_cycle;
    const c = env.counters;
    this.hMacs = c.define(this.component, 'macs', '', 'multiply-accumulates (weights x tokens)');
    this.hOutputs = c.define(this.component, 'output_scales', '', 'outputs scaled by the per-layer scale (rows x tokens)');
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hMacs, d.weights * d.tokens);
  }

  groupCycles(d: Demand): number {
    return Math.ceil((d.weights * d.tokens) / this.macs);
  }

  groupBound(work: LayerWork): number {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    return Math.ceil((lanes * work.tokens) / this.macs);
  }

  endLayer(work: LayerWork): void {
    if (work.layer.tensorScaleBits > 0) this.env.counters.add(this.hOutputs, work.rows * work.tokens);
  }

  actions(): EnergyAction[] {
    const { cfg } = this.env;
    return [primitiveAction(cfg, this.component, 'mac', this.hMacs, this.conf.actions.mac), primitiveAction(cfg, this.component, 'output_scale', this.hOutputs, this.conf.actions.output_scale)];
  }
}

registerBlock<Conf>({
  kind: 'mac_array',
  impl: 'mac-grid',
  summary: '`macs_per_cycle` multiply-accumulators shared by a group\'s lanes and tokens',
  schema: Schema,
  create: (conf, env) => new MacGrid(conf, env),
});
