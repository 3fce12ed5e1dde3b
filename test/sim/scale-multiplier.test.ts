// scale_multiplier: per-block (scaled outer product) and per-element placements; a scale-bound group by hand.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { LUT_8X4X2, cfg, runOne } from '../helpers/sim.js';

describe('scale multiplier', () => {
  // E2M3sUE4M4 1x128 (8 blocks of 16) on sop-hif with an 8 x 4 x 2 LUT: the table arrives 203 and is written by 4 banks
  // (ready 219); the tile arrives at 208; 2 lane groups of 64 weights, 4 blocks ending in each.
  // (codes 0..63 in order spread every LUT copy's lanes evenly over its banks: no group waits on the LUT)
  const q0 = quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 128, seed: 3 }), 'E2M3sUE4M4');
  const q = { ...q0, codes: Uint8Array.from(q0.codes, (_, i) => i % 64) };
  it('per block: one multiply per block and token', () => {
    for (const tokens of [1, 3]) {
      const r = runOne(cfg('sop-hif', LUT_8X4X2), q, tokens);
      expect(r.counters.scale_multiplier.multiplies).toBe(8 * tokens);
      expect(r.stall_cycles.scale).toBe(0); // (64/16 + 1) x 3 <= 16 units
    }
  });
  it('per block, scale-bound: 4 blocks x 8 tokens / 16 units = 2 cycles a group', () => {
    const r = runOne(cfg('sop-hif', { ...LUT_8X4X2, 'mac_array.macs_per_cycle': 4096 }), q, 8);
    expect(r.stall_cycles.scale).toBe(2 * 1);
    expect(r.cycles).toBe(219 + 2 * 2 + 8);
  });
  it('per element, scale-bound: 64 weights / 8 units = 8 cycles a group, whatever the tokens', () => {
    for (const tokens of [1, 2]) {
      const r = runOne(cfg('sop-hif', { ...LUT_8X4X2, 'scale_multiplier.impl': 'per-element', 'scale_multiplier.units': 8, 'mac_array.macs_per_cycle': 4096 }), q, tokens);
      expect(r.counters.scale_multiplier.multiplies).toBe(128);
      expect(r.stall_cycles.scale).toBe(2 * 7);
      expect(r.stall_cycles.lut_reload).toBe(219 - 208);
      expect(r.cycles).toBe(219 + 2 * 8 + 8);
    }
  });
  it('a layer without block scales multiplies nothing', () => {
    const r = runOne(cfg('sop-hif', LUT_8X4X2), quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 128, seed: 3 }), 'e4m3-pot'));
    expect(r.counters.scale_multiplier.multiplies).toBe(0);
  });
});
