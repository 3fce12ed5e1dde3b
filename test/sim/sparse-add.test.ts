// sparse_add (residual-lanes): a tile lasts at least as long as its corrections; a sparse-bound tile by hand.
import { describe, expect, it } from 'vitest';
import { bf16Bits } from '../../quant/formats/bits.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { LUT_8X4X2, cfg, runOne } from '../helpers/sim.js';

describe('sparse add', () => {
  // codes 0..63 in order spread every LUT copy's lanes evenly over its banks: no group waits on the LUT
  const q0 = quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 128, seed: 3 }), 'E2M3sUE4M4');
  const base = { ...q0, codes: Uint8Array.from(q0.codes, (_, i) => i % 64) };
  const index = Uint32Array.from({ length: 20 }, (_, i) => i * 6);
  const q = { ...base, residuals: { index, bf16: Uint16Array.from(index, () => bf16Bits(0.01)) } };
  it('20 corrections on 1 lane: the tile takes 20 cycles where its 2 groups take 2', () => {
    const r = runOne(cfg('sop-hif', { ...LUT_8X4X2, 'sparse_add.lanes': 1 }), q);
    // tile: 128 x 6 + 8 x 8 + 20 x 48 bits = 224 B, [4,11) after the table [0,3) and header [3,4): arrives 211;
    // the table is ready at 203 + 64/4 = 219
    expect(r.dram_bytes).toBe(96 + 32 + 224); // the 65-B table and the 1-B header (the normaliser's exponent) take whole 32-B bursts
    expect(r.counters.weight_fetch.padding_bytes).toBe(31 + 31);
    expect(r.stall_cycles.sparse).toBe(20 - 2);
    expect(r.stall_cycles.lut_reload).toBe(219 - 211);
    expect(r.cycles).toBe(219 + 20 + 8);
    expect(r.counters.sparse_add.residuals).toBe(20);
  });
  it('with tokens the adds scale: 20 x 3 on 4 lanes = 15 cycles', () => {
    const r = runOne(cfg('sop-hif', LUT_8X4X2), q, 3);
    expect(r.counters.sparse_add.adds).toBe(60);
    expect(r.stall_cycles.sparse).toBe(15 - 2);
  });
});
