// weight_buffer (sram-slots): each tile written and read once.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

const t = synthesize({ dist: 't4', rows: 6, cols: 100, seed: 9 }); // 7 blocks of 16 per row, the last of 4
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });

describe('weight buffer', () => {
  it('weight buffer: each tile written and read once, in whole words', () => {
    const r = runOne(cfg('sop-hif', { 'weight_buffer.width_bits': 64, 'weight_fetch.gb_per_s': 8, 'weight_fetch.burst_bytes': 1 }), sop); // 2 ports x 8 B take 8 B/cycle in and out
    const tileBytes = r.dram_bytes - r.counters.weight_fetch.table_bytes - 4; // less the tables and the 4-byte header
    expect(r.sram.weight_buffer.writes).toBe(r.sram.weight_buffer.reads);
    expect(r.sram.weight_buffer.bits_written).toBe(r.sram.weight_buffer.writes * 64);
    expect(r.sram.weight_buffer.writes).toBeGreaterThanOrEqual(Math.ceil(tileBytes / 8));
    expect(r.sram.weight_buffer.writes).toBeLessThanOrEqual(Math.ceil(tileBytes / 8) + r.counters.weight_fetch.requests);
  });
});
