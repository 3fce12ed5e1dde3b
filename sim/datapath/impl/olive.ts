// OliVe's datapath: 4-bit codes streamed in pairs, decoded at the edge of the MAC array by the pair decoder into
// 8-bit integer operands (int4 values, or an abfloat outlier and its zeroed victim), integer x activation MACs,
// the per-tensor scale at the output. No LUT, no ROM, no block scales.

import { registerDatapath } from '../../core/registry.js';

registerDatapath({
  name: 'olive',
  summary: 'outlier-victim pairs: a pair decoder into integer MACs, no tables',
  blocks: ['weight_fetch', 'weight_buffer', 'unpacker', 'pair_decode', 'sparse_add', 'activation_buffer', 'mac_array', 'accumulator', 'fp8_decode'],
  required: ['weight_fetch', 'weight_buffer', 'unpacker', 'pair_decode', 'activation_buffer', 'mac_array', 'accumulator'],
  decoders: ['pair_decode', 'fp8_decode'],
  stallOrder: ['mac_array', 'activation_buffer'],
});
