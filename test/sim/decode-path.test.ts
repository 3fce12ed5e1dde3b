// The blocks that never limit a lane group — unpacker, selection mux, codebook ROM, direct decode, LUT
// output path, weight buffer — count exactly what passes through them.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

const t = synthesize({ dist: 't4', rows: 6, cols: 100, seed: 9 }); // 7 blocks of 16 per row, the last of 4
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });

describe('decode path counters', () => {
  it('unpacker: every weight once, in groups of at most `lanes`', () => {
    const r = runOne(cfg('sop-hif', { 'unpacker.lanes': 16 }), sop);
    expect(r.counters.unpacker.weights).toBe(600);
    expect(r.counters.unpacker.groups).toBe(r.busy_cycles);
    expect(r.counters.unpacker.groups).toBeGreaterThanOrEqual(Math.ceil(600 / 16));
  });
  it('selection mux: one selection per block of a two-book layer, split by the selection bit', () => {
    const r = runOne(cfg('sop-hif'), sop);
    const toLut = sop.sel!.reduce((s, v) => s + v, 0);
    expect(r.counters.selection_mux.blocks).toBe(42);
    expect(r.counters.selection_mux.to_lut).toBe(toLut);
    expect(r.counters.selection_mux.to_rom).toBe(42 - toLut);
    expect(runOne(cfg('sop-hif'), quantize(t, 'E2M3sUE4M4')).counters.selection_mux.blocks).toBe(0); // one book: no selection
  });
  it('ROM and LUT output path: ROM lookups are the NF4 blocks\' weights; every table lookup is converted', () => {
    const r = runOne(cfg('sop-hif'), sop);
    let rom = 0;
    for (let b = 0; b < 42; b++) if (sop.sel![b] === 0) rom += b % 7 === 6 ? 4 : 16;
    expect(r.counters.codebook_rom.lookups).toBe(rom);
    expect(r.counters.hif_output.conversions).toBe(600);
    expect(r.counters.fp8_decode.decodes).toBe(0);
  });
  it('direct decode: FP8 weights on the SOP datapath skip the tables', () => {
    const r = runOne(cfg('sop-hif'), quantize(t, 'e4m3-pot'));
    expect(r.counters.fp8_decode.decodes).toBe(600);
    expect(r.counters.hif_output.conversions).toBe(0);
    expect(r.counters.lut_sram.reads).toBe(0);
  });
  it('weight buffer: each tile written and read once, in whole words', () => {
    const r = runOne(cfg('sop-hif', { 'weight_buffer.width_bits': 64 }), sop);
    const tileBytes = r.dram_bytes - r.counters.weight_fetch.table_bytes - 4; // less the tables and the 4-byte header
    expect(r.sram.weight_buffer.writes).toBe(r.sram.weight_buffer.reads);
    expect(r.sram.weight_buffer.bits_written).toBe(r.sram.weight_buffer.writes * 64);
    expect(r.sram.weight_buffer.writes).toBeGreaterThanOrEqual(Math.ceil(tileBytes / 8));
    expect(r.sram.weight_buffer.writes).toBeLessThanOrEqual(Math.ceil(tileBytes / 8) + r.counters.weight_fetch.requests);
  });
});
