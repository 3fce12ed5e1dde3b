// sopsim compare: the same layers on the SOP datapath and on the FP8 E4M3 baseline (quantized with
// e4m3-pot from the same source weights), side by side with the ratios.

import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { MAX_TOKENS } from '../../../sim/trace/trace.js';
import { decodeLayer, type QuantizedLayer } from '../../../quant/layer.js';
import { quantize } from '../../../quant/schemes/index.js';
import type { SimReport } from '../../../sim/datapath/report.js';
import { resolveSteps, type Step } from '../../../sim/trace/steps.js';
import type { Mode } from '../../../sim/datapath/datapath.js';
import { numberOption, plain, run, table, toJson } from '../common.js';
import { BASELINE_SETS_OPTION, loadBaseline, loadHw } from '../hw.js';
import { stringify } from 'csv-stringify/sync';
import { checkOutputPath, writeFileAtomic } from '../../../quant/packed/atomic.js';
import { lutOutputOf } from '../../../sim/config/load.js';
import { flatten, layerCsvRow, runSteps, stepScheme, summary } from '../sim-run.js';

/** Ratio sop / baseline of every number both sides have (NaN-free: a zero baseline gives null). */
export function ratios(a: SimReport, b: SimReport): Record<string, unknown> {
  const r = (x: number, y: number) => (y ? x / y : null); // a ratio over zero is undefined (null), never 1
  const per = (x: Record<string, number>, y: Record<string, number>) => Object.fromEntries(Object.keys({ ...x, ...y }).map((k) => [k, r(x[k] ?? 0, y[k] ?? 0)]));
  const sram: Record<string, unknown> = {};
  for (const m of new Set([...Object.keys(a.sram), ...Object.keys(b.sram)]))
    sram[m] = per((a.sram[m] ?? {}) as unknown as Record<string, number>, (b.sram[m] ?? {}) as unknown as Record<string, number>);
  return {
    weights_decoded: r(a.weights_decoded, b.weights_decoded),
    cycles: r(a.cycles, b.cycles),
    stall_cycles: per(a.stall_cycles, b.stall_cycles),
    dram_bytes: r(a.dram_bytes, b.dram_bytes),
    sram,
    energy_pj: per(a.energy_pj, b.energy_pj),
    energy_pj_per_weight: r(a.energy_pj_per_weight, b.energy_pj_per_weight),
  };
}

const baselines = new WeakMap<object, QuantizedLayer>();
const byStep = new WeakMap<Step, QuantizedLayer>();

/** The FP8 side of a step: e4m3-pot from the same source weights (once per source, and once per step: a repeated step is not read again). */
export function baselineLayer(s: Step): QuantizedLayer {
  let q = byStep.get(s);
  if (!q) byStep.set(s, (q = baselineOf(s)));
  return q;
}

function baselineOf(s: Step): QuantizedLayer {
  const src = s.source();
  if (src) {
    let q = baselines.get(src);
    if (!q) baselines.set(src, (q = quantize(src, 'e4m3-pot')));
    return q;
  }
  // no source weights on hand: quantize the SOP side's decoded weights instead (said on stderr)
  const q = s.layer();
  process.stderr.write(`note: source weights of '${s.name}' not found; the FP8 side quantizes its decoded weights\n`);
  return quantize({ name: q.name, rows: q.geom.rows, cols: q.geom.cols, data: Float32Array.from(decodeLayer(q)) }, 'e4m3-pot');
}

export function register(y: Argv): Argv {
  return y.command(
    'compare <input>',
    'Run the same layers on the SOP datapath and on the FP8 E4M3 baseline; print both and the ratios',
    (a) =>
      a
        .positional('input', { type: 'string', demandOption: true, describe: 'a .sopw file, a trace (.json), or weights quantized with --scheme' })
        .option('hw', { type: 'string', default: 'sop-hif', describe: 'the SOP hw-config (path or bundled name)' })
        .option('baseline', { type: 'string', default: 'fp8-e4m3', describe: 'the baseline hw-config (path or bundled name)' })
        .option('mode', { type: 'string', choices: ['event', 'fast'], default: 'fast' })
        .option('tokens', numberOption('tokens', 'activation vectors per layer (default 1)', { min: 1, max: MAX_TOKENS }))
        .option('tensor', { alias: 't', type: 'string', describe: 'with weights: the tensor' })
        .option('scheme', { alias: 's', type: 'string', describe: 'with weights: the SOP-side scheme (default sop4)' })
        .option('set', { type: 'string', array: true, nargs: 1, describe: 'override a value of the hw-config, e.g. --set lut.capacity_bytes=8192 (the baseline takes it too where it has that block)' })
        .option('baseline-sets', BASELINE_SETS_OPTION)
        .option('json', { type: 'boolean', default: false, describe: 'one object: input, sop (the datapath under test), baseline, ratio (null where the baseline is 0)' })
        .option('csv', { type: 'string', describe: 'write the total as one CSV row (the columns of replay --csv: figures, baseline_ figures, ratios)' })
        .example('sopsim compare synthetic:t4:4096x4096 -s E2M3sUE4M4', 'FP6 atoms on SOP+HIF against FP8 E4M3'),
    (argv) =>
      run(() => {
        if (argv.csv) checkOutputPath(argv.csv);
        const cfg = loadHw(argv.hw, argv.set);
        const base = loadBaseline(argv.baseline, argv.set ?? [], argv['baseline-sets']);
        const steps = resolveSteps(argv.input, { tensor: argv.tensor, scheme: argv.scheme, tokens: argv.tokens, lut: lutOutputOf(cfg) });
        const mode = argv.mode as Mode;
        const label = steps.length === 1 ? steps[0].name : basename(argv.input);
        const sop = runSteps(cfg, steps, mode, undefined, label).total;
        const fp8 = runSteps(base, steps, mode, baselineLayer, label).total;
        const ratio = ratios(sop, fp8);
        if (argv.csv) writeFileAtomic(argv.csv, stringify([layerCsvRow('total', '', steps.length === 1 ? stepScheme(steps[0]) : '', sop, { name: base.hw.name, report: fp8 })], { header: true }));
        if (argv.json) {
          process.stdout.write(toJson({ input: argv.input, sop: summary(sop), baseline: summary(fp8), ratio }) + '\n'); // sop: the datapath under test (its hw name is inside)
          return;
        }
        const fa = flatten(sop);
        const fb = flatten(fp8);
        const rows = [['figure', cfg.hw.name, base.hw.name, 'ratio']];
        for (const k of Object.keys({ ...fa, ...fb })) {
          const x = fa[k] ?? 0;
          const y = fb[k] ?? 0;
          if (x === 0 && y === 0) continue;
          rows.push([k, plain(x), plain(y), y ? plain(x / y, 4) : '-']);
        }
        process.stdout.write(`${steps.length} layer${steps.length > 1 ? 's' : ''}, ${sop.tokens} token(s), ${mode} mode\n\n${table(rows)}\n`);
      }),
  );
}
