#!/usr/bin/env node
// The sopsim command line: one binary, one subcommand per job.

import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { register as codebooks } from './commands/codebooks.js';
import { register as compare } from './commands/compare.js';
import { register as demo } from './commands/demo.js';
import { register as formats } from './commands/formats.js';
import { register as inspect } from './commands/inspect.js';
import { register as quantize } from './commands/quantize.js';
import { register as quantizeModel } from './commands/quantize-model.js';
import { register as stats } from './commands/stats.js';
import { register as merge } from './commands/merge.js';
import { register as replay } from './commands/replay.js';
import { register as report } from './commands/report.js';
import { register as round } from './commands/round.js';
import { register as rtl } from './commands/rtl.js';
import { register as simulate } from './commands/simulate.js';
import { register as sramModel } from './commands/sram-model.js';
import { register as sweep } from './commands/sweep.js';
import { register as tables } from './commands/tables.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fail, UsageError } from './common.js';

// a closed pipe (sopsim ... | head) ends the program quietly
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

let y: Argv = yargs(hideBin(process.argv))
  .scriptName('sopsim')
  .usage('$0 <command> [options]\n\nSOP quantizer and cycle-level LUT-decode accelerator simulator.')
  .strict()
  .demandCommand(1, 'name a command (sopsim --help lists them)')
  .recommendCommands()
  .help()
  .alias('h', 'help')
  .version()
  .option('cacti', {
    type: 'string',
    global: true,
    describe: 'a CACTI 7 binary (built from HewlettPackard/cacti): SRAM figures from CACTI runs for each exact configuration instead of the committed table (also: SOPSIM_CACTI)',
    coerce: (p: string) => {
      const bin = resolve(p);
      if (!existsSync(bin)) throw new UsageError(`--cacti ${p}: no such file (give the path of a CACTI 7 binary)`);
      process.env.SOPSIM_CACTI = bin; // read when hw-configs load; sweep workers inherit it
      return bin;
    },
  })
  .wrap(Math.min(110, process.stdout.columns || 110))
  // yargs reports bad arguments, and errors thrown by option checks (coerce), as its own YError: usage errors
  .fail((msg, err) => fail(!err || err.name === 'YError' ? new UsageError(msg || err?.message) : err));
for (const reg of [demo, quantize, quantizeModel, stats, inspect, simulate, compare, formats, replay, rtl, sweep, merge, report, sramModel, tables, round, codebooks]) y = reg(y);
await y.parseAsync();
