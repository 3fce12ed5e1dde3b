// sopsim sweep: the cartesian product of --set values, each point a replay of the trace (and of the FP8
// baseline), one CSV row per point; points run in parallel on a worker pool sized to the cores, with a
// progress bar on a TTY; --shard i/N runs a deterministic slice for cluster array jobs.

import type { Argv } from 'yargs';
import cliProgress from 'cli-progress';
import { Piscina } from 'piscina';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { existsSync } from 'node:fs';
import { readText } from '../../../quant/io/bytes.js';
import { checkOutputPath, writeFileAtomic } from '../../../quant/packed/atomic.js';
import { MAX_TOKENS, readTrace } from '../../../sim/trace/trace.js';
import type { Mode } from '../../../sim/datapath/datapath.js';
import { defaultWorkers, numberOption, onInterrupt, PROGRESS_CHOICES, progressMode, run, type ProgressMode, UsageError, yieldToEvents } from '../common.js';
import { InputError } from '../../../quant/io/tensor.js';
import { BASELINE_SETS_OPTION, loadHw, parseSetValue } from '../hw.js';
import { infeasibleRow, runPoint, type PointTask } from '../sweep-point.js';
import { InfeasibleError } from '../../../sim/config/load.js';

export type SetValue = number | boolean | string;
export type SetAxis = { path: string; values: SetValue[] };

/**
 * Parse `--set path=v1,v2,...` axes: numbers, sizes with suffixes (4K, 64KiB), true/false, enum values
 * (lut.output=hif8,bf16), and `tokens` (the trace's tokens per layer, not a config key).
 */
