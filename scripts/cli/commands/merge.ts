// sopsim merge: join the CSVs of sweep shards into the CSV the unsharded sweep writes.

import type { Argv } from 'yargs';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../../../quant/io/tensor.js';
import { writeFileAtomic } from '../../../quant/packed/atomic.js';
import { run } from '../common.js';
import { readCsv } from './sweep.js';

export function register(y: Argv): Argv {
  return y.command(
    'merge <csv..>',
    'Merge sweep shard CSVs (same columns) into one, ordered by point; checks every point is present once',
    (a) =>
      a
        .positional('csv', { type: 'string', array: true, demandOption: true, describe: 'shard CSV files' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'merged CSV file' })
        .option('allow-missing', { type: 'boolean', default: false, describe: 'merge even if some points are absent' }),
    (argv) =>
      run(() => {
        let header: string[] | null = null;
        let points = -1;
        const rows: string[][] = [];
        const seen = new Map<number, string>();
        for (const f of argv.csv as string[]) {
          const recs = readCsv(f);
          if (recs.length === 0) throw new InputError(f, 'empty CSV (no header)');
          const [h, ...body] = recs;
          if (h[0] !== 'point' || h[1] !== 'points') throw new InputError(f, "not a sweep CSV (expected columns 'point', 'points' first)");
          if (!header) header = h;
          else if (h.join(',') !== header.join(',')) throw new InputError(f, `columns differ from ${(argv.csv as string[])[0]}`);
          for (const r of body) {
            const p = Number(r[0]);
            const total = Number(r[1]);
            if (points < 0) points = total;
            else if (total !== points) throw new InputError(f, `point ${p} belongs to a sweep of ${total} points, not ${points}`);
            if (seen.has(p)) throw new InputError(f, `point ${p} is also in ${seen.get(p)}`);
            seen.set(p, f);
            rows.push(r);
          }
        }
        const missing: number[] = [];
        for (let p = 0; p < points; p++) if (!seen.has(p)) missing.push(p);
        if (missing.length && !argv['allow-missing']) throw new InputError(argv.out, `points missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} (of ${points}; pass --allow-missing to merge anyway)`);
        rows.sort((a, b) => Number(a[0]) - Number(b[0]));
        writeFileAtomic(argv.out, stringify([header!, ...rows]));
        process.stdout.write(`${rows.length} points from ${(argv.csv as string[]).length} files -> ${argv.out}\n`);
      }),
  );
}
