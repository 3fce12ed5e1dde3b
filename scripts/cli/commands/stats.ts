// sopsim stats: generate seeded activation statistics for every layer of a model.

import type { Argv } from 'yargs';
import { generateActivationStats, statsJson } from '../../../quant/io/activations.js';
import { openWeights } from '../../../quant/io/load.js';
import { writeFileAtomic } from '../../../quant/packed/atomic.js';
import { numberOption, run } from '../common.js';
import { modelLayers } from './quantize-model.js';

export function register(y: Argv): Argv {
  return y.command(
    'stats <weights>',
    'Write seeded, LLM-like activation statistics (RMS per input channel, with outlier channels) for every layer',
    (a) =>
      a
        .positional('weights', { type: 'string', demandOption: true, describe: 'weights (safetensors or synthetic-model:...)' })
        .option('seed', numberOption('seed', 'seed of the synthetic statistics', { min: 0, max: 2 ** 31 - 1, default: 1 }))
        .option('include', { type: 'string', describe: 'regular expression selecting the layers' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'JSON file to write' }),
    (argv) =>
      run(() => {
        const src = openWeights(argv.weights);
        const layers = modelLayers(src, argv.include).map((n) => ({ name: n, cols: src.shape(n)[1] }));
        const stats = generateActivationStats(layers, argv.seed as number);
        writeFileAtomic(argv.out, statsJson(stats, `synthetic activation statistics for ${argv.weights}, seed ${argv.seed}`));
        process.stdout.write(`wrote statistics for ${layers.length} layers to ${argv.out}\n`);
      }),
  );
}
