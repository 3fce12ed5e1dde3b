// The scaled-outer-product placement: the g products of a block are summed first, and the sum is
// multiplied by the block scale once per token, when the block's last weight has passed.

import type { BlockEnv, Demand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import { registerBlock } from '../core/registry.js';
import { ScaleMultiplier, scaleSection, type ScaleConf } from './scale-multiplier.js';

const Schema = scaleSection('per-block');

class PerBlock extends ScaleMultiplier {
  readonly impl = 'per-block';
  constructor(conf: ScaleConf, env: BlockEnv) {
    super(conf, env, 'block partial sums x block scale (blocks x tokens)');
  }
  protected multiplies(d: Demand): number {
    return d.blocksEnding * d.tokens;
  }
  protected mostPerGroup(lanes: number, work: LayerWork): number {
    return (Math.ceil(lanes / work.stream.minBlock) + 1) * work.tokens; // blocks a group can end, partial ones included
  }
}

registerBlock({
  kind: 'scale_multiplier',
  impl: 'per-block',
  summary: 'one multiply per block and token, on the block\'s partial sum',
  schema: Schema,
  create: (conf, env) => new PerBlock(conf, env),
  primitiveLists: (c) => ({ 'actions.multiply': c.actions.multiply }),
});