export function parseAxes(sets: string[]): SetAxis[] {
  return sets.map((s) => {
    const m = /^([A-Za-z0-9_.]+)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--set '${s}': expected path=v1,v2,..., e.g. lut.capacity_bytes=256,512,1024`);
    const values = m[2].split(',').map((v) => {
      if (v.trim() === '') throw new UsageError(`--set ${m[1]}: an empty value in '${m[2]}'`);
      const x = parseSetValue(v);
      // a word is an enum value (lut.output=bf16); a number with stray characters is a typo
      if (typeof x === 'string' && /^[-+.\d]/.test(x)) throw new UsageError(`--set ${m[1]}: '${x}' is not a number`);
      if (m[1] === 'tokens' && !(typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= MAX_TOKENS)) throw new UsageError(`--set tokens: expected a whole number from 1 to ${MAX_TOKENS}, got '${v.trim()}'`);
      return x;
    });
    return { path: m[1], values };
  });
}

/** Every combination, the first axis varying slowest. */
export function cartesian(axes: SetAxis[]): Array<Array<[string, SetValue]>> {
  let out: Array<Array<[string, SetValue]>> = [[]];
  for (const a of axes) out = out.flatMap((prefix) => a.values.map((v) => [...prefix, [a.path, v] as [string, SetValue]]));
  return out;
}

export function parseShard(s: string | undefined): { index: number; count: number } {
  if (!s) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard '${s}': expected i/N with 0 <= i < N, e.g. 0/4`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

export interface SweepOptions {
  trace: string;
  hw: string;
  sets: string[];
  baseline: string | null;
  baselineSets: boolean;
  shard?: string;
  workers: number;
  mode: Mode;
  /** 'bar' (a progress bar), 'lines' (one line per finished point, for logs) or 'none'. */
  progress: ProgressMode;
  /** Rows of an earlier run of the same sweep (its CSV): those points are kept, not run again. */
  resume?: Array<Record<string, string>>;
  /** The file the resumed rows came from (named in errors). */
  resumeFile?: string;
  /** Called with every finished row as it arrives (the interrupt handler keeps them). */
  onRow?: (row: Record<string, string | number>) => void;
}

export interface SweepResult {
  rows: Array<Record<string, string | number>>;
  points: number;
  workers: number;
  seconds: number;
  /** Points taken from the resumed CSV. */
  resumed: number;
}

/** Check that rows read back from a CSV belong to this sweep: same point count and the same set values. */
export function checkResumeRows(file: string, rows: Array<Record<string, string>>, all: Array<Array<[string, SetValue]>>, run?: { hw: string; baseline: boolean }): Map<number, Record<string, string>> {
  const byPoint = new Map<number, Record<string, string>>();
  for (const r of rows) {
    // the same hw-config and the same baseline (or none) as this run, before any point runs
    if (run && r.hw !== undefined && r.hw !== run.hw) throw new InputError(file, `point ${r.point} ran on hw-config '${r.hw}', this sweep on '${run.hw}' (not the same sweep?)`);
    if (run && ('baseline_cycles' in r) !== run.baseline)
      throw new InputError(file, `point ${r.point} was run ${run.baseline ? 'without' : 'with'} a baseline, this sweep ${run.baseline ? 'with one' : 'with --baseline none'} (not the same sweep?)`);
    const p = Number(r.point);
    if (!Number.isInteger(p) || p < 0 || p >= all.length || Number(r.points) !== all.length)
      throw new InputError(file, `row for point '${r.point}' of ${r.points} does not belong to this sweep of ${all.length} points (not the same sweep?)`);
    for (const [path, v] of all[p])
      if (r[path] !== String(v)) throw new InputError(file, `point ${p} was swept with ${path}=${r[path] ?? '(no such column)'}, this sweep has ${path}=${v} (not the same sweep?)`);
    if (byPoint.has(p)) throw new InputError(file, `point ${p} appears twice`);
    byPoint.set(p, r);
  }
  return byPoint;
}

/** Run a sweep (the whole or one shard): validates everything first, then runs the points on a pool. */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const axes = parseAxes(o.sets);
  const shard = parseShard(o.shard);
  readTrace(o.trace); // a malformed trace fails before any work
  const all = cartesian(axes);
  // every point's config must load: unknown paths and bad values fail before any work; a point whose values
  // load but do not compose (a tile smaller than a lane group...) is infeasible, unless every point is
  const infeasible = new Map<number, InfeasibleError>();
  let firstError: unknown = null;
  all.forEach((p, point) => {
    try {
      loadHw(o.hw, p.filter(([k]) => k !== 'tokens').map(([k, v]) => `${k}=${v}`));
    } catch (e) {
      if (!(e instanceof InfeasibleError)) throw e; // a malformed value or an unknown path is bad input
      firstError ??= e;
      infeasible.set(point, e);
    }
  });
  if (infeasible.size === all.length) throw firstError;
  if (o.baseline) loadHw(o.baseline);
  const resumed = o.resume ? checkResumeRows(o.resumeFile ?? '--resume', o.resume, all, { hw: loadHw(o.hw).hw.name, baseline: !!o.baseline }) : new Map<number, Record<string, string>>();
  const tasks: PointTask[] = all
    .map((sets, point) => ({ point, points: all.length, trace: o.trace, hw: o.hw, baseline: o.baseline, baselineSets: o.baselineSets, sets, mode: o.mode }))
    .filter((t) => t.point % shard.count === shard.index && !resumed.has(t.point));
  const bar =
    o.progress === 'bar'
      ? new cliProgress.SingleBar({ format: 'sweep |{bar}| {value}/{total} points | {rate} points/s | {eta_formatted} left', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
      : null;
  bar?.start(tasks.length, 0, { rate: '0.00' });
  const t0 = performance.now();
  let done = 0;
  const hwName = loadHw(o.hw).hw.name;
  const run = (t: PointTask) => (infeasible.has(t.point) ? infeasibleRow(t, hwName, infeasible.get(t.point)!) : null);
  const tick = (row: Record<string, string | number>) => {
    done++;
    o.onRow?.(row);
    bar?.update(done, { rate: (done / ((performance.now() - t0) / 1000)).toFixed(2) });
    if (o.progress === 'lines') process.stderr.write(`sweep: point ${row.point} done, ${done}/${tasks.length}\n`);
  };
  let rows: Array<Record<string, string | number>>;
  const workers = Math.max(1, Math.min(o.workers, tasks.length));
  if (workers === 1) {
    rows = [];
    for (const t of tasks) {
      await yieldToEvents(); // lets an interrupt in between points
      const r = run(t) ?? runPoint(t);
      tick(r);
      rows.push(r);
    }
  } else {
    const pool = new Piscina({ filename: new URL('../sweep-worker.js', import.meta.url).href, minThreads: workers, maxThreads: workers, env: { ...process.env, SOPSIM_WORKERS: '1' } });
    try {
      rows = await Promise.all(
        tasks.map(async (t) => {
          const r = run(t) ?? ((await pool.run(t)) as Record<string, string | number>);
          tick(r);
          return r;
        }),
      );
    } finally {
      await pool.destroy();
    }
  }
  bar?.stop();
  const merged = [...resumed.values(), ...rows].sort((a, b) => Number(a.point) - Number(b.point));
  return { rows: merged, points: all.length, workers, seconds: (performance.now() - t0) / 1000, resumed: resumed.size };
}

export function register(y: Argv): Argv {
  return y.command(
    'sweep <trace>',
    'Sweep hw-config values (cartesian product of --set lists): one CSV row per point with every figure and the ratio to the FP8 baseline',
    (a) =>
      a
        .positional('trace', { type: 'string', demandOption: true, describe: 'a trace (.json)' })
        .option('hw', { type: 'string', default: 'sop-hif', describe: 'hw-config path or bundled name' })
        .option('set', { type: 'string', array: true, nargs: 1, demandOption: true, describe: 'path=v1,v2,... (any numeric config path); several --set give their cartesian product' })
        .option('baseline', { type: 'string', default: 'fp8-e4m3', describe: 'baseline hw-config for the ratio columns ("none" to skip)' })
        .option('baseline-sets', BASELINE_SETS_OPTION)
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'CSV file to write' })
        .option('shard', { type: 'string', describe: 'run slice i of N (points with index mod N = i), e.g. $SLURM_ARRAY_TASK_ID/8' })
        .option('workers', numberOption('workers', 'points run in parallel, one worker thread each (default: SOPSIM_WORKERS, else the cores)', { min: 1, max: 256, default: defaultWorkers() }))
        .option('mode', { type: 'string', choices: ['event', 'fast'], default: 'fast' })
        .option('resume', { type: 'boolean', default: false, describe: 'keep the points already in --out (an interrupted run saves the finished ones) and run only the rest' })
        .option('progress', { type: 'string', choices: PROGRESS_CHOICES, default: 'auto', describe: 'progress on stderr: auto (a bar on a terminal, else none), bar, lines (one per finished point, for logs), none' })
        .example('sopsim sweep traces/llama-7b-decode.json --set lut.capacity_bytes=256,512,1024,2048,4096,8192,16384,32768,65536 -o lut.csv', 'LUT SRAM sizes')
        .example('sopsim sweep t.json --set lut.replicas=1,2,4,8 --set unpacker.lanes=32,64 -o grid.csv --shard 0/2', 'half of an 8-point grid'),
    (argv) =>
      run(async () => {
        let resume: Array<Record<string, string>> | undefined;
        if (argv.out) checkOutputPath(argv.out);
        if (argv.resume && existsSync(argv.out)) resume = readSweepCsv(argv.out);
        // an interrupt saves the finished points (whole rows, written atomically) and says how far the run got
        const finished: Array<Record<string, string | number>> = [];
        const disarm = onInterrupt((signal) => {
          const rows = [...(resume ?? []), ...finished].sort((a, b) => Number(a.point) - Number(b.point));
          if (finished.length > 0) writeFileAtomic(argv.out, csvText(rows));
          process.stderr.write(
            `sopsim: interrupted by ${signal} after ${finished.length} new point${finished.length === 1 ? '' : 's'}` +
              (finished.length > 0 ? `; ${rows.length} finished points saved to ${argv.out} (run again with --resume to finish)\n` : '; nothing written\n'),
          );
        });
        const r = await runSweep({
          trace: argv.trace,
          hw: argv.hw,
          sets: argv.set,
          baseline: argv.baseline === 'none' ? null : argv.baseline,
          baselineSets: argv['baseline-sets'],
          shard: argv.shard,
          workers: argv.workers as number,
          mode: argv.mode as Mode,
          progress: progressMode(argv.progress),
          resume,
          resumeFile: argv.out,
          onRow: (row) => finished.push(row),
        });
        writeFileAtomic(argv.out, csvText(r.rows));
        disarm();
        const shard = parseShard(argv.shard);
        process.stdout.write(
          `${r.rows.length} point${r.rows.length === 1 ? '' : 's'}${shard.count > 1 ? ` (shard ${shard.index}/${shard.count} of ${r.points})` : ''}` +
            `${r.resumed ? ` (${r.resumed} kept from the earlier run)` : ''} in ${r.seconds.toFixed(1)} s on ${r.workers} worker${r.workers > 1 ? 's' : ''} -> ${argv.out}\n`,
        );
      }),
  );
}

/**
 * The CSV of sweep rows: columns in the order of the first point that ran, every such row holding exactly those
 * columns; an infeasible point's row leaves the figures empty.
 */
export function csvText(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return 'point,points\n'; // an empty shard: a header that merge accepts
  const ran = rows.find((r) => !String(r.status ?? '').startsWith('infeasible')) ?? rows[0];
  const columns = Object.keys(ran);
  for (const r of rows) {
    if (String(r.status ?? '').startsWith('infeasible')) continue;
    const keys = Object.keys(r);
    if (keys.length !== columns.length || keys.some((k, i) => k !== columns[i])) throw new InputError(`point ${r.point}`, 'its columns differ from the other points (a resumed CSV from another hw-config or baseline?)');
  }
  return stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? '']))), { header: true, columns });
}

/** A CSV file as text records, header first; every record must have the header's column count. */
export function readCsv(file: string): string[][] {
  const text = readText(file);
  try {
    return parse(text, { relax_column_count: false }) as string[][];
  } catch (e) {
    throw new InputError(file, `not a readable CSV (${(e as Error).message})`);
  }
}

/** Rows of a sweep CSV, as text, keyed by column (in the file's column order). */
export function readSweepCsv(file: string): Array<Record<string, string>> {
  const [header, ...body] = readCsv(file);
  if (!header) return [];
  if (header[0] !== 'point' || header[1] !== 'points') throw new InputError(file, "not a sweep CSV (expected columns 'point', 'points' first)");
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
