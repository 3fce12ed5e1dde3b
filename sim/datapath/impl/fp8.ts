// The conventional FP8 datapath: weights streamed and decoded directly from their number format (a
// field split), block scales (if a layer has them) applied per element, no tables.

import { registerDatapath } from '../../core/registry.js';

registerDatapath({
  name: 'fp8',
  summary: 'direct decode: number-format weights into the MAC array, no LUT, no ROM',
  blocks: ['weight_fetch', 'weight_buffer', 'unpacker', 'scale_multiplier', 'sparse_add', 'activation_buffer', 'mac_array', 'accumulator', 'fp8_decode'],
  required: ['weight_fetch', 'weight_buffer', 'unpacker', 'activation_buffer', 'mac_array', 'accumulator', 'fp8_decode'],
  decoders: ['fp8_decode'],
  stallOrder: ['mac_array', 'scale_multiplier', 'activation_buffer'],
});
