// weight_fetch (in-order-dram): one channel, requests in order, data after the latency.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import type { WeightFetch } from '../../sim/weight-fetch/weight-fetch.js';
import { blocksOf, cfg, runOne } from '../helpers/sim.js';

describe('weight fetch', () => {
  it('serialises requests on one channel: ceil(bytes / rate) cycles each, data after the latency', () => {
    const { counters: c, get } = blocksOf(cfg('sop-hif', { 'weight_fetch.bytes_per_cycle': 32, 'weight_fetch.latency_cycles': 100 }));
    const f = get<WeightFetch>('weight_fetch');
    expect(f.request(0, 64)).toBe(2 + 100);
    expect(f.request(0, 33)).toBe(2 + 2 + 100); // waits for the channel
    expect(f.request(50, 1)).toBe(51 + 100); // idle channel: starts now
    expect(f.request(0, 10, true)).toBe(52 + 100);
    expect(c.get('weight_fetch', 'dram_bytes')).toBe(108);
    expect(c.get('weight_fetch', 'table_bytes')).toBe(10);
    expect(c.get('weight_fetch', 'requests')).toBe(4);
    expect(c.get('weight_fetch', 'busy_cycles')).toBe(2 + 2 + 1 + 1);
  });

  // e4m3-pot 1x256 on fp8-e4m3 with 128-byte tiles: 2 tiles of 128 weights (2 lane groups each), a 1-byte
  // header, 32 B/cycle, latency 200, pipeline depth 6.
  const q = quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 256, seed: 5 }), 'e4m3-pot');
  it('DRAM-bound, one slot: the second tile is fetched only when the first is done', () => {
    const r = runOne(cfg('fp8-e4m3', { 'weight_buffer.tile_bytes': 128, 'weight_buffer.slots': 1 }), q);
    // header [0,1); tile 0 [1,5) arrives 205, runs [205,207); tile 1 requested at 207: [207,211) arrives 411, runs [411,413)
    expect(r.cycles).toBe(413 + 6);
    expect(r.stall_cycles.dram).toBe(205 + (411 - 207));
    expect(r.busy_cycles).toBe(4);
  });
  it('DRAM-bound, two slots: both tiles requested at once', () => {
    const r = runOne(cfg('fp8-e4m3', { 'weight_buffer.tile_bytes': 128, 'weight_buffer.slots': 2 }), q);
    // tile 0 [1,5) arrives 205, runs [205,207); tile 1 [5,9) arrives 209, runs [209,211)
    expect(r.cycles).toBe(211 + 6);
    expect(r.stall_cycles.dram).toBe(205 + 2);
  });
});
