// Each hardware block's counters in isolation, before the whole datapath.
import { describe, expect, it } from 'vitest';
import { Counters } from '../../sim/kernel/counters.js';
import { WeightFetch } from '../../sim/weight-fetch/weight-fetch.js';
import { LutSram } from '../../sim/lut-sram/lut-sram.js';
import { TileScan } from '../../sim/datapath/tile-scan.js';
import { ROUTE_DIRECT, ROUTE_LUT, ROUTE_ROM } from '../../sim/datapath/layer-work.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, work } from '../helpers/sim.js';

describe('weight fetch', () => {
  it('serialises requests on one channel: ceil(bytes / rate) cycles each, data after the latency', () => {
    const c = new Counters();
    const f = new WeightFetch(cfg('sop-hif', { 'weight_fetch.bytes_per_cycle': 32, 'weight_fetch.latency_cycles': 100 }), c);
    expect(f.request(0, 64)).toBe(2 + 100);
    expect(f.request(0, 33)).toBe(2 + 2 + 100); // waits for the channel
    expect(f.request(50, 1)).toBe(51 + 100); // idle channel: starts now
    expect(f.request(0, 10, true)).toBe(52 + 100);
    expect(c.get('weight_fetch', 'dram_bytes')).toBe(108);
    expect(c.get('weight_fetch', 'table_bytes')).toBe(10);
    expect(c.get('weight_fetch', 'requests')).toBe(4);
    expect(c.get('weight_fetch', 'busy_cycles')).toBe(2 + 2 + 1 + 1);
  });
});

describe('LUT SRAM residency', () => {
  const mk = (capacity: number, prefetch = true) => {
    const c = new Counters();
    const conf = cfg('sop-hif', { 'lut.capacity_bytes': capacity, 'lut.replicas': 2, 'lut.banks': 4, 'lut.prefetch': prefetch });
    return { c, lut: new LutSram(conf, c), fetch: new WeightFetch(conf, c) };
  };
  const T = (id: string) => ({ id, entries: 16 });

  it('a table is 16 HIF8 entries + an exponent byte per replica; reloads write entries x replicas', () => {
    const { c, lut, fetch } = mk(1024);
    expect(lut.tableBytes(T('a'))).toBe(17);
    expect(lut.footprint(T('a'))).toBe(34);
    const ready = lut.acquire([T('a')], 0, fetch);
    expect(ready).toBe(Math.ceil(17 / 32) + 200 + 16 / 4);
    expect(c.get('lut_sram', 'writes')).toBe(32);
    expect(c.get('lut_sram', 'reloads')).toBe(1);
    lut.acquire([T('a')], 1000, fetch);
    expect(c.get('lut_sram', 'hits')).toBe(1);
    expect(c.get('lut_sram', 'reloads')).toBe(1);
  });
  it('evicts the least recently used table when full', () => {
    const { c, lut, fetch } = mk(34 * 2); // room for two tables
    lut.acquire([T('a')], 0, fetch);
    lut.acquire([T('b')], 0, fetch);
    lut.acquire([T('a')], 0, fetch); // a is now most recent
    lut.acquire([T('c')], 0, fetch); // evicts b
    expect(lut.isResident('a')).toBe(true);
    expect(lut.isResident('b')).toBe(false);
    expect(lut.isResident('c')).toBe(true);
    expect(c.get('lut_sram', 'evictions')).toBe(1);
  });
  it('prefetches only when the next table fits without evicting the current one', () => {
    const small = mk(34);
    small.lut.acquire([T('a')], 0, small.fetch);
    small.lut.prefetch([T('b')], [T('a')], 0, small.fetch);
    expect(small.c.get('lut_sram', 'prefetches')).toBe(0);
    const big = mk(68);
    big.lut.acquire([T('a')], 0, big.fetch);
    big.lut.prefetch([T('b')], [T('a')], 0, big.fetch);
    expect(big.c.get('lut_sram', 'prefetches')).toBe(1);
    expect(big.lut.isResident('b')).toBe(true);
    const off = mk(68, false);
    off.lut.prefetch([T('b')], [], 0, off.fetch);
    expect(off.c.get('lut_sram', 'prefetches')).toBe(0);
  });
  it('a small SRAM holds fewer copies (serving fewer lanes); a table larger than the SRAM is an error', () => {
    const { c, lut, fetch } = mk(20);
    expect(lut.copies(T('a'))).toBe(1);
    expect(lut.lookupsFor([T('a')])).toBe(lut.ports * lut.banks * 1);
    lut.acquire([T('a')], 0, fetch);
    expect(c.get('lut_sram', 'writes')).toBe(16);
    const tiny = mk(10);
    expect(() => tiny.lut.acquire([T('a')], 0, tiny.fetch)).toThrow(/lut\.capacity_bytes: 10 B cannot hold table 'a'/);
  });
});

