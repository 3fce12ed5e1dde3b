// lut_sram (banked-sram): residency (LRU, reloads, prefetch), what it claims, and a LUT-bound group by hand.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { parseLutFormat } from '../../quant/codebooks/lut-format.js';
import { decodeSopw, encodeSopw } from '../../quant/packed/sopw.js';
import type { LutSram } from '../../sim/lut-sram/lut-sram.js';
import { LUT_8X4X2, blocksOf, cfg, runOne, variantCfg, work } from '../helpers/sim.js';

describe('LUT SRAM residency', () => {
  const mk = (capacity: number, prefetch = true) => {
    const b = blocksOf(cfg('sop-hif', { 'lut.capacity_bytes': capacity, 'lut.replicas': 2, 'lut.banks': 4, 'lut.prefetch': prefetch }));
    return { c: b.counters, lut: b.get<LutSram>('lut_sram') };
  };
  const T = (id: string) => ({ id, entries: 16 });

  it('a table is 16 HIF8 entries + an exponent byte per replica; reloads write entries x replicas', () => {
    const { c, lut } = mk(1024);
    expect(lut.tableBytes(T('a'))).toBe(17);
    expect(lut.copies(T('a'))).toBe(2);
    const ready = lut.acquire([T('a')], 0);
    expect(ready).toBe(Math.ceil(17 / 32) + 200 + 16 / 4);
    expect(c.get('lut_sram', 'writes')).toBe(32);
    expect(c.get('lut_sram', 'reloads')).toBe(1);
    lut.acquire([T('a')], 1000);
    expect(c.get('lut_sram', 'hits')).toBe(1);
    expect(c.get('lut_sram', 'reloads')).toBe(1);
  });
  it('evicts the least recently used table when full', () => {
    const { c, lut } = mk(34 * 2); // room for two tables
    lut.acquire([T('a')], 0);
    lut.acquire([T('b')], 0);
    lut.acquire([T('a')], 0); // a is now most recent
    lut.acquire([T('c')], 0); // evicts b
    expect(lut.isResident('a')).toBe(true);
    expect(lut.isResident('b')).toBe(false);
    expect(lut.isResident('c')).toBe(true);
    expect(c.get('lut_sram', 'evictions')).toBe(1);
  });
  it('prefetches only when the next table fits without evicting the current one', () => {
    const small = mk(34);
    small.lut.acquire([T('a')], 0);
    small.lut.prefetch([T('b')], [T('a')], 0);
    expect(small.c.get('lut_sram', 'prefetches')).toBe(0);
    const big = mk(68);
    big.lut.acquire([T('a')], 0);
    big.lut.prefetch([T('b')], [T('a')], 0);
    expect(big.c.get('lut_sram', 'prefetches')).toBe(1);
    expect(big.lut.isResident('b')).toBe(true);
    const off = mk(68, false);
    off.lut.prefetch([T('b')], [], 0);
    expect(off.c.get('lut_sram', 'prefetches')).toBe(0);
  });
  it('a small SRAM holds fewer copies; a table larger than the SRAM is an error', () => {
    const { c, lut } = mk(20);
    expect(lut.copies(T('a'))).toBe(1);
    lut.acquire([T('a')], 0);
    expect(c.get('lut_sram', 'writes')).toBe(16);
    const tiny = mk(10);
    expect(() => tiny.lut.acquire([T('a')], 0)).toThrow(/lut\.capacity_bytes: 10 B cannot hold table 'a'/);
  });
});

