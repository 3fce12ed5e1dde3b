// sopsim quantize <file>: quantize one tensor (or every 2-D tensor) with a scheme, report error and bpw,
// optionally write packed .sopw files.

import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { parseLutFormat } from '../../../quant/codebooks/lut-format.js';
import { loadUserCodebook } from '../../../quant/codebooks/registry.js';
import { isSyntheticSource, linearLayers, openWeights } from '../../../quant/io/load.js';
import { InputError } from '../../../quant/io/tensor.js';
import { readActivationStats, statsFor } from '../../../quant/io/activations.js';
import { withResiduals } from '../../../quant/sop/residuals.js';
import { measure, type LayerReport } from '../../../quant/measure.js';
import { writeSopw } from '../../../quant/packed/sopw.js';
import { checkOutputPath, lockOutput, removeStaleStaging } from '../../../quant/packed/atomic.js';
import { canonicalScheme, quantize, SCHEME_NAMES, type QuantizeOptions } from '../../../quant/schemes/index.js';
import { defaultWorkers, fileSafe, fmt, numberOption, run, table, toJson, UsageError } from '../common.js';

function options(a: Argv) {
  return a
    .positional('file', { type: 'string', demandOption: true, describe: 'a .safetensors or .npy file, or synthetic:<dist>:<rows>x<cols>[:seed] (dist: gaussian, t4, laplace, outlier)' })
    .option('tensor', { alias: 't', type: 'string', describe: 'tensor name (default: every 2-D tensor, one report each)' })
    .option('scheme', { alias: 's', type: 'string', demandOption: true, describe: SCHEME_NAMES.join(', ') })
    .option('block', numberOption('block', 'block size g for sop4, lo-bcq and <e>s<s> schemes (default 16; lo-bcq 32)', { min: 2, max: 4096, alias: 'g' }))
    .option('scale', { type: 'string', describe: 'scale format (sop4: the magnitude, default UE4M2; <e>s<s>: overrides the name)' })
    .option('neighbours', numberOption('neighbours', 'refine each block scale over ±k neighbouring codes', { min: 0, max: 16, default: 2 }))
    .option('lut', { type: 'string', default: 'hif8', describe: 'LUT output format the codebook levels are rounded to: hif<N> (one exponent a table), hif7sa / hif8sa (shift-add: 5-bit mantissa and a per-entry shift), bf16 or exact' })
    .option('pair', { type: 'string', describe: 'sop4: force one pair, e.g. NF4,DD4 (default: search every pair)' })
    .option('sel-in-scale', { type: 'boolean', default: false, describe: 'sop4: fold the selection bit into the scale\'s lowest mantissa bit' })
    .option('search-shift', { type: 'boolean', default: false, describe: '<e>s<s>: search the per-layer scale shift ("Flayer")' })
    .option('exhaustive', { type: 'boolean', default: false, describe: 'sop4: build every candidate pair in full over every row and keep the best (about 10x slower); the JSON\'s info.exhaustive says what the default search gave up' })
    .option('codebooks', numberOption('codebooks', 'lo-bcq: number of clustered codebooks (2 to 256; each block names one with a log2 N-bit selector)', { min: 2, max: 256, default: 16 }))
    .option('fp8-fraction', numberOption('fp8-fraction', 'fgmp: share of blocks stored as FP8 E4M3 (the rest NVFP4), by sensitivity-weighted perturbation', { min: 0, max: 1, whole: false, default: 0.3 }))
    .option('group-dim', { type: 'string', choices: ['in', 'out', 'auto'], default: 'in', describe: 'blocks along the input dimension (in), along the output dimension (out: per-input-channel grouping, the layer stored transposed), or whichever gives the smaller error per layer (auto)' })
    .option('search-sample', numberOption('search-sample', 'sop4: search the pair on every k-th row (default: by layer size, at most 8; 1 = every row)', { min: 1, max: 1 << 20 }))
    .option('codebook', { type: 'string', array: true, describe: 'add a user codebook (JSON) to the sop4 search' })
    .option('stats', { type: 'string', describe: 'activation statistics (RMS per input channel): ACos is activation-weighted and drives codebook selection' })
    .option('metric', { type: 'string', choices: ['acos', 'mse'], default: 'acos', describe: 'with --stats: select by activation-weighted error (acos) or plain MSE' })
    .option('residual-bpw', numberOption('residual-bpw', 'keep sparse BF16 residual corrections worth this many extra bits per weight', { min: 0, max: 16, whole: false, default: 0 }))
    .option('out', { alias: 'o', type: 'string', describe: 'write packed weights: a .sopw file for one tensor, a directory for several' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per tensor, one per line' })
    .option('workers', numberOption('workers', "threads for the block-parallel scale search (default: SOPSIM_WORKERS, else the cores); the output is the same for any count", { min: 1, max: 256, default: defaultWorkers() }))
    .example('sopsim quantize synthetic:gaussian:256x2048 --scheme E2M3sUE4M4', 'FP6 atoms with UE4M4 scales, 6.5 bpw')
    .example('sopsim quantize model.safetensors -t model.layers.0.mlp.up_proj.weight -s sop4 -o up.sopw --json', 'sop4 pair search, packed');
}

type Args = Awaited<ReturnType<typeof options>['argv']>;

/** The weights and the tensors to quantize, every one checked before any work so a bad name leaves nothing half-written. */
function tensorsOf(file: string, tensor: string | undefined): { src: ReturnType<typeof openWeights>; names: string[] } {
  const src = openWeights(file);
  const names = tensor ? [tensor] : linearLayers(src);
  if (names.length === 0) throw new InputError(file, 'no 2-D tensors to quantize');
  for (const n of names) {
    const shape = src.shape(n);
    if (shape.length === 0) src.read(n); // raises the "no tensor named" error
    if (shape.length !== 2) throw new InputError(file, `tensor '${n}' is not 2-D (shape [${shape.join(', ')}])`);
  }
  return { src, names };
}

function quantizeFiles(argv: Args): void {
  process.env.SOPSIM_WORKERS = String(argv.workers); // read by the block-parallel pool when it starts
  const scheme = canonicalScheme(argv.scheme);
  for (const p of argv.codebook ?? []) loadUserCodebook(p);
  const { src, names } = tensorsOf(argv.file, argv.tensor);
  const stats = argv.stats ? readActivationStats(argv.stats) : null;
  for (const n of names) statsFor(stats, n, src.shape(n)[1]);
  let pair: [string, string] | undefined;
  if (argv.pair) {
    const p = argv.pair.split(',').map((s) => s.trim());
    if (p.length !== 2) throw new UsageError(`--pair: expected two codebooks such as NF4,DD4, got '${argv.pair}'`);
    pair = [p[0], p[1]];
  }
  const opt: QuantizeOptions = {
    block: argv.block,
    scale: argv.scale,
    neighbours: argv.neighbours,
    lut: parseLutFormat(argv.lut),
    pair,
    selInScale: argv['sel-in-scale'],
    searchShift: argv['search-shift'],
    searchSample: argv['search-sample'],
    exhaustive: argv.exhaustive,
    codebooks: argv.codebooks as number,
    fp8Fraction: argv['fp8-fraction'] as number,
    groupDim: argv['group-dim'] as 'in' | 'out' | 'auto',
  };
  if (opt.groupDim !== 'in' && (argv['residual-bpw'] as number) > 0) throw new UsageError('--residual-bpw: sparse residuals are kept for blocks along the input dimension only (--group-dim in)');
  let outDir: string | null = null;
  if (argv.out && names.length > 1) {
    if (existsSync(argv.out) && !statSync(argv.out).isDirectory()) throw new UsageError(`--out ${argv.out}: several tensors need a directory`);
    outDir = argv.out;
  }
  if (argv.out && !outDir) checkOutputPath(argv.out); // a missing folder fails before any work
  const rows: string[][] = [['tensor', 'shape', 'scheme', 'bpw', 'MSE', 'SQNR dB', 'ACos ppm', 'seconds', 'notes']];
  const staged = outDir ? stageOutputs(outDir, names) : null;
  try {
    quantizeEach();
    staged?.commit();
  } finally {
    staged?.discard();
  }
  function quantizeEach(): void {
    for (const n of names) {
      const t = src.read(n);
      const a = statsFor(stats, n, t.cols);
      const t0 = performance.now();
      let q = quantize(t, scheme, { ...opt, activations: a, metric: argv.metric as 'acos' | 'mse' });
      const residualBpw = argv['residual-bpw'] as number; // defaulted and checked by numberOption
      if (residualBpw > 0) q = withResiduals(t, q, residualBpw, a);
      // the source relative to the packed file's folder, so the model and its quantized copy can move together
      const at = staged ? resolve(outDir!) : argv.out ? dirname(resolve(argv.out)) : process.cwd();
      q.info.source = { file: isSyntheticSource(argv.file) ? argv.file : relative(at, resolve(src.fileOf?.(n) ?? argv.file)), tensor: n };
      const seconds = (performance.now() - t0) / 1000;
      // (wall time only in the table: --json output depends on the inputs alone)
      const r: LayerReport & Record<string, unknown> = { ...measure(t, q, a) };
      if (q.residuals) r.residuals = q.residuals.index.length;
      if (q.info.pair) {
        r.pair = q.info.pair;
        r.share = q.info.share;
      }
      if (q.info.exhaustive) r.exhaustive = q.info.exhaustive;
      if (opt.groupDim !== 'in') r.group_dim = q.transposed ? 'out' : 'in';
      if (argv.out) {
        writeSopw(staged ? staged.staging(n) : argv.out, q);
        r.out = staged ? staged.final(n) : argv.out;
      }
      if (argv.json) process.stdout.write(toJson(r) + '\n');
      else {
        const ex = q.info.exhaustive as { default_pair: string[]; default_shortfall_db: number } | undefined;
        const notes =
          (q.info.pair ? `pair ${(q.info.pair as string[]).join('+')}, ${fmt(100 * (Object.values(q.info.share as Record<string, number>)[1] ?? 0), 3)}% on B` : '') +
          (ex ? ` (default search: ${ex.default_pair.join('+')}, ${fmt(ex.default_shortfall_db, 3)} dB short)` : '');
        rows.push([n, `${t.rows}x${t.cols}`, scheme, fmt(r.bpw, 4), fmt(r.mse, 4), fmt(r.sqnr_db, 4), fmt(r.acos_ppm, 4), fmt(seconds, 3), notes + (r.out ? ` -> ${r.out}` : '')]);
      }
    }
  }
  if (!argv.json) process.stdout.write(table(rows) + '\n');
}

/**
 * Several tensors into one folder: one file each, named from the tensor; two names that map to one file are
 * refused up front, and the files are written into a staging folder moved into place only when every tensor
 * has succeeded (a failure leaves nothing behind).
 */
function stageOutputs(outDir: string, names: string[]): { staging(n: string): string; final(n: string): string; commit(): void; discard(): void } {
  const fileOf = new Map<string, string>();
  const byFile = new Map<string, string>();
  for (const n of names) {
    const f = `${fileSafe(n)}.sopw`;
    const other = byFile.get(f);
    if (other !== undefined) throw new UsageError(`--out ${outDir}: tensors '${other}' and '${n}' would both be written to ${f}`);
    byFile.set(f, n);
    fileOf.set(n, f);
  }
  const release = lockOutput(outDir);
  removeStaleStaging(outDir, 'partial');
  const dir = `${outDir.replace(/\/+$/, '')}.partial-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return {
    staging: (n) => join(dir, fileOf.get(n)!),
    final: (n) => join(outDir, fileOf.get(n)!),
    commit: () => {
      mkdirSync(outDir, { recursive: true });
      for (const f of fileOf.values()) renameSync(join(dir, f), join(outDir, f));
      release();
    },
    discard: () => {
      rmSync(dir, { recursive: true, force: true });
      release();
    },
  };
}

export function register(y: Argv): Argv {
  return y.command(
    'quantize <file>',
    'Quantize weights with a scheme; report bpw, MSE, SQNR and ACos; optionally write packed .sopw files',
    options,
    (argv) => run(() => quantizeFiles(argv as Args)),
  );
}
