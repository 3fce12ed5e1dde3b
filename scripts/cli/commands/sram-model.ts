// sopsim sram-model: SRAM read/write energy, leakage and area by capacity, width and node.

import type { Argv } from 'yargs';
import { join } from 'node:path';
import { loadTechnology } from '../../../sim/config/load.js';
import { sramModel } from '../../../sim/energy/sram-model.js';
import { fmt, run, toJson, UsageError } from '../common.js';
import { BUNDLED_HW } from '../hw.js';

export function register(y: Argv): Argv {
  return y.command(
    'sram-model',
    'Estimate an SRAM macro: read/write energy per access, leakage and area (fitted model, sources in hw-configs/technology.json)',
    (a) =>
      a
        .option('capacity', { type: 'number', demandOption: true, describe: 'capacity in bytes' })
        .option('width', { type: 'number', demandOption: true, describe: 'access width in bits' })
        .option('node', { type: 'number', default: 22, describe: 'technology node in nm (45, 28, 22)' })
        .option('tech', { type: 'string', describe: 'technology table (default: the bundled hw-configs/technology.json)' })
        .option('json', { type: 'boolean', default: false, describe: 'print {read_pj, write_pj, leak_mw, area_mm2}' })
        .example('sopsim sram-model --capacity 4096 --width 8 --node 22 --json', 'a 4 KB LUT SRAM with 8-bit entries'),
    (argv) =>
      run(() => {
        if (!(argv.capacity > 0)) throw new UsageError(`--capacity: expected a positive number of bytes, got ${argv.capacity}`);
        if (!(argv.width > 0)) throw new UsageError(`--width: expected a positive number of bits, got ${argv.width}`);
        const tech = loadTechnology(argv.tech ?? join(BUNDLED_HW, 'technology.json'));
        const r = sramModel(tech, argv.capacity, argv.width, argv.node);
        if (argv.json) process.stdout.write(toJson(r) + '\n');
        else
          process.stdout.write(
            `SRAM ${argv.capacity} B x ${argv.width}-bit accesses at ${argv.node} nm\n` +
              `  read   ${fmt(r.read_pj, 4)} pJ\n  write  ${fmt(r.write_pj, 4)} pJ\n  leak   ${fmt(r.leak_mw, 4)} mW\n  area   ${fmt(r.area_mm2, 4)} mm2\n`,
          );
      }),
  );
}
