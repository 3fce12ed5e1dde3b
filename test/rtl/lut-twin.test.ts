// The LUT bank arbitration in RTL (rtl/lut_arbiter.sv, built with Verilator) against sopsim's timing model
// (sim/lut-sram/conflicts.ts): on every lane group of real and synthetic layers, for LUT geometries of one to
// 64 copies, 1 to 8 banks and 1 to 4 ports, the RTL takes exactly the cycles sopsim counts, and grants one
// read per lane that reads the LUT.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openWeights } from '../../quant/io/load.js';
import { synthesize } from '../../quant/io/synthetic.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { quantize } from '../../quant/schemes/index.js';
import { buildLayerWork, presentDecoders } from '../../sim/datapath/layer-work.js';
import { conflictsFor } from '../../sim/lut-sram/conflicts.js';
import { buildArbiter, haveVerilator, laneGroups, runArbiter } from '../../scripts/rtl/lut-twin.js';
import { STORIES } from '../helpers/data.js';
import { cfg, runOne } from '../helpers/sim.js';

const VERILATOR = haveVerilator();
if (!VERILATOR) console.warn('[skip] RTL twin: verilator not found (Debian: apt-get install verilator)');

const layers: Array<[string, QuantizedLayer]> = [
  ['sop4 NF4+DD4, Student-t 32x512', quantize(synthesize({ dist: 't4', rows: 32, cols: 512, seed: 11 }), 'sop4', { pair: ['NF4', 'DD4'] })],
  ['E2M3sUE4M4 (64-entry table), Gaussian 16x1000', quantize(synthesize({ dist: 'gaussian', rows: 16, cols: 1000, seed: 12 }), 'E2M3sUE4M4')],
];
if (existsSync(STORIES)) {
  const src = openWeights(STORIES);
  for (const n of ['model.layers.0.self_attn.q_proj.weight', 'model.layers.3.mlp.down_proj.weight']) layers.push([`stories260K ${n} sop4`, quantize(src.read(n), 'sop4')]);
  layers.push(['stories260K model.layers.1.mlp.up_proj.weight E2M3sUE4M4', quantize(src.read('model.layers.1.mlp.up_proj.weight'), 'E2M3sUE4M4')]);
}

// lanes, replicas, banks, ports (the capacity holds every replica of the largest table)
const GEOMETRIES: Array<[number, number, number, number]> = [
  [64, 8, 4, 2],
  [64, 64, 1, 1],
  [64, 16, 4, 1],
  [64, 3, 2, 1],
  [32, 4, 8, 2],
  [16, 1, 4, 4],
  [16, 2, 1, 3],
];

describe.skipIf(!VERILATOR)('RTL twin: LUT bank arbitration (Verilator) against the timing model', () => {
  for (const [lanes, replicas, banks, ports] of GEOMETRIES) {
    it(`${lanes} lanes, ${replicas} copies x ${banks} banks x ${ports} ports: every group's cycles equal`, () => {
      const c = cfg('sop-hif', { 'unpacker.lanes': lanes, 'lut.replicas': replicas, 'lut.banks': banks, 'lut.ports': ports, 'lut.capacity_bytes': 65536 });
      const route = presentDecoders(c).findIndex((b) => b.kind === 'lut_sram');
      const bin = buildArbiter();
      let compared = 0;
      for (const [label, q] of layers) {
        const work = buildLayerWork(q, c, 1);
        const groups = laneGroups(work, lanes, route);
        const model = conflictsFor(work, { lanes, copies: replicas, banks, ports, route });
        const rtl = runArbiter(bin, { lanes, copies: replicas, banks, ports }, groups);
        for (let g = 0; g < groups.length; g++) {
          if (rtl.cycles[g] !== model.cycles(g * lanes)) throw new Error(`${label}, group ${g}: RTL ${rtl.cycles[g]} cycles, sopsim ${model.cycles(g * lanes)}`);
          expect(rtl.grants[g]).toBe(groups[g].filter((x) => x >= 0).length);
        }
        compared += groups.length;
        // and the whole layer: the LUT stalls sopsim reports are the RTL's cycles beyond one a group
        if (lanes === 64 && replicas === 8) {
          const extra = rtl.cycles.reduce((s, x) => s + Math.max(0, x - 1), 0);
          expect(runOne(cfg('sop-hif', { 'lut.replicas': 8, 'lut.banks': 4, 'lut.ports': 2, 'lut.capacity_bytes': 65536 }), q).stall_cycles.lut_port, label).toBe(extra);
        }
      }
      expect(compared).toBeGreaterThan(100);
    }, 120_000);
  }
});
