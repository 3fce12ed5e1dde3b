// weight_fetch (in-order-dram): one channel, requests in order, data after the latency.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import type { WeightFetch } from '../../sim/weight-fetch/weight-fetch.js';
import { blocksOf, cfg, runOne } from '../helpers/sim.js';

describe('weight fetch', () => {
  it('serialises requests on one channel: ceil(bytes / rate) cycles each, data after the latency', () => {
    const { counters: c, get } = blocksOf(cfg('sop-hif', { 'weight_fetch.gb_per_s': 32, 'weight_fetch.latency_ns': 100, 'weight_fetch.burst_bytes': 1 }));
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

  it('moves whole bursts: a 4-byte header or a 17-byte table costs a 32-byte burst', () => {
    const { counters: c, get } = blocksOf(cfg('sop-hif', { 'weight_fetch.gb_per_s': 16, 'weight_fetch.latency_ns': 100 }));
    const f = get<WeightFetch>('weight_fetch');
    expect(f.request(0, 4)).toBe(2 + 100); // one 32-byte burst at 16 B a cycle
    expect(f.request(0, 17, true)).toBe(4 + 100);
    expect(f.request(0, 33)).toBe(8 + 100); // two bursts
    expect(c.get('weight_fetch', 'dram_bytes')).toBe(32 + 32 + 64);
    expect(c.get('weight_fetch', 'padding_bytes')).toBe(28 + 15 + 31);
    expect(c.get('weight_fetch', 'table_bytes')).toBe(32);
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

describe('the DRAM in its own clock domain', () => {
  const q = quantize(synthesize({ dist: 'gaussian', rows: 64, cols: 1024, seed: 6 }), 'e4m3-pot');
  const at = (ghz: number, sets: Record<string, number> = {}, tokens = 1) => runOne(cfg('fp8-e4m3', { clock_ghz: ghz, ...sets }), q, tokens);
  it('GB/s and ns become core cycles: at 2 GHz, 32 GB/s is 16 B a cycle and 200 ns is 400 cycles', () => {
    const r1 = at(1);
    const r2 = at(2);
    expect(r2.bounds.dram_cycles).toBe(Math.ceil(r1.dram_bytes / 16));
    expect(r2.stall_cycles.dram).toBeGreaterThanOrEqual(400);
  });
  it('doubling the core clock leaves a DRAM-bound layer\'s time nearly unchanged and halves a MAC-bound one\'s', () => {
    const dram = at(2).time_ns / at(1).time_ns;
    expect(dram).toBeGreaterThan(0.97);
    expect(dram).toBeLessThan(1.03);
    const macBound = { 'mac_array.macs_per_cycle': 4 };
    const mac = at(2, macBound, 4).time_ns / at(1, macBound, 4).time_ns;
    expect(mac).toBeGreaterThan(0.49);
    expect(mac).toBeLessThan(0.53);
  });
  it('time, power and tokens per second follow from cycles and energy', () => {
    const r = at(1.5, {}, 2);
    expect(r.time_ns).toBeCloseTo(r.cycles / 1.5, 9);
    expect(r.power_w).toBeCloseTo(r.energy_pj.total / r.time_ns / 1000, 12);
    expect(r.tokens_per_s).toBeCloseTo(2 / (r.time_ns * 1e-9), 3);
  });
});
