// Helpers for simulator tests: bundled configs with overrides, and layers ready to run.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Datapath } from '../../sim/datapath/datapath.js';
import { runLayers } from '../../sim/datapath/report.js';
import type { Block } from '../../sim/core/block.js';
import type { Counters } from '../../sim/kernel/counters.js';
import { loadHwConfig, sectionOf, type LoadedConfig } from '../../sim/config/load.js';
import { buildLayerWork, type LayerWork } from '../../sim/datapath/layer-work.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { REPO } from './data.js';
import { expect } from 'vitest';
import type { SimReport } from '../../sim/datapath/report.js';

export const HW = (name: string) => join(REPO, 'hw-configs', `${name}.json`);

export function cfg(name: string, sets: Record<string, number | boolean | string> = {}): LoadedConfig {
  return loadHwConfig(HW(name), Object.entries(sets));
}

/** A LUT of 8 copies x 4 banks x 2 ports in 4 KB: the geometry the hand-worked timing tests are written for. */
export const LUT_8X4X2 = { 'lut.replicas': 8, 'lut.banks': 4, 'lut.ports': 2, 'lut.capacity_bytes': 4096 } as const;

/** The config's lane count and DRAM bytes per cycle (the two bounds every report must respect). */
export function lanesAndRate(c: LoadedConfig): [number, number] {
  return [sectionOf<{ lanes: number }>(c, 'unpacker')!.lanes, sectionOf<{ gb_per_s: { value: number } }>(c, 'weight_fetch')!.gb_per_s.value / c.hw.clock_ghz.value];
}

export function work(q: QuantizedLayer, c: LoadedConfig, tokens = 1, name = q.name): LayerWork {
  return buildLayerWork(q, c, tokens, name);
}

/** The simulator's conservation laws on one layer's report (expect() inside). */
export function conservation(r: SimReport, q: QuantizedLayer, tokens: number, lanes: number, rate: number): void {
  const n = q.geom.rows * q.geom.cols;
  const c = r.counters;
  // every weight decoded exactly once, by exactly one of ROM, LUT, a direct decode or a pair decoder
  expect(r.weights_decoded).toBe(n);
  expect((c.lut_sram?.reads ?? 0) + (c.codebook_rom?.lookups ?? 0) + (c.fp8_decode?.decodes ?? 0) + (c.pair_decode?.decodes ?? 0)).toBe(n);
  expect(c.mac_array.macs).toBe(n * tokens);
  // LUT reads equal the weights routed to the LUT (one read serves one lane)
  let routed = 0;
  const { cols, block, blocksPerRow } = q.geom;
  const lutBook = q.books.map((b) => b.inLut || b.grid.kind === 'format');
  for (let b = 0; b < q.geom.blocks; b++) {
    const len = Math.min(block, cols - (b % blocksPerRow) * block);
    const k = q.sel ? q.sel[b] : 0;
    if (lutBook[k] && (q.books[k].codeBits ?? q.elementBits) <= 6) routed += len;
  }
  // (a datapath without a LUT decodes every number format directly)
  expect(c.lut_sram?.reads ?? 0).toBe(c.lut_sram ? routed : 0);
  // energy is the sum of its parts, and of its lines
  const parts = Object.entries(r.energy_pj).filter(([k]) => k !== 'total').reduce((s, [, v]) => s + v, 0);
  expect(parts).toBeCloseTo(r.energy_pj.total, 6);
  const lines = r.energy_detail.reduce((s, l) => s + l.pj, 0);
  expect(lines).toBeCloseTo(r.energy_pj.total, 6);
  for (const l of r.energy_detail) expect(l.pj).toBeCloseTo(l.count * l.pjEach, 9);
  // area is the sum of the blocks'; no block is used beyond its peak rate
  const blocks = Object.entries(r.area_mm2).filter(([k]) => k !== 'total').reduce((s, [, v]) => s + v, 0);
  expect(blocks).toBeCloseTo(r.area_mm2.total, 12);
  expect(r.area_mm2.total).toBeGreaterThan(0);
  for (const [b, u] of Object.entries(r.utilisation)) {
    expect(u, b).toBeGreaterThanOrEqual(0);
    expect(u, b).toBeLessThanOrEqual(1 + 1e-12);
  }
  expect(r.utilisation.weight_fetch * r.cycles).toBeCloseTo(c.weight_fetch.busy_cycles, 6);
  // every cycle is busy or a stall with a cause; never below the bandwidth or lane bound
  expect(r.busy_cycles + r.stall_cycles.total).toBe(r.cycles);
  // stalls are waiting or throughput-limited, never both; the MACs bound the cycles too
  expect(r.waiting_cycles + r.throughput_cycles).toBe(r.stall_cycles.total);
  expect(r.waiting_cycles).toBe(r.stall_cycles.dram + r.stall_cycles.lut_reload + r.stall_cycles.fill);
  expect(r.bounds.mac_cycles).toBe(Math.ceil(r.utilisation.mac_array * r.cycles - 1e-6));
  expect(r.cycles).toBeGreaterThanOrEqual(r.bounds.mac_cycles);
  expect(r.cycles).toBeGreaterThanOrEqual(Math.ceil(r.dram_bytes / rate));
  expect(r.cycles).toBeGreaterThanOrEqual(Math.ceil(n / lanes));
  expect(r.bounds.dram_cycles).toBe(Math.ceil(r.dram_bytes / rate));
}

/** Copy the bundled technology table and the SRAM table it names into `dir` (for configs written there). */
export function copyTechnology(dir: string): void {
  for (const f of ['technology.json', 'sram-cacti.json']) copyFileSync(join(REPO, 'hw-configs', f), join(dir, f));
}

/** A bundled config with its JSON edited (a block removed, a list changed), written to a temporary file. */
export function variantCfg(name: string, edit: (doc: Record<string, any>) => void): LoadedConfig {
  const doc = JSON.parse(readFileSync(HW(name), 'utf8'));
  edit(doc);
  const dir = mkdtempSync(join(tmpdir(), 'sopsim-hw-'));
  copyTechnology(dir);
  const p = join(dir, `${name}-variant.json`);
  writeFileSync(p, JSON.stringify(doc));
  return loadHwConfig(p);
}

/** The blocks of a config's datapath, built and idle, for block-level tests. */
export function blocksOf(c: LoadedConfig): { dp: Datapath; counters: Counters; get<B extends Block>(kind: string): B } {
  const dp = new Datapath(c);
  return { dp, counters: dp.counters, get: <B extends Block>(kind: string) => dp.block<B>(kind) };
}

/** One layer alone on a config: its report. */
export function runOne(c: LoadedConfig, q: QuantizedLayer, tokens = 1, mode: 'fast' | 'event' = 'fast'): SimReport {
  return runLayers(c, [work(q, c, tokens)], { mode }).total;
}
