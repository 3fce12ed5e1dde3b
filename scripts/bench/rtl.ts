// sopsim against its RTL twin in weights per second, on one layer: the LUT arbitration of every lane group
// in the Verilator build of rtl/lut_arbiter.sv (loading each group lane by lane, then arbitrating), and
// sopsim's event and fast modes over the same layer on a LUT of the same geometry.
//   npm run build && node dist/scripts/bench/rtl.js [--rows 512] [--cols 1024] [--reps 3]

import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { loadHwConfig } from '../../sim/config/load.js';
import { buildLayerWork, presentDecoders } from '../../sim/datapath/layer-work.js';
import { runLayers } from '../../sim/datapath/report.js';
import { buildArbiter, haveVerilator, laneGroups, runArbiter } from '../rtl/lut-twin.js';
import { arg, bestOf } from './reference.js';
import { hwPath } from '../cli/hw.js';

const rows = Number(arg('rows', '512'));
const cols = Number(arg('cols', '1024'));
const reps = Number(arg('reps', '3'));
if (!haveVerilator()) {
  process.stderr.write('bench rtl: needs verilator (Debian: apt-get install verilator)\n');
  process.exit(2);
}
const geometry = { lanes: 64, copies: 8, banks: 4, ports: 2, codeBits: 8 };
const cfg = loadHwConfig(hwPath('sop-hif'), [['lut.replicas', 8], ['lut.banks', 4], ['lut.ports', 2], ['lut.capacity_bytes', 4096]]);
const q = quantize(synthesize({ dist: 't4', rows, cols, seed: 1 }), 'E2M3sUE4M4');
const work = buildLayerWork(q, cfg, 1);
const n = rows * cols;
const bin = buildArbiter(geometry);
const groups = laneGroups(work, 64, presentDecoders(cfg).findIndex((b) => b.kind === 'lut_sram'));

const best = (fn: () => void) => bestOf(reps, fn);
const rtl = best(() => runArbiter(bin, groups));
const ev = best(() => runLayers(cfg, [buildLayerWork(q, cfg, 1)], { mode: 'event' }));
const fast = best(() => runLayers(cfg, [buildLayerWork(q, cfg, 1)], { mode: 'fast' }));
const row = (name: string, s: number) => `${name.padEnd(44)} ${s.toFixed(3).padStart(8)} s ${(n / s / 1e6).toFixed(1).padStart(10)} M weights/s ${(rtl / s).toFixed(1).padStart(8)} x the RTL`;
process.stdout.write(
  [
    `E2M3sUE4M4 ${rows}x${cols}, LUT of 8 copies x 4 banks x 2 ports for 64 lanes, best of ${reps}`,
    row('RTL twin: LUT arbitration (Verilator)', rtl),
    row('sopsim event mode (whole datapath)', ev),
    row('sopsim fast mode (whole datapath)', fast),
  ].join('\n') + '\n',
);
