// sopsim quantize-model: menus per layer, an exact knapsack within a bpw budget, one packed file per
// layer, a manifest and a trace for the simulator.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import cliProgress from 'cli-progress';
import { generateActivationStats, readActivationStats, statsFor, type ActivationStats } from '../../../quant/io/activations.js';
import { isSyntheticSource, linearLayers, openWeights, type WeightsSpec } from '../../../quant/io/load.js';
import { checkAgainstConfig, describeConfig, INDEX_NAME, readModelConfig, type ModelConfig } from '../../../quant/io/checkpoint.js';
import { InputError } from '../../../quant/io/tensor.js';
import { checkMemory, QUANTIZE_BYTES_PER_WEIGHT } from '../../../quant/io/bytes.js';
import { lockOutput, removeStaleStaging, writeFileAtomic } from '../../../quant/packed/atomic.js';
import { writeChoice } from '../../../quant/model/menu-worker.js';
import { allocate, buildLayerMenu, cheapestBpw, DEFAULT_MODEL_OPTIONS, sourceRows, withMeasured, type LayerMenu, type MenuEntry, type ModelOptions } from '../../../quant/model/quantize-model.js';
import { Piscina } from 'piscina';
import { InfeasibleBudget } from '../../../quant/model/knapsack.js';
import { defaultWorkers, fileSafe, fmt, numberOption, onInterrupt, PROGRESS_CHOICES, progressMode, run, table, toJson, UsageError, yieldToEvents } from '../common.js';

/** A model's name for its trace: the file, or the checkpoint's folder for an index or shard files. */
function modelName(spec: WeightsSpec): string {
  const first = Array.isArray(spec) ? spec[0] : spec;
  if (Array.isArray(spec) || basename(first) === INDEX_NAME) return basename(dirname(resolve(first)));
  return basename(first.replace(/\/+$/, ''));
}

/** The model's layers: the layer policy (quant/io/load.ts linearLayers), or the --include regular expression. */
export function modelLayers(src: ReturnType<typeof openWeights>, include?: string): string[] {
  return linearLayers(src, include ? new RegExp(include) : undefined);
}

export function loadStats(path: string | undefined, synthSeed: number | undefined, layers: Array<{ name: string; cols: number }>): ActivationStats | null {
  if (path && synthSeed !== undefined) throw new UsageError('give --stats or --synthetic-stats, not both');
  if (path) return readActivationStats(path);
  if (synthSeed !== undefined) return { path: `synthetic-stats:${synthSeed}`, layers: generateActivationStats(layers, synthSeed) };
  return null;
}

function options(a: Argv) {
  return a
    .positional('weights', { type: 'string', array: true, demandOption: true, describe: 'a .safetensors file, a sharded checkpoint (its folder, its model.safetensors.index.json, or its shard files one by one: one global budget over every shard; config.json beside it is read), or synthetic-model:<llama-7b|small|tiny|L<n>-H<h>-I<i>>[:seed]' })
    .option('budget-bpw', numberOption('budget-bpw', 'average bits per weight the model may use', { min: 1, max: 64, whole: false, demandOption: true }))
    .option('stats', { type: 'string', describe: 'activation statistics (JSON or safetensors: per layer, RMS per input channel)' })
    .option('synthetic-stats', numberOption('synthetic-stats', 'generate seeded LLM-like activation statistics with this seed', { min: 0, max: 2 ** 31 - 1 }))
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output directory (packed layers, manifest.json, trace.json)' })
    .option('residual-bpw', numberOption('residual-bpw', 'bpw allowance of the sparse residual menu entry', { min: 0, max: 16, whole: false, default: 0.1 }))
    .option('metric', { type: 'string', choices: ['acos', 'mse'], default: 'acos', describe: 'codebook selection and allocation by activation-weighted cosine, or by MSE' })
    .option('include', { type: 'string', describe: 'regular expression selecting the layers (default: 2-D tensors except embeddings and norms)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace an existing output directory' })
    .option('menu-sample', {
      type: 'string',
      default: 'auto',
      describe: 'price each layer\'s menu on every k-th row: auto (large layers on a sample of about 2M weights: every floor(weights / 2^21)-th row, at most 1 in 64) or k (1 = whole layers); the chosen entry is always built and measured on the whole layer',
    })
    .option('workers', numberOption('workers', 'layers quantized in parallel, one worker thread each (default: SOPSIM_WORKERS, else the cores; 1 = in this process)', { min: 1, max: 256, default: defaultWorkers() }))
    .option('progress', { type: 'string', choices: PROGRESS_CHOICES, default: 'auto', describe: 'progress on stderr: auto (a bar with the time left, by weights, on a terminal; else none), bar, lines (one per finished layer with the time left, for logs), none' })
    .option('json', { type: 'boolean', default: false, describe: 'print the manifest as JSON' })
    .example('sopsim quantize-model synthetic-model:small --budget-bpw 5 --synthetic-stats 1 --out out/small-5', 'a 4-layer model at 5 bpw')
}

