// sopsim replay: every layer of a trace in order through one datapath (LUT residency carries across
// layers), with per-layer and total reports, and optionally the FP8 baseline beside it.

import type { Argv } from 'yargs';
import { MAX_TOKENS } from '../../../sim/trace/trace.js';
import { stringify } from 'csv-stringify/sync';
import { checkOutputPath, writeFileAtomic } from '../../../quant/packed/atomic.js';
import type { Mode } from '../../../sim/datapath/datapath.js';
import type { SimReport } from '../../../sim/datapath/report.js';
import { readTrace } from '../../../sim/trace/trace.js';
import { resolveSteps } from '../../../sim/trace/steps.js';
import { fmt, numberOption, run, table, toJson } from '../common.js';
import { printable } from '../../../quant/io/tensor.js';
import { loadHw } from '../hw.js';
import { lutOutputOf } from '../../../sim/config/load.js';
import { flatten, runSteps, summary } from '../sim-run.js';
import { baselineLayer, ratios } from './compare.js';

export function register(y: Argv): Argv {
  return y.command(
    'replay <trace>',
    'Replay a trace: every layer in order on one datapath (LUT tables stay resident or reload between layers), per layer and in total',
    (a) =>
      a
        .positional('trace', { type: 'string', demandOption: true, describe: 'a trace (.json), e.g. traces/llama-7b-decode.json' })
        .option('hw', { type: 'string', default: 'sop-hif', describe: 'hw-config path or bundled name' })
        .option('baseline', { type: 'string', describe: 'also replay on a baseline (e.g. fp8-e4m3) and report the ratios' })
        .option('mode', { type: 'string', choices: ['event', 'fast'], default: 'fast' })
        .option('tokens', numberOption('tokens', 'override the trace\'s tokens per layer', { min: 1, max: MAX_TOKENS }))
        .option('set', { type: 'string', array: true, describe: 'override a value of the hw-config, e.g. --set lut.capacity_bytes=1024' })
        .option('json', { type: 'boolean', default: false, describe: 'one object: total, per-layer reports (and baseline, ratio)' })
        .option('csv', { type: 'string', describe: 'write one row per layer plus a TOTAL row' })
        .example('sopsim replay traces/llama-7b-decode.json --baseline fp8-e4m3', 'a 32-layer decode step, SOP+HIF against FP8'),
    (argv) =>
      run(() => {
        if (argv.csv) checkOutputPath(argv.csv);
        const cfg = loadHw(argv.hw, argv.set);
        const base = argv.baseline ? loadHw(argv.baseline) : null;
        const tr = readTrace(argv.trace);
        const steps = resolveSteps(argv.trace, { tokens: argv.tokens, lut: lutOutputOf(cfg) });
        const mode = argv.mode as Mode;
        const t0 = performance.now();
        const sop = runSteps(cfg, steps, mode, undefined, tr.name);
        const fp8 = base ? runSteps(base, steps, mode, baselineLayer, tr.name) : null;
        const seconds = (performance.now() - t0) / 1000;
        // steps that quantize on demand know their scheme; asking them for the layer would quantize again
        const schemeOf = (i: number) => {
          if (steps[i].scheme) return steps[i].scheme!;
          const q = steps[i].layer();
          return q.residuals?.index.length ? `${q.scheme}+res` : q.scheme;
        };
        if (argv.csv) {
          const rows = sop.layers.map((l, i) => ({
            index: i,
            layer: l.name,
            scheme: schemeOf(i),
            hw: l.hw,
            ...flatten(l),
            ...(fp8 ? prefixed('baseline_', flatten(fp8.layers[i])) : {}),
          }));
          rows.push({ index: -1, layer: 'TOTAL', scheme: '', hw: sop.total.hw, ...flatten(sop.total), ...(fp8 ? prefixed('baseline_', flatten(fp8.total)) : {}) });
          writeFileAtomic(argv.csv, stringify(rows, { header: true }));
        }
        if (argv.json) {
          const out: Record<string, unknown> = { trace: tr.name, total: summary(sop.total), layers: sop.layers.map((l, i) => ({ ...summary(l), scheme: schemeOf(i) })) };
          if (fp8) {
            out.baseline = { total: summary(fp8.total), layers: fp8.layers.map(summary) };
            out.ratio = ratios(sop.total, fp8.total);
          }
          process.stdout.write(toJson(out) + '\n');
          return;
        }
        const head = ['#', 'layer', 'scheme', 'cycles', 'stalls', 'DRAM bytes', 'pJ/weight', 'LUT reloads'];
        if (fp8) head.push('energy / FP8');
        const rows = [head];
        const line = (i: string, l: SimReport, scheme: string, b?: SimReport) => {
          const r = [i, l.name, scheme, String(l.cycles), String(l.stall_cycles.total), String(l.dram_bytes), fmt(l.energy_pj_per_weight, 4), String(l.counters.lut_sram?.reloads ?? 0)];
          if (b) r.push(fmt(l.energy_pj.total / b.energy_pj.total, 4));
          rows.push(r);
        };
        sop.layers.forEach((l, i) => line(String(i), l, schemeOf(i), fp8?.layers[i]));
        line('', { ...sop.total, name: 'TOTAL' }, '', fp8?.total);
        process.stdout.write(`${printable(tr.name)}: ${steps.length} layer executions on ${cfg.hw.name}${fp8 ? ` and ${fp8.total.hw}` : ''} (${mode} mode, ${seconds.toFixed(2)} s)\n\n${table(rows)}\n`);
        if (argv.csv) process.stdout.write(`\nCSV written to ${argv.csv}\n`);
      }),
  );
}

function prefixed(p: string, o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [p + k, v]));
}
