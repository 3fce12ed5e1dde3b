// sopsim against its RTL twin in weights per second, on the same layer and hw-config: the Verilator build
// of the whole datapath (rtl/sop_datapath.sv; its loader program written beforehand, the build cached),
// and sopsim's event and fast modes. Each figure is the best of --reps runs; ratios are to the RTL run.
//   npm run build && node dist/scripts/bench/rtl.js [--rows 512] [--cols 1024] [--reps 3] [--scheme E2M3sUE4M4]

import { parseLutFormat } from '../../quant/codebooks/lut-format.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { loadHwConfig, lutOutputOf } from '../../sim/config/load.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers } from '../../sim/datapath/report.js';
import { buildDatapathTwin, runTwin, twinActivations, twinProgram } from '../rtl/datapath-twin.js';
import { haveVerilator, INSTALL_VERILATOR } from '../rtl/verilator.js';
import { arg, bestOf } from './reference.js';
import { hwPath } from '../cli/hw.js';

const rows = Number(arg('rows', '512'));
const cols = Number(arg('cols', '1024'));
const reps = Number(arg('reps', '3'));
const scheme = arg('scheme', 'E2M3sUE4M4');
if (!haveVerilator()) {
  process.stderr.write(`bench rtl: ${INSTALL_VERILATOR}\n`);
  process.exit(2);
}
const sets: Array<[string, number]> = [['lut.replicas', 8], ['lut.banks', 4], ['lut.ports', 2], ['lut.capacity_bytes', 4096]];
const cfg = loadHwConfig(hwPath('sop-hif'), sets);
const q = quantize(synthesize({ dist: 't4', rows, cols, seed: 1 }), scheme, { lut: parseLutFormat(lutOutputOf(cfg)!) });
const work = () => [buildLayerWork(q, cfg, 1)];
const n = rows * cols;
const bin = buildDatapathTwin();
const program = twinProgram(cfg, work(), [twinActivations(cols, 'bench')]);

const best = (fn: () => void) => bestOf(reps, fn);
const rtl = best(() => runTwin(bin, program));
const ev = best(() => runLayers(cfg, work(), { mode: 'event' }));
const fast = best(() => runLayers(cfg, work(), { mode: 'fast' }));
const row = (name: string, s: number) => `${name.padEnd(48)} ${s.toFixed(3).padStart(8)} s ${(n / s / 1e6).toFixed(2).padStart(9)} M weights/s ${(rtl / s).toFixed(1).padStart(8)} x the RTL`;
process.stdout.write(
  [
    `${scheme} ${rows}x${cols} on sop-hif with a LUT of 8 copies x 4 banks x 2 ports, best of ${reps}`,
    row('RTL twin, whole datapath (Verilator)', rtl),
    row('sopsim event mode (every group, every value)', ev),
    row('sopsim fast mode', fast),
  ].join('\n') + '\n',
);