type Args = Awaited<ReturnType<typeof options>['argv']>;

/** What a run will do, every input checked before any work, so bad input leaves nothing behind. */
interface Plan {
  /** The weights as given: one path, or several shard files. */
  spec: WeightsSpec;
  /** The weights named in messages. */
  label: string;
  config: ModelConfig | null;
  src: ReturnType<typeof openWeights>;
  names: string[];
  layers: Array<{ name: string; rows: number; cols: number }>;
  stats: ActivationStats | null;
  budget: number;
  out: string;
  opt: ModelOptions;
  workers: number;
}

function plan(argv: Args): Plan {
  const given = ([] as string[]).concat(argv.weights as string | string[]);
  const spec: WeightsSpec = given.length === 1 ? given[0] : given;
  const label = given.join(' ');
  const src = openWeights(spec);
  const names = modelLayers(src, argv.include);
  if (names.length === 0) throw new InputError(label, 'no layers to quantize');
  const layers = names.map((n) => {
    const s = src.shape(n);
    if (s.length !== 2) throw new InputError(label, `tensor '${n}' is not 2-D`);
    return { name: n, rows: s[0], cols: s[1] };
  });
  const config = isSyntheticSource(given[0]) ? null : readModelConfig(spec);
  if (config) {
    checkAgainstConfig(config, layers);
    process.stderr.write(`${describeConfig(config)}\n`);
  }
  const stats = loadStats(argv.stats, argv['synthetic-stats'], layers);
  for (const l of layers) statsFor(stats, l.name, l.cols);
  const budget = argv['budget-bpw'] as number; // demanded and checked by numberOption
  if (!(budget > 0)) throw new UsageError(`--budget-bpw: expected a positive number, got ${budget}`);
  const weights = layers.reduce((s, l) => s + l.rows * l.cols, 0);
  // the cheapest entry is 4-bit indices and an 8-bit field per block of 32, plus the normaliser's exponent byte
  const floor = layers.reduce((s, l) => s + 4 * l.rows * l.cols + 8 * l.rows * Math.ceil(l.cols / 32) + 8, 0) / weights;
  if (budget < floor) throw new UsageError(`--budget-bpw ${budget}: below the cheapest menu entry (${fmt(floor, 5)} bpw for this model)`);
  const out = argv.out;
  if (existsSync(out) && readdirSync(out).length > 0 && !argv.force) throw new UsageError(`--out ${out}: directory exists and is not empty (use --force to replace it)`);
  const ms = argv['menu-sample'];
  if (ms !== 'auto' && !(Number.isInteger(Number(ms)) && Number(ms) >= 1)) throw new UsageError(`--menu-sample: expected auto or a whole number >= 1, got '${ms}'`);
  const opt: ModelOptions = { ...DEFAULT_MODEL_OPTIONS, residualBpw: argv['residual-bpw'] as number, metric: argv.metric as 'acos' | 'mse', menuSample: ms === 'auto' ? 'auto' : Number(ms) };
  // layers spread over the cores (each worker quantizes on one thread); --workers 1 stays in-process
  const workers = Math.max(1, Math.min(argv.workers as number, names.length));
  // each worker holds one whole layer while it builds it: refuse up front what would not fit
  const largest = layers.reduce((m, l) => (l.rows * l.cols > m.rows * m.cols ? l : m));
  checkMemory(label, `quantizing ${workers} layer${workers > 1 ? 's' : ''} of up to ${largest.rows}x${largest.cols} at once`, workers * largest.rows * largest.cols * QUANTIZE_BYTES_PER_WEIGHT);
  return { spec, label, config, src, names, layers, stats, budget, out, opt, workers };
}

/** Runs one task per layer, on the worker pool or in this process, with progress on stderr. */
class LayerRunner {
  done = 0;
  phase = 'menus';
  private readonly pool: Piscina | null;
  private readonly mode: ReturnType<typeof progressMode>;
  /** The pool takes the largest layers first, so its last tasks are small ones (results keep layer order). */
  private readonly order: number[];

  constructor(private readonly p: Plan, progress: string) {
    const { layers, workers } = p;
    this.pool =
      workers > 1 ? new Piscina({ filename: new URL('../../../quant/model/menu-worker.js', import.meta.url).href, minThreads: workers, maxThreads: workers, env: { ...process.env, SOPSIM_WORKERS: '1' } }) : null;
    this.mode = progressMode(progress);
    this.order = layers.map((_, i) => i).sort((x, y) => layers[y].rows * layers[y].cols - layers[x].rows * layers[x].cols || x - y);
  }

