// sopsim sram-model: an SRAM's read/write energy per access, leakage, area and access time, from the
// CACTI 7 table of the technology (or from CACTI itself with --cacti).

import type { Argv } from 'yargs';
import { join } from 'node:path';
import { loadTechnology, sramModelOf } from '../../../sim/config/load.js';
import { parseBytes } from '../../../quant/io/bytes.js';
import { fmt, numberOption, run, toJson, UsageError } from '../common.js';
import { BUNDLED_HW } from '../hw.js';

function options(a: Argv) {
  return a
    .option('capacity', { type: 'string', demandOption: true, describe: 'capacity in bytes (suffixes K, KiB, M: 4K = 4096)' })
    .option('width', numberOption('width', 'bits per access (the port width)', { min: 1, max: 4096, demandOption: true }))
    .option('node', numberOption('node', 'technology node in nm (the table holds 22, 32, 45, 65, 90; between them it interpolates)', { min: 1, max: 1000, whole: false, default: 22 }))
    .option('ports', numberOption('ports', 'read-write ports (beyond the table\'s 2: copies of 2-port arrays)', { min: 1, max: 1024, default: 1 }))
    .option('banks', numberOption('banks', 'banks (an access reads one)', { min: 1, max: 1024, default: 1 }))
    .option('tech', { type: 'string', describe: 'technology table (default: the bundled hw-configs/technology.json)' })
    .option('json', { type: 'boolean', default: false, describe: 'print {read_pj, write_pj, leak_mw, area_mm2, access_ns, cycle_ns, source}' })
    .example('sopsim sram-model --capacity 4096 --width 64 --node 45 --banks 2 --json', 'a 4 KB two-bank SRAM with 64-bit ports')
    .example('sopsim sram-model --capacity 512 --width 8 --ports 2 --cacti ~/cacti/cacti', 'run CACTI itself for this configuration');
}

export function register(y: Argv): Argv {
  return y.command(
    'sram-model',
    'Estimate an SRAM macro: read/write energy per access, leakage, area and access time (CACTI 7: the committed table, or a run with --cacti)',
    options,
    (argv) =>
      run(() => {
        const capacity = parseBytes(argv.capacity);
        if (capacity === null || capacity < 1) throw new UsageError(`--capacity: expected a size in bytes such as 4096 or 4K, got '${argv.capacity}'`);
        const techPath = argv.tech ?? join(BUNDLED_HW, 'technology.json');
        const model = sramModelOf(techPath, loadTechnology(techPath));
        const r = model.figures({ capacityBytes: capacity, widthBits: argv.width as number, ports: argv.ports as number, banks: argv.banks as number, nodeNm: argv.node as number }); // checked by numberOption
        if (argv.json) process.stdout.write(toJson(r) + '\n');
        else
          process.stdout.write(
            `SRAM ${capacity} B, ${argv.width}-bit port(s) x ${argv.ports}, ${argv.banks} bank(s), ${argv.node} nm\n` +
              `  read    ${fmt(r.read_pj, 4)} pJ\n  write   ${fmt(r.write_pj, 4)} pJ\n  leak    ${fmt(r.leak_mw, 4)} mW\n  area    ${fmt(r.area_mm2, 4)} mm2\n` +
              `  access  ${fmt(r.access_ns, 4)} ns (cycle ${fmt(r.cycle_ns, 4)} ns)\n  source  ${r.source}\n`,
          );
      }),
  );
}
