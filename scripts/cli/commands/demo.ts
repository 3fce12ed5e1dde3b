// sopsim demo (npm start): the main job end to end on bundled defaults, on a fresh machine with no data.
// Each step is the sopsim command a user would type, printed before it runs.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import chalk from 'chalk';
import { numberOption, run } from '../common.js';
import { BUNDLED_HW } from '../hw.js';

const CLI = fileURLToPath(new URL('../sopsim.js', import.meta.url));
const TRACES = resolve(BUNDLED_HW, '..', 'traces');
const EXAMPLE = resolve(BUNDLED_HW, '..', 'examples', 'stories260K');

function step(title: string, args: string[]): void {
  process.stdout.write(`\n${chalk.bold(title)}\n${chalk.dim(`$ sopsim ${args.join(' ')}`)}\n`);
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`step failed (exit ${r.status}): sopsim ${args.join(' ')}`);
}

export function register(y: Argv): Argv {
  return y.command(
    'demo',
    'The main job on bundled defaults: quantize the bundled stories260K checkpoint, replay it on SOP+HIF and FP8, sweep LUT SRAM sizes, write the CSVs, the HTML report and SVG figures',
    (a) =>
      a
        .option('out', { type: 'string', default: 'out/demo', describe: 'output directory' })
        .option('model', { type: 'string', default: EXAMPLE, defaultDescription: 'examples/stories260K (a real 5-layer Llama, sharded as checkpoints ship)', describe: 'model to quantize: a checkpoint (folder, index or file), or synthetic-model:tiny|small|llama-7b' })
        .option('budget-bpw', numberOption('budget-bpw', 'bits-per-weight budget for the model', { min: 1, max: 64, whole: false, default: 5 })),
    (argv) =>
      run(() => {
        const out = argv.out;
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        const model = join(out, 'model');
        step(`1. Quantize ${argv.model} within ${argv['budget-bpw']} bpw (per-layer menus, one exact knapsack over every shard, seeded LLM-like activation statistics)`, [
          'quantize-model', argv.model, '--budget-bpw', String(argv['budget-bpw']), '--synthetic-stats', '1', '--out', model,
        ]);
        step('2. Replay the quantized model on the SOP+HIF datapath and on the FP8 E4M3 baseline', [
          'replay', join(model, 'trace.json'), '--hw', 'sop-hif', '--baseline', 'fp8-e4m3', '--csv', join(out, 'replay.csv'),
        ]);
        const sizes = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536].join(',');
        step('3. Sweep LUT SRAM sizes on a 32-layer, 4096-hidden decoder step (6.5 billion weights, bundled trace)', [
          'sweep', join(TRACES, 'llama-7b-decode.json'), '--hw', 'sop-hif', '--set', `lut.capacity_bytes=${sizes}`, '--out', join(out, 'lut-sweep.csv'),
        ]);
        step('4. Write the report: an HTML page and every chart as SVG', ['report', join(out, 'lut-sweep.csv'), join(out, 'replay.csv'), join(model, 'manifest.json'), '-o', join(out, 'report.html'), '--svg', join(out, 'figures'), '--title', 'sopsim demo']);
        process.stdout.write(
          `\n${chalk.bold('Done.')} Results in ${resolve(out)}:\n` +
            `  ${join(out, 'model')}/        packed layers, manifest.json, trace.json\n` +
            `  ${join(out, 'replay.csv')}      per-layer replay, SOP+HIF and FP8\n` +
            `  ${join(out, 'lut-sweep.csv')}   one row per LUT SRAM size\n` +
            `  ${join(out, 'report.html')}     charts with their numbers (open in a browser)\n` +
            `  ${join(out, 'figures')}/       every chart as SVG, with its numbers as CSV\n`,
        );
      }),
  );
}
