// sopsim replay: every layer of a trace in order through one datapath (LUT residency carries across
// layers), with per-layer and total reports, and optionally the FP8 baseline beside it.

import type { Argv } from 'yargs';
import { MAX_TOKENS } from '../../../sim/trace/trace.js';
import { stringify } from 'csv-stringify/sync';
import { AtomicStream, checkOutputPath } from '../../../quant/packed/atomic.js';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Mode } from '../../../sim/datapath/datapath.js';
import { layerReports, type SimReport } from '../../../sim/datapath/report.js';
import { readTrace } from '../../../sim/trace/trace.js';
import { resolveSteps, type Step } from '../../../sim/trace/steps.js';
import { fmt, numberOption, run, table, toJson } from '../common.js';
import { printable } from '../../../quant/io/tensor.js';
import { BASELINE_SETS_OPTION, loadBaseline, loadHw } from '../hw.js';
import { lutOutputOf, type LoadedConfig } from '../../../sim/config/load.js';
import { layerCsvRow, stepLayers, stepScheme, summary } from '../sim-run.js';
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
        .option('set', { type: 'string', array: true, nargs: 1, describe: 'override a value of the hw-config, e.g. --set lut.capacity_bytes=1024 (the baseline takes it too where it has that block)' })
        .option('baseline-sets', BASELINE_SETS_OPTION)
        .option('json', { type: 'boolean', default: false, describe: 'one object: total, per-layer reports (and baseline, ratio)' })
        .option('csv', { type: 'string', describe: 'write one row per layer (row=layer) and the total (row=total), with the baseline\'s figures and the ratios' })
        .example('sopsim replay traces/llama-7b-decode.json --baseline fp8-e4m3', 'a 32-layer decode step, SOP+HIF against FP8'),
    (argv) =>
      run(() => {
        if (argv.csv) checkOutputPath(argv.csv);
        const cfg = loadHw(argv.hw, argv.set);
        const base = argv.baseline ? loadBaseline(argv.baseline, argv.set ?? [], argv['baseline-sets']) : null;
        const tr = readTrace(argv.trace);
        const steps = resolveSteps(argv.trace, { tokens: argv.tokens, lut: lutOutputOf(cfg) });
        replay(argv, tr.name, cfg, base, steps);
      }),
  );
}

/** Rows of the readable table: a long trace shows its first layers, then the total (every layer is in --csv / --json). */
const TABLE_ROWS = 100;

/**
 * Replay the steps on the datapath (and the baseline beside it, layer by layer), streaming each layer's figures
 * to the CSV and JSON as it is made: memory does not grow with the number of steps.
 */
function replay(argv: { csv?: string; json: boolean; mode: string; trace: string }, name: string, cfg: LoadedConfig, base: LoadedConfig | null, steps: Step[]): void {
  const mode = argv.mode as Mode;
  const t0 = performance.now();
  const sopRun = layerReports(cfg, stepLayers(cfg, steps), { mode }, name);
  const fp8Run = base ? layerReports(base, stepLayers(base, steps, baselineLayer), { mode }, name) : null;
  const csv = argv.csv ? new AtomicStream(argv.csv) : null;
  const json = argv.json ? new JsonReplay(name, !!fp8Run) : null;
  const head = ['#', 'layer', 'scheme', 'cycles', 'stalls', 'DRAM bytes', 'pJ/weight', 'LUT reloads'];
  if (fp8Run) head.push('energy / FP8');
  const rows = [head];
  const line = (i: string, l: SimReport, scheme: string, b?: SimReport) => {
    const r = [i, l.name, scheme, String(l.cycles), String(l.stall_cycles.total), String(l.dram_bytes), fmt(l.energy_pj_per_weight, 4), String(l.counters.lut_sram?.reloads ?? 0)];
    if (b) r.push(fmt(l.energy_pj.total / b.energy_pj.total, 4));
    rows.push(r);
  };
  const csvRow = (kind: 'layer' | 'total', index: number | '', scheme: string, l: SimReport, b?: SimReport) => layerCsvRow(kind, index, scheme, l, b && base ? { name: base.hw.name, report: b } : undefined);
  try {
    for (let i = 0; ; i++) {
      const a = sopRun.next();
      const b = fp8Run?.next();
      if (a.done) {
        const total = a.value;
        const bt = b?.value as SimReport | undefined;
        if (csv) csv.write(stringify([csvRow('total', '', '', total, bt)], { header: i === 0 }));
        if (i > TABLE_ROWS) rows.push(['', `... ${i - TABLE_ROWS} more layer executions (every one in --csv and --json)`]);
        line('', { ...total, name: 'TOTAL' }, '', bt);
        json?.end(total, bt);
        break;
      }
      const l = a.value;
      const bl = b?.value as SimReport | undefined;
      const scheme = stepScheme(steps[i]);
      if (csv) csv.write(stringify([csvRow('layer', i, scheme, l, bl)], { header: i === 0 }));
      json?.layer(l, scheme, bl);
      if (i < TABLE_ROWS) line(String(i), l, scheme, bl);
    }
  } catch (e) {
    csv?.abort();
    json?.abort();
    throw e;
  }
  csv?.commit();
  if (argv.json) return;
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${printable(name)}: ${steps.length} layer executions on ${cfg.hw.name}${base ? ` and ${base.hw.name}` : ''} (${mode} mode, ${seconds.toFixed(2)} s)\n\n${table(rows)}\n`);
  if (argv.csv) process.stdout.write(`\nCSV written to ${argv.csv}\n`);
}

/**
 * The replay's JSON, written as it is made: {"trace", "layers": [...], "total", "baseline": {"layers", "total"},
 * "ratio"}. The baseline's layers wait in a temporary file until the datapath's array is closed.
 */
class JsonReplay {
  private first = true;
  private readonly spool: { path: string; fd: number } | null;
  private spooled = 0;

  constructor(name: string, baseline: boolean) {
    process.stdout.write(`{"trace":${toJson(name)},"layers":[`);
    if (baseline) {
      const dir = mkdtempSync(join(tmpdir(), 'sopsim-replay-'));
      const path = join(dir, 'baseline.json');
      this.spool = { path, fd: openSync(path, 'w') };
    } else this.spool = null;
  }

  layer(l: SimReport, scheme: string, b?: SimReport): void {
    process.stdout.write((this.first ? '' : ',') + toJson({ ...summary(l), scheme }));
    this.first = false;
    if (this.spool && b) writeSync(this.spool.fd, (this.spooled++ ? ',' : '') + toJson(summary(b)));
  }

  end(total: SimReport, b?: SimReport): void {
    process.stdout.write(`],"total":${toJson(summary(total))}`);
    if (this.spool && b) {
      closeSync(this.spool.fd);
      process.stdout.write(',"baseline":{"layers":[');
      const fd = openSync(this.spool.path, 'r');
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) process.stdout.write(Buffer.from(buf.subarray(0, n)));
      closeSync(fd);
      this.abort();
      process.stdout.write(`],"total":${toJson(summary(b))}},"ratio":${toJson(ratios(total, b))}`);
    }
    process.stdout.write('}\n');
  }

  abort(): void {
    if (this.spool) rmSync(dirname(this.spool.path), { recursive: true, force: true });
  }
}
