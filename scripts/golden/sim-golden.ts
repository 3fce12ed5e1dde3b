// The simulator's golden record: every counter and energy line of the bundled traces and of the test
// configurations, so a refactor of the datapath can show it changed nothing (test/golden/sim.test.ts).
// Regenerate only for a deliberate model change, in its own commit:
//   npm run build && node dist/scripts/golden/print-sim-golden.js > test/golden/sim.json

import { join } from 'node:path';
import { synthesize } from '../../quant/io/synthetic.js';
import { bf16Bits } from '../../quant/formats/bits.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { quantize } from '../../quant/schemes/index.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers, type SimReport } from '../../sim/datapath/report.js';
import { resolveSteps } from '../../sim/trace/steps.js';
import { loadHw, BUNDLED_HW } from '../cli/hw.js';
import { runSteps } from '../cli/sim-run.js';
import { baselineLayer } from '../cli/commands/compare.js';

type Sets = Record<string, number | boolean | string>;

/** A report reduced to what must not change: cycles, stalls, counters, energy lines (keyed). */
function record(r: SimReport, detail: boolean): Record<string, unknown> {
  const energy: Record<string, [number, number]> = {};
  for (const l of r.energy_detail) energy[`${l.component}.${l.action}`] = [l.count, l.pjEach];
  const base = { cycles: r.cycles, start: r.start_cycle, end: r.end_cycle, energy_total_pj: r.energy_pj.total };
  return detail ? { ...base, busy: r.busy_cycles, stalls: r.stall_cycles, counters: r.counters, energy } : base;
}

/** Add k sparse residual corrections at seeded positions (the sparse-add path's input; also the tests'). */
export function withResiduals(q: QuantizedLayer, k: number): QuantizedLayer {
  const n = q.geom.rows * q.geom.cols;
  const index = Uint32Array.from({ length: k }, (_, i) => (i * 7919 + 13) % n);
  const bf16 = Uint16Array.from(index, (i) => bf16Bits(((i % 5) - 2) * 0.001));
  return { ...q, residuals: { index, bf16 } };
}

const sets = (s: Sets) => Object.entries(s).map(([k, v]) => `${k}=${v}`);

/** Every golden case, keyed by a readable name. */
export function simGolden(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // the bundled traces, on both SOP datapaths and the FP8 baseline, in both modes where affordable
  for (const trace of ['tiny-2layer', 'llama-7b-decode']) {
    const path = join(BUNDLED_HW, '..', 'traces', `${trace}.json`);
    const steps = resolveSteps(path, {});
    for (const hw of ['sop-hif', 'sop-bf16lut', 'fp8-e4m3']) {
      const cfg = loadHw(hw);
      for (const mode of trace === 'tiny-2layer' ? (['fast', 'event'] as const) : (['fast'] as const)) {
        const r = runSteps(cfg, steps, mode, hw === 'fp8-e4m3' ? baselineLayer : undefined, trace);
        out[`trace ${trace} ${hw} ${mode}`] = { total: record(r.total, true), layers: r.layers.map((l) => record(l, trace === 'tiny-2layer')) };
      }
    }
  }

  // the test configurations (test/sim/datapath.test.ts)
  const t = synthesize({ dist: 't4', rows: 48, cols: 200, seed: 4 });
  const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });
  const fp6 = quantize(t, 'E2M3sUE4M4');
  const fp8 = quantize(t, 'e4m3-pot');
  const configs: Array<[string, Sets]> = [
    ['sop-hif', {}],
    ['sop-hif', { 'unpacker.lanes': 16, 'weight_buffer.tile_bytes': 96, 'weight_buffer.slots': 2 }],
    ['sop-hif', { 'lut.replicas': 1, 'lut.ports': 1, 'lut.banks': 2, 'mac_array.macs_per_cycle': 32 }],
    ['sop-hif', { 'scale_multiplier.impl': 'per-element', 'scale_multiplier.units': 8, 'weight_fetch.latency_ns': 7 }],
    ['sop-hif', { 'lut.capacity_bytes': 600, 'lut.prefetch': false, 'weight_fetch.gb_per_s': 3 }],
    ['sop-hif', { 'lut.replicas': 1, 'lut.banks': 1 }],
    ['sop-hif', { 'sparse_add.lanes': 1 }],
    ['sop-bf16lut', { 'weight_buffer.slots': 1 }],
    ['sop-bf16lut', {}],
    ['fp8-e4m3', {}],
    ['fp8-e4m3', { 'mac_array.macs_per_cycle': 32, 'unpacker.lanes': 16 }],
  ];
  for (const [hw, s] of configs) {
    const c = loadHw(hw, sets(s));
    const qs =
      hw === 'sop-bf16lut' ? [quantize(t, 'sop4', { lut: { kind: 'bf16' } }), fp6, fp8] : hw === 'fp8-e4m3' ? [fp8, quantize(t, 'nvfp4'), fp8] : [sop, fp6, withResiduals(sop, 120), fp8, withResiduals(sop, 300)];
    for (const mode of ['fast', 'event'] as const) {
      const works = qs.map((q, i) => buildLayerWork(q, c, 1 + (i % 3), `L${i}`));
      const r = runLayers(c, works, { mode });
      out[`config ${hw} ${JSON.stringify(s)} ${mode}`] = { total: record(r.total, true), layers: r.layers.map((l) => record(l, true)) };
    }
  }
  return out;
}