  /** `remote(i)` is the pool's task for layer i, `local(i)` the same work here. */
  async each<T>(what: string, remote: (i: number) => object, local: (i: number) => T): Promise<T[]> {
    this.done = 0;
    this.phase = what;
    const n = this.p.names.length;
    const out = new Array<T>(n);
    // progress by weights, not layers (layers differ in size a hundredfold): the ETA follows the work left
    const size = (i: number) => this.p.layers[i].rows * this.p.layers[i].cols;
    const total = this.p.layers.reduce((s, _, i) => s + size(i), 0);
    let doneWeights = 0;
    const t0 = performance.now();
    const bar =
      this.mode === 'bar'
        ? new cliProgress.SingleBar({ format: `${what} |{bar}| {layers}/${n} layers | {eta_formatted} left`, hideCursor: true, stream: process.stderr, etaBuffer: 8 }, cliProgress.Presets.shades_classic)
        : null;
    bar?.start(total, 0, { layers: 0 });
    const tick = (i: number) => {
      this.done++;
      doneWeights += size(i);
      bar?.update(doneWeights, { layers: this.done });
      if (this.mode === 'lines') {
        const left = ((performance.now() - t0) / 1000) * (total / doneWeights - 1);
        process.stderr.write(`quantize-model: ${what} ${this.done}/${n} layers, about ${left < 1 ? '<1' : Math.round(left)} s left\n`);
      }
    };
    const pool = this.pool;
    if (pool)
      await Promise.all(
        this.order.map(async (i) => {
          out[i] = (await pool.run(remote(i))) as T;
          tick(i);
        }),
      );
    else
      for (let i = 0; i < n; i++) {
        await yieldToEvents(); // so an interrupt is heard between layers
        out[i] = local(i);
        tick(i);
      }
    bar?.stop();
    return out;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

function allocateWithin(menus: LayerMenu[], budget: number): ReturnType<typeof allocate> {
  if (budget < cheapestBpw(menus)) throw new UsageError(`--budget-bpw ${budget}: below the cheapest menu entry (${fmt(cheapestBpw(menus), 5)} bpw for this model)`);
  try {
    return allocate(menus, budget);
  } catch (e) {
    if (e instanceof InfeasibleBudget) throw new UsageError(`--budget-bpw ${budget}: ${e.message}`);
    throw e;
  }
}

type Allocation = ReturnType<typeof allocate>;

function manifestOf(argv: Args, p: Plan, menus: LayerMenu[], estimated: Allocation, alloc: Allocation, files: string[]) {
  return {
    format: 'sopsim-manifest',
    version: 1,
    source: p.spec,
    architecture: p.config ? { ...p.config, path: undefined } : null,
    stats: p.stats?.path ?? null,
    metric: p.opt.metric,
    residual_bpw: p.opt.residualBpw,
    budget_bpw: p.budget,
    achieved_bpw: alloc.achieved_bpw,
    weights: alloc.weights,
    total_bits: alloc.total_bits,
    total_dist: alloc.total_dist,
    mean_one_minus_acos: alloc.mean_dist,
    // what the knapsack saw: the menus' figures (row-sample estimates where a menu was sampled)
    menu_estimate: { total_dist: estimated.total_dist, mean_one_minus_acos: estimated.mean_dist, sampled_layers: menus.filter((m) => m.sample > 1).length },
    layers: alloc.choices.map((c, i) => ({ ...c, error: 1 - c.acos, acos_ppm: (1 - c.acos) * 1e6, file: files[i] })),
    menus,
  };
}

function printSummary(p: Plan, menus: LayerMenu[], estimated: Allocation, alloc: Allocation, timing: { seconds: number; menu_seconds: number; build_seconds: number; workers: number }): void {
  const rows = [['layer', 'choice', 'bpw', '1-ACos (ppm)', 'SQNR dB']];
  for (const c of alloc.choices) rows.push([c.layer, c.choice, fmt(c.bpw, 4), fmt((1 - c.acos) * 1e6, 4), fmt(c.sqnr_db, 4)]);
  process.stdout.write(table(rows) + '\n\n');
  const counts: Record<string, number> = {};
  for (const c of alloc.choices) counts[c.choice] = (counts[c.choice] ?? 0) + 1;
  const w = timing.workers;
  process.stdout.write(
    `budget ${p.budget} bpw: achieved ${fmt(alloc.achieved_bpw, 6)} bpw, weight-averaged 1-ACos ${fmt(alloc.mean_dist * 1e6, 5)} ppm; ` +
      `${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n` +
      (estimated.measured ? '' : `menus of ${menus.filter((m) => m.sample > 1).length} layers priced on row samples (knapsack's estimate ${fmt(estimated.mean_dist * 1e6, 5)} ppm; figures above are the built layers')\n`) +
      `${fmt(timing.seconds, 3)} s on ${w} worker${w > 1 ? 's' : ''} (menus ${fmt(timing.menu_seconds, 3)} s, build and write ${fmt(timing.build_seconds, 3)} s)\n` +
      `wrote ${p.names.length} packed layers, manifest.json and trace.json to ${p.out} (replay: npx sopsim simulate ${join(p.out, 'trace.json')})\n`,
  );
}

async function quantizeModel(argv: Args): Promise<void> {
  const p = plan(argv);
  const { src, names, layers, stats, opt, out } = p;
  const release = lockOutput(out); // one run at a time per output, claimed before any work
  const statsOf = (i: number) => statsFor(stats, names[i], layers[i].cols);
  const t0 = performance.now();
  const runner = new LayerRunner(p, argv.progress);
  // an interrupt removes the temporary directory and says how far the run got; --out is untouched
  let tmp: string | null = null;
  const disarm = onInterrupt((signal) => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}sopsim: interrupted by ${signal} in the ${runner.phase} pass after ${runner.done} of ${names.length} layers; nothing written to ${out}\n`);
  });
  const menus = await runner.each<LayerMenu>(
    'menus',
    (i) => ({ kind: 'menu', source: p.spec, name: names[i], stats: statsOf(i), opt }),
    (i) => buildLayerMenu(sourceRows(src, names[i]), statsOf(i), opt),
  );
  const menuSeconds = (performance.now() - t0) / 1000;
  const estimated = allocateWithin(menus, p.budget);
  // write into a temporary directory, renamed into place when complete
  removeStaleStaging(out, 'dir'); // left by a run that was killed (SIGKILL) before it could clean up
  const dir = (tmp = `${out.replace(/\/+$/, '')}.dir-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const files = names.map((n, i) => `${String(i).padStart(3, '0')}-${fileSafe(n)}.sopw`);
    const label = (i: number) => estimated.choices[i].choice;
    // each layer's source: the file holding it (a shard of a checkpoint), relative to the output directory so the
    // model and its quantized copy can move together
    const sourceFile = (n: string) => (typeof p.spec === 'string' && isSyntheticSource(p.spec) ? p.spec : relative(resolve(out), resolve(src.fileOf?.(n) ?? (p.spec as string))));
    const info = (i: number) => ({ source: { file: sourceFile(names[i]), tensor: names[i] }, model_choice: label(i) });
    const tBuild = performance.now();
    const built = await runner.each<MenuEntry>(
      'packed',
      (i) => ({ kind: 'choice', source: p.spec, name: names[i], stats: statsOf(i), opt, menu: menus[i], label: label(i), out: join(dir, files[i]), info: info(i) }),
      (i) => {
        const t = src.read(names[i]);
        return writeChoice(t, statsFor(stats, names[i], t.cols), menus[i], label(i), opt, info(i), join(dir, files[i]));
      },
    );
    // the figures of the layers as built (menus priced on a row sample are estimates)
    const alloc = withMeasured(estimated, built);
    await runner.close();
    const manifest = manifestOf(argv, p, menus, estimated, alloc, files);
    writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
    const trace = { format: 'sopsim-trace', version: 1, name: `${modelName(p.spec)}@${p.budget}bpw`, tokens: 1, layers: names.map((n, i) => ({ name: n, sopw: files[i] })) };
    writeFileAtomic(join(dir, 'trace.json'), JSON.stringify(trace, null, 1));
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    renameSync(dir, out);
    release();
    tmp = null;
    disarm();
    // wall times stay out of the manifest, so the same inputs give the same bytes
    const timing = { seconds: (performance.now() - t0) / 1000, menu_seconds: menuSeconds, build_seconds: (performance.now() - tBuild) / 1000, workers: p.workers };
    if (argv.json) process.stdout.write(toJson({ ...manifest, out, timing }) + '\n');
    else printSummary(p, menus, estimated, alloc, timing);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    release();
    await runner.close();
    throw e;
  }
}

export function register(y: Argv): Argv {
  return y.command(
    'quantize-model <weights..>',
    'Quantize every layer of a model within a bpw budget: per-layer menus, an exact multiple-choice knapsack, packed files, a manifest and a trace',
    options,
    (argv) => run(() => quantizeModel(argv as Args)),
  );
}
