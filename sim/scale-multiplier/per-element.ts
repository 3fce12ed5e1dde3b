// The conventional placement: every decoded weight is multiplied by its block scale before the MAC
// array, whatever the tokens.

import type { BlockEnv, Demand } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { ScaleMultiplier, scaleSection, type ScaleConf } from './scale-multiplier.js';

const Schema = scaleSection('per-element');

class PerElement extends ScaleMultiplier {
  readonly impl = 'per-element';
  constructor(conf: ScaleConf, env: BlockEnv) {
    super(conf, env, 'decoded weights x block scale');
  }
  protected multiplies(d: Demand): number {
    return d.weights;
  }
  protected mostPerGroup(lanes: number): number {
    return lanes;
  }
}

registerBlock({
  kind: 'scale_multiplier',
  impl: 'per-element',
  summary: 'one multiply per decoded weight, before the MAC array',
  schema: Schema,
  create: (conf, env) => new PerElement(conf, env),
  primitiveLists: (c) => ({ 'actions.multiply': c.actions.multiply }),
});
