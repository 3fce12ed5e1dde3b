// The scaled-outer-product placement: the g products of a block are summed first, and the sum is
// multiplied by the block scale once per token, when the block's last weight has passed.

import { registerPlacement } from './scale-multiplier.js';

registerPlacement({
  impl: 'per-block',
  summary: 'one multiply per block and token, on the block\'s partial sum',
  counted: 'block partial sums x block scale (blocks x tokens)',
  multiplies: (d) => d.blocksEnding * d.tokens,
  // the blocks a lane group can end, a partial one included
  mostPerGroup: (lanes, work) => (Math.ceil(lanes / work.stream.minBlock) + 1) * work.tokens,
});
