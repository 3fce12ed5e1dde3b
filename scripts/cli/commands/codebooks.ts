// sopsim codebooks: the fixed codebooks (and any user ones) with their 16 levels.

import type { Argv } from 'yargs';
import { getCodebook, fixedCodebookNames, loadUserCodebook } from '../../../quant/codebooks/registry.js';
import { fmt, numberOption, run, table, toJson } from '../common.js';

export function register(y: Argv): Argv {
  return y.command(
    'codebooks',
    'List the 4-bit codebooks (NF4, BOF4, Split87, SH4 and user codebooks) with their levels',
    (a) =>
      a
        .option('block', numberOption('block', 'block size g (BOF4 and Split87 depend on it)', { min: 2, max: 4096, default: 16, alias: 'g' }))
        .option('codebook', { type: 'string', array: true, describe: 'add a user codebook from a JSON file ({"name", "levels": [16 numbers]})' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
    (argv) =>
      run(() => {
        for (const p of argv.codebook ?? []) loadUserCodebook(p);
        const books = fixedCodebookNames().map((n) => getCodebook(n, argv.block));
        if (argv.json) {
          process.stdout.write(toJson(books.map((b) => ({ ...b.toJSON(), block: argv.block }))) + '\n');
          return;
        }
        const rows = [['codebook', 'kind', 'levels']];
        for (const b of books) rows.push([b.name, b.kind, Array.from(b.levels, (v) => fmt(v, 4)).join(' ')]);
        process.stdout.write(table(rows) + '\n');
        process.stdout.write(`DD4 is fitted per layer by 'sopsim quantize --scheme sop4' (weighted Lloyd, +1 fixed).\n`);
      }),
  );
}
