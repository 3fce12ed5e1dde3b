// mac_array (mac-grid): weights x tokens MACs at macs_per_cycle; a MAC-bound lane group, by hand.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

describe('MAC array', () => {
  // e4m3-pot 1x128 on fp8-e4m3 (64 lanes, latency 200, 32 B/cycle, depth 6): header [0,1), the one tile of
  // 128 bytes [1,5), arriving at 205; 2 lane groups of 64 weights.
  const q = quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 128, seed: 3 }), 'e4m3-pot');
  for (const tokens of [1, 2]) {
    it(`MAC-bound groups at 32 MACs/cycle, ${tokens} token(s): 64 x ${tokens} / 32 cycles each`, () => {
      const r = runOne(cfg('fp8-e4m3', { 'mac_array.macs_per_cycle': 32 }), q, tokens);
      const per = (64 * tokens) / 32;
      expect(r.cycles).toBe(205 + 2 * per + 6);
      expect(r.busy_cycles).toBe(2);
      expect(r.stall_cycles.mac).toBe(2 * (per - 1));
      expect(r.stall_cycles.dram).toBe(205);
      expect(r.counters.mac_array.macs).toBe(128 * tokens);
      expect(r.counters.mac_array.output_scales).toBe(tokens); // one output row, a layer scale
    });
  }
  it('not MAC-bound at 256 MACs/cycle: one cycle per group', () => {
    const r = runOne(cfg('fp8-e4m3'), q, 4);
    expect(r.cycles).toBe(205 + 2 + 6);
    expect(r.stall_cycles.mac).toBe(0);
  });
});
