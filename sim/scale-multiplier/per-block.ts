// The scaled-outer-product placement: the g products of a block are summed first (in fixed point when the
// weights are integers), and the sum is multiplied by the block scale once per token, when the block's
// last weight has passed, then added into the accumulator.

import { fpAdd, multiply, plus } from '../energy/logic.js';
import { registerPlacement } from './scale-multiplier.js';

registerPlacement({
  impl: 'per-block',
  summary: 'one multiply per block and token, on the block\'s partial sum',
  counted: 'block partial sums x block scale (blocks x tokens)',
  blockSums: true,
  multiplies: (d) => d.blocksEnding * d.tokens,
  // the blocks a lane group can end, a partial one included
  mostPerGroup: (lanes, work) => (Math.ceil(lanes / work.stream.minBlock) + 1) * work.tokens,
  unit: (mac, scale) => {
    const sum = mac.blockSum();
    const acc = mac.accumulator;
    return { cells: plus(multiply(sum, scale, acc), fpAdd(acc)), what: `${sum.name} block sum x ${scale.name} scale into ${acc.name}, ${acc.name} add` };
  },
  scaled: (w) => w,
});