describe('what the LUT claims', () => {
  const t = synthesize({ dist: 'gaussian', rows: 4, cols: 64, seed: 2 });
  it('FP6 atoms to a shared LUT table, FP8 directly; fixed books the ROM lacks into the LUT', () => {
    const c = cfg('sop-hif');
    const fp6 = work(quantize(t, 'E2M3sUE4M4'), c);
    expect(fp6.routes).toEqual([2]); // decoders: fp8_decode 0, codebook_rom 1, lut_sram 2
    expect(fp6.lutTables).toEqual([{ id: 'format:E2M3', entries: 64 }]);
    expect(work(quantize(t, 'e4m3-pot'), c).routes).toEqual([0]);
    const emptyRom = variantCfg('sop-hif', (d) => (d.codebook_rom.codebooks = []));
    const w = work(quantize(t, 'sop4', { pair: ['NF4', 'DD4'] }), emptyRom);
    expect(w.routes).toEqual([2, 2]);
    expect(w.lutTables.map((x) => x.id)).toEqual(['codebook:NF4@hif8', `layer:${t.name}:DD4`]);
    const noRom = variantCfg('sop-hif', (d) => delete d.codebook_rom);
    expect(work(quantize(t, 'sop4', { pair: ['NF4', 'DD4'] }), noRom).routes).toEqual([1, 1]); // decoders: fp8_decode 0, lut_sram 1
  });
  it('a codebook layer on the FP8 datapath, or a BF16-rounded layer on HIF8 hardware, is refused', () => {
    expect(() => work(quantize(t, 'sop4'), cfg('fp8-e4m3'))).toThrow(/fp8-e4m3\.json: layer .* needs a codebook table for .* has no decoder for it \(decoders: fp8_decode\)/);
    expect(() => work(quantize(t, 'sop4', { lut: { kind: 'bf16' } }), cfg('sop-hif'))).toThrow(/quantized for LUT format bf16; lut\.output hif8 cannot hold/);
  });
});

describe('LUT-bound lane groups, by hand', () => {
  // E2M3sUE4M4 1x128 (block 16, UE4M4 scales, a 32-bit layer scale) on sop-hif, 64 lanes, depth 8.
  // The E2M3 table (64 HIF8 entries + exponent = 65 B) [0,3) arrives 203; header (4 B) [3,4); the tile
  // (128 x 6 + 8 x 8 bits = 104 B) [4,8) arrives 208.
  const q = quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 128, seed: 3 }), 'E2M3sUE4M4');
  // codes that alternate between the two banks: 32 requests a bank, 1 port: 32 cycles a group
  const alternating = { ...q, codes: Uint8Array.from(q.codes, (_, i) => (i % 2 ? 33 : 40)) };
  it('1 replica x 1 port x 2 banks, codes spread over both banks: 32 cycles a group', () => {
    const r = runOne(cfg('sop-hif', { 'lut.replicas': 1, 'lut.ports': 1, 'lut.banks': 2 }), alternating);
    const ready = 203 + 64 / 2; // both banks write in parallel
    expect(r.stall_cycles.lut_reload).toBe(ready - 208);
    expect(r.stall_cycles.dram).toBe(208);
    expect(r.stall_cycles.lut_port).toBe(2 * 31);
    expect(r.cycles).toBe(ready + 2 * 32 + 8);
    expect(r.counters.lut_sram.reads).toBe(128);
    expect(r.counters.lut_sram.writes).toBe(64);
  });
  it('every lane asking one bank: 64 cycles a group; the same entry still takes a read per lane', () => {
    const oneBank = { ...q, codes: Uint8Array.from(q.codes, (_, i) => (i % 3 ? 20 : 22)) }; // both even
    for (const mode of ['fast', 'event'] as const) {
      const r = runOne(cfg('sop-hif', { 'lut.replicas': 1, 'lut.ports': 1, 'lut.banks': 2 }), oneBank, 1, mode);
      expect(r.stall_cycles.lut_port, mode).toBe(2 * 63);
      expect(r.counters.lut_sram.reads).toBe(128);
    }
  });
  it('a LUT too small for its replicas holds fewer copies: 2 copies x 2 ports x 4 banks serve 32 lanes each', () => {
    // 130 B holds 2 copies of a 65-B table; codes 0..63 in order put 8 of each copy's 32 lanes in each bank
    const spread = { ...q, codes: Uint8Array.from(q.codes, (_, i) => i % 64) };
    const r = runOne(cfg('sop-hif', { ...LUT_8X4X2, 'lut.capacity_bytes': 130 }), spread);
    expect(r.stall_cycles.lut_port).toBe(2 * (8 / 2 - 1));
    expect(r.counters.lut_sram.writes).toBe(128);
  });
  it('on real indices each group takes its slowest bank, counted independently here', () => {
    // Student-t weights, FP6 atoms on a LUT of 8 copies x 4 banks x 2 ports for 64 lanes
    const real = quantize(synthesize({ dist: 't4', rows: 16, cols: 512, seed: 9 }), 'E2M3sUE4M4');
    let expected = 0;
    for (let g = 0; g < real.codes.length / 64; g++) {
      let worst = 1;
      for (let copy = 0; copy < 8; copy++)
        for (let bank = 0; bank < 4; bank++) {
          let n = 0;
          for (let l = copy * 8; l < copy * 8 + 8; l++) if (real.codes[g * 64 + l] % 4 === bank) n++;
          worst = Math.max(worst, Math.ceil(n / 2));
        }
      expected += worst - 1;
    }
    expect(expected).toBeGreaterThan(0);
    for (const mode of ['fast', 'event'] as const) expect(runOne(cfg('sop-hif', LUT_8X4X2), real, 1, mode).stall_cycles.lut_port, mode).toBe(expected);
    // the bundled LUT gives every lane its own copy: no group ever waits
    expect(runOne(cfg('sop-hif'), real).stall_cycles.lut_port).toBe(0);
  });
});

