// sopsim round --format NAME: nearest representable value of each number on stdin (RNE, saturating).

import type { Argv } from 'yargs';
import { getFormat } from '../../../quant/formats/registry.js';
import { run, UsageError } from '../common.js';

export function register(y: Argv): Argv {
  return y.command(
    'round',
    'Round numbers (one per line on stdin) to a number format: round to nearest even, saturating',
    (a) =>
      a
        .option('format', { alias: 'f', type: 'string', demandOption: true, describe: 'E4M3, E5M2, E2M3, E3M2, E2M1, UE8M0, UE4M3, UE4M4, BF16, FP16 or any [U]E<e>M<m>' })
        .option('code', { type: 'boolean', default: false, describe: 'also print the code in hex' })
        .example('printf "0.3\\n1000\\n" | sopsim round --format E4M3', 'prints 0.3125 and 448 (saturated)'),
    (argv) =>
      run(async () => {
        const f = getFormat(argv.format);
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
        const out: string[] = [];
        lines.forEach((line, i) => {
          const s = line.trim();
          if (s === '') return;
          const x = Number(s);
          if (Number.isNaN(x) && !/^[+-]?nan$/i.test(s)) throw new UsageError(`stdin line ${i + 1}: '${s}' is not a number`);
          const code = f.encode(x);
          const v = Object.is(f.values[code], -0) ? '-0' : String(f.values[code]);
          out.push(argv.code ? `${v}\t0x${code.toString(16).padStart(Math.ceil(f.bits / 4), '0')}` : v);
        });
        process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
      }),
  );
}