describe('tile scan (the stream the unpacker and selection mux see)', () => {
  it('splits a layer with partial blocks into lane groups with routes, block ends and bytes', () => {
    const t = synthesize({ dist: 'gaussian', rows: 3, cols: 40, seed: 1 }); // g=16: blocks 16,16,8 per row
    const q = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });
    const c = cfg('sop-hif', { 'unpacker.lanes': 8, 'weight_buffer.tile_bytes': 16 });
    const w = work(q, c);
    expect(w.tileWeights % 8).toBe(0);
    let weights = 0;
    let lut = 0;
    let ends = 0;
    let starts = 0;
    let bits = 0;
    const scan = new TileScan(8);
    for (let k = 0; k < w.tiles; k++) {
      scan.scan(w, k);
      scan.scanGroups();
      for (let g = 0; g < scan.groups; g++) {
        weights += scan.weights[g];
        lut += scan.lutW[g];
        ends += scan.blocksEnding[g];
        expect(scan.lutW[g]).toBeLessThanOrEqual(scan.weights[g]);
      }
      starts += scan.blocksStarting;
      bits += scan.bytes * 8;
    }
    expect(weights).toBe(120);
    expect(ends).toBe(9);
    expect(starts).toBe(9);
    // weights routed to the LUT: the lengths of the blocks whose selection bit picks DD4
    let want = 0;
    for (let b = 0; b < 9; b++) if (q.sel![b] === 1) want += b % 3 === 2 ? 8 : 16;
    expect(lut).toBe(want);
    expect(bits).toBeGreaterThanOrEqual(120 * 4 + 9 * 8);
    expect(w.routes).toEqual([ROUTE_ROM, ROUTE_LUT]);
  });
  it('routes: FP6 atoms to a shared LUT table, FP8 directly, nothing to a ROM the config lacks', () => {
    const t = synthesize({ dist: 'gaussian', rows: 4, cols: 64, seed: 2 });
    const c = cfg('sop-hif');
    const fp6 = work(quantize(t, 'E2M3sUE4M4'), c);
    expect(fp6.routes).toEqual([ROUTE_LUT]);
    expect(fp6.lutTables).toEqual([{ id: 'format:E2M3', entries: 64 }]);
    expect(work(quantize(t, 'e4m3-pot'), c).routes).toEqual([ROUTE_DIRECT]);
    const noRom = cfg('sop-hif', { 'codebook_rom.enabled': false });
    const w = work(quantize(t, 'sop4', { pair: ['NF4', 'DD4'] }), noRom);
    expect(w.routes).toEqual([ROUTE_LUT, ROUTE_LUT]);
    expect(w.lutTables.map((x) => x.id)).toEqual(['codebook:NF4@hif8', `layer:${t.name}:DD4`]);
  });
  it('a codebook layer on the FP8 datapath, or a BF16-rounded layer on HIF8 hardware, is refused', () => {
    const t = synthesize({ dist: 'gaussian', rows: 4, cols: 64, seed: 2 });
    expect(() => work(quantize(t, 'sop4'), cfg('fp8-e4m3'))).toThrow(/fp8-e4m3\.json: layer .* needs a codebook table .* no LUT or ROM/);
    expect(() => work(quantize(t, 'sop4', { lut: { kind: 'bf16' } }), cfg('sop-hif'))).toThrow(/quantized for LUT format bf16; lut\.output hif8 cannot hold/);
  });
});
