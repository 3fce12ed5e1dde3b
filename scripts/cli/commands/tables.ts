// sopsim tables: a hw-config's energy and area reference tables (in the manner of Accelergy's ERT and
// ART): every action of every block with its energy and source, and every block's area where it has a model.

import type { Argv } from 'yargs';
import { Datapath } from '../../../sim/datapath/datapath.js';
import { fmt, run, table, toJson } from '../common.js';
import { loadHw } from '../hw.js';

export function register(y: Argv): Argv {
  return y.command(
    'tables [hw]',
    'Print the energy reference table (pJ per action) and area reference table (mm2 per block) of a hw-config, every entry with its source',
    (a) =>
      a
        .positional('hw', { type: 'string', default: 'sop-hif', describe: 'hw-config path or bundled name' })
        .option('set', { type: 'string', array: true, nargs: 1, describe: 'override a value of the hw-config first, e.g. --set lut.ports=4' })
        .option('json', { type: 'boolean', default: false, describe: 'print {energy: [...], area: [...], area_total_mm2, logic_fit}' })
        .example('sopsim tables sop-hif --set lut.replicas=2', 'what the LUT costs per read and in area with 2 replicas'),
    (argv) =>
      run(() => {
        const cfg = loadHw(argv.hw!, argv.set);
        const dp = new Datapath(cfg);
        const energy = dp.actions().map((a) => ({ component: a.component, action: a.action, pj: a.pjEach, counts: a.counter === 'cycles' ? 'cycles' : dp.counters.key(a.counter), source: a.source }));
        const { blocks: area, total } = dp.area();
        const fit = cfg.logic.fit;
        const anchors = fit.residuals.map((r) => ({ op: r.op, node_nm: r.node_nm, published_pj: r.pj, model_pj: r.model_pj, ratio: r.ratio, source: r.source }));
        if (argv.json) {
          process.stdout.write(toJson({ hw: cfg.hw.name, node_nm: cfg.hw.node_nm, energy, area, area_total_mm2: total, logic_fit: { pj_per_um2_at_45nm: fit.k, alpha: fit.alpha, anchors } }) + '\n');
          return;
        }
        const er = [['component', 'action', 'pJ each', 'counted by', 'source'], ...energy.map((e) => [e.component, e.action, fmt(e.pj, 4), e.counts, e.source])];
        const ar = [['component', 'impl', 'mm2', 'source'], ...area.map((a) => [a.component, a.impl, fmt(a.mm2, 4), a.source]), ['total', '', fmt(total, 4), 'sum of the blocks']];
        const fr = [['operator', 'node nm', 'published pJ', 'model pJ', 'model / published', 'source'], ...anchors.map((a) => [a.op, String(a.node_nm), fmt(a.published_pj, 4), fmt(a.model_pj, 4), fmt(a.ratio, 3), a.source])];
        const fitLine = `logic energy = ${fit.k.toExponential(3)} pJ per um2 (45 nm cell area) x (node / 45 nm)^${fit.alpha.toFixed(3)}, least squares on the logarithm over these anchors:`;
        process.stdout.write(`${cfg.hw.name} at ${cfg.hw.node_nm} nm\n\nEnergy reference table\n${table(er)}\n\nArea reference table\n${table(ar)}\n\n${fitLine}\n${table(fr)}\n`);
      }),
  );
}
