// The SOP LUT-decode datapath: fixed codebooks in a ROM, per-layer codebooks and FP6 tables in the LUT
// SRAM, picked per block by the selection mux; table entries through the LUT output path (HIF or BF16);
// block scales; the sparse-add path beside the decode. Wide formats decode directly.

import { registerDatapath } from '../../core/registry.js';

registerDatapath({
  name: 'sop',
  summary: 'LUT decode: selection mux, codebook ROM, LUT SRAM, LUT output path, block scales, sparse add',
  blocks: ['weight_fetch', 'weight_buffer', 'unpacker', 'selection_mux', 'codebook_rom', 'lut_sram', 'hif_output', 'scale_multiplier', 'sparse_add', 'activation_buffer', 'mac_array', 'accumulator', 'fp8_decode'],
  required: ['weight_fetch', 'weight_buffer', 'unpacker', 'lut_sram', 'hif_output', 'activation_buffer', 'mac_array', 'accumulator'],
  decoders: ['fp8_decode', 'codebook_rom', 'lut_sram'],
  stallOrder: ['mac_array', 'lut_sram', 'scale_multiplier', 'activation_buffer'],
});
