// sopsim rtl: run layers through the RTL twin (rtl/sop_datapath.sv, Verilator) beside sopsim's event mode
// and say whether cycles, counters, decoded weights and outputs agree.

import type { Argv } from 'yargs';
import { MAX_TOKENS } from '../../../sim/trace/trace.js';
import { resolveSteps } from '../../../sim/trace/steps.js';
import { lutOutputOf } from '../../../sim/config/load.js';
import { buildLayerWork } from '../../../sim/datapath/layer-work.js';
import { compareTwin } from '../../rtl/datapath-twin.js';
import { haveVerilator, INSTALL_VERILATOR } from '../../rtl/verilator.js';
import { numberOption, run, table, toJson, UsageError } from '../common.js';
import { printable } from '../../../quant/io/tensor.js';
import { loadHw } from '../hw.js';

export function register(y: Argv): Argv {
  return y.command(
    'rtl <input>',
    'Run layers through the RTL twin of the datapath (Verilator) and sopsim side by side: cycles, counters, values',
    (a) =>
      a
        .positional('input', { type: 'string', demandOption: true, describe: 'a .sopw file, a trace (.json), or weights (.safetensors/.npy/synthetic:...) quantized with --scheme' })
        .option('hw', { type: 'string', default: 'sop-hif', describe: 'hw-config path or bundled name (sop-hif, sop-bf16lut, fp8-e4m3)' })
        .option('tokens', numberOption('tokens', 'activation vectors per layer (default 1, or the trace\'s)', { min: 1, max: MAX_TOKENS }))
        .option('tensor', { alias: 't', type: 'string', describe: 'with weights: the tensor (default: every 2-D tensor, run in order)' })
        .option('scheme', { alias: 's', type: 'string', describe: 'with weights: the scheme to quantize with (default sop4)' })
        .option('set', { type: 'string', array: true, nargs: 1, describe: 'override a config value, e.g. --set lut.banks=4' })
        .option('seed', { type: 'string', default: 'sopsim-rtl', describe: 'seed of the first token\'s BF16 activations (the outputs both compute)' })
        .option('json', { type: 'boolean', default: false, describe: 'print {"rtl", "sim", "cycles_equal", "values_equal", ...} as one JSON object' })
        .example('sopsim rtl test/fixtures/stories260K-l0-q_proj-sop4.sopw --hw sop-hif', 'a real layer, RTL against sopsim')
        .example('sopsim rtl synthetic:t4:64x512 -s E2M3sUE4M4 --set lut.banks=4 --tokens 8 --json', 'FP6 atoms on a banked LUT')
        .epilogue(
          'The twin is built once with Verilator (cached under node_modules/.cache/sopsim-rtl; a first build takes about a minute). ' +
            'It holds up to 2^21 weights, 64 lanes and 32 layers a run. Exit 0 when everything agrees, 1 when the twin and sopsim disagree.',
        ),
    (argv) =>
      run(() => {
        if (!haveVerilator()) throw new UsageError(`sopsim rtl: ${INSTALL_VERILATOR}`);
        const cfg = loadHw(argv.hw, argv.set);
        const steps = resolveSteps(argv.input, { tensor: argv.tensor, scheme: argv.scheme, tokens: argv.tokens, lut: lutOutputOf(cfg) });
        const works = steps.map((s) => buildLayerWork(s.layer(), cfg, s.tokens, s.name, s.rows, `${s.name}#${s.id}`));
        const r = compareTwin(cfg, works, argv.seed);
        const agree = r.cycles_equal && r.values_equal && Object.keys(r.counters_differing).length === 0;
        if (argv.json) process.stdout.write(toJson(r) + '\n');
        else {
          const rows = [['figure', 'RTL', 'sopsim', '']];
          rows.push(['cycles', String(r.rtl.cycles), String(r.sim.cycles), r.cycles_equal ? 'equal' : 'DIFFER']);
          for (const [k, v] of Object.entries(r.sim.counters)) {
            if (k === 'datapath.cycles') continue;
            rows.push([k, String(r.rtl.counters[k]), String(v), k in r.counters_differing ? 'DIFFER' : '']);
          }
          const what = `${works.length} layer${works.length > 1 ? 's' : ''}, ${works.reduce((s, w) => s + w.n, 0)} weights`;
          process.stdout.write(`${printable(argv.input)} on ${cfg.hw.name} (${what}): the RTL twin (Verilator) beside sopsim event mode\n\n${table(rows)}\n\n`);
          const v = r.first_value_difference;
          process.stdout.write(
            r.values_equal
              ? `decoded weights and first-token outputs: ${r.values_compared} values, all bit-identical\n`
              : `decoded weights and outputs DIFFER: first at ${v?.what} ${v?.index}: RTL ${v?.rtl}, sopsim ${v?.sim}\n`,
          );
          process.stdout.write(agree ? `the twin and sopsim agree on every cycle, ${r.counters_compared} counters and every value\n` : 'the twin and sopsim DISAGREE\n');
        }
        if (!agree) process.exitCode = 1;
      }),
  );
}
