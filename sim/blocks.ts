// Every block kind, implementation and datapath, registered by importing its module. Adding an
// implementation: a new file in its block's folder that calls registerBlock, and its import here.

import './weight-fetch/weight-fetch.js';
import './weight-fetch/in-order-dram.js';
import './weight-buffer/weight-buffer.js';
import './weight-buffer/sram-slots.js';
import './unpacker/unpacker.js';
import './unpacker/bit-unpacker.js';
import './selection-mux/selection-mux.js';
import './selection-mux/select-bit.js';
import './codebook-rom/codebook-rom.js';
import './codebook-rom/fixed-rom.js';
import './lut-sram/lut-sram.js';
import './lut-sram/banked-sram.js';
import './hif-output/hif-output.js';
import './hif-output/table-output.js';
import './scale-multiplier/scale-multiplier.js';
import './scale-multiplier/per-block.js';
import './scale-multiplier/per-element.js';
import './sparse-add/sparse-add.js';
import './sparse-add/residual-lanes.js';
import './activation-buffer/activation-buffer.js';
import './activation-buffer/sram-banks.js';
import './accumulator/accumulator.js';
import './accumulator/token-registers.js';
import './mac-array/mac-array.js';
import './mac-array/mac-grid.js';
import './mac-array/lut-products.js';
import './fp8-decode/fp8-decode.js';
import './fp8-decode/field-split.js';
import './fp8-decode/index-pass.js';
import './pair-decode/pair-decode.js';
import './pair-decode/olive-pairs.js';
import './datapath/impl/sop.js';
import './datapath/impl/fp8.js';
import './datapath/impl/olive.js';