describe('shift-add HIF LUT outputs (hif7sa, hif8sa)', () => {
  const t = synthesize({ dist: 't4', rows: 32, cols: 256, seed: 5 });
  it('a layer quantized for hif7sa runs on a hif7sa or hif8sa LUT, not on hif8 (whose entries cannot hold it)', () => {
    const q = quantize(t, 'sop4', { lut: parseLutFormat('hif7sa') });
    const a = runOne(cfg('sop-hif', { 'lut.output': 'hif7sa' }), q);
    const b = runOne(cfg('sop-hif', { 'lut.output': 'hif8sa' }), q);
    expect(a.cycles).toBe(b.cycles);
    expect(a.energy_pj.mac_array).toBeLessThan(b.energy_pj.mac_array); // a 2-bit shift against a 3-bit one, narrower block sums
    expect(() => runOne(cfg('sop-hif', { 'lut.output': 'hif8' }), q)).toThrow(/quantized for LUT format hif7sa; lut.output hif8 cannot hold DD4 exactly/);
    // the table is 16 seven-bit entries and an exponent byte: 15 bytes a copy
    expect(blocksOf(cfg('sop-hif', { 'lut.output': 'hif7sa' })).get<LutSram>('lut_sram').tableBytes({ id: 'x', entries: 16 })).toBe(15);
  });
  it('a hif8 layer is refused by a shift-add LUT; an FP6 layer (E2M3 sits on the grid) runs on it', () => {
    expect(() => runOne(cfg('sop-hif', { 'lut.output': 'hif7sa' }), quantize(t, 'sop4'))).toThrow(/cannot hold/);
    const fp6 = quantize(t, 'E2M3sUE4M4', { lut: parseLutFormat('hif7sa') });
    expect(runOne(cfg('sop-hif', { 'lut.output': 'hif7sa' }), fp6).counters.lut_sram.reads).toBeGreaterThan(0);
  });
});

describe('a fixed codebook the ROM lacks', () => {
  it('is loaded into the LUT, from a packed file as from the quantizer', () => {
    const q = quantize(synthesize({ dist: 't4', rows: 16, cols: 256, seed: 8 }), 'sop4', { pair: ['Split87', 'DD4'] });
    const back = decodeSopw(encodeSopw(q), 'l.sopw').layer;
    const c = variantCfg('sop-hif', (d) => (d.codebook_rom.codebooks = ['NF4']));
    for (const layer of [q, back]) {
      const r = runOne(c, layer);
      expect(r.counters.codebook_rom.lookups).toBe(0);
      expect(r.counters.lut_sram.reads).toBe(16 * 256);
      expect(r.counters.lut_sram.reloads).toBe(2); // Split87 and the layer's DD4
    }
  });
});
