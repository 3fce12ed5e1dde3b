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
        let emptyHeader: string[] | null = null;
        let points = -1;
        let hw: string | null = null;
        const rows: string[][] = [];
        const seen = new Map<number, string>();
        for (const f of argv.csv as string[]) {
          const recs = readCsv(f);
          if (recs.length === 0) throw new InputError(f, 'empty CSV (no header)');
          const [h, ...body] = recs;
          if (h[0] !== 'point' || h[1] !== 'points') throw new InputError(f, "not a sweep CSV (expected columns 'point', 'points' first)");
          // an empty shard (more shards than points) holds a header only: nothing to merge from it
          if (body.length === 0) {
            emptyHeader ??= h;
            continue;
          }
          if (!header) header = h;
          else if (h.join(',') !== header.join(',')) throw new InputError(f, `columns differ from ${(argv.csv as string[])[0]}`);
          const hwCol = h.indexOf('hw');
          for (const [k, r] of body.entries()) {
            // point and points are whole numbers, the point one of the sweep's; every row is of one hw-config
            if (!/^\d+$/.test(r[1] ?? '') || Number(r[1]) < 1) throw new InputError(f, `row ${k + 2}: field 'points': expected a whole number of at least 1, got '${r[1]}'`);
            const total = Number(r[1]);
            if (!/^\d+$/.test(r[0] ?? '') || Number(r[0]) >= total) throw new InputError(f, `row ${k + 2}: field 'point': expected a whole number from 0 to ${total - 1}, got '${r[0]}'`);
            const p = Number(r[0]);
            if (hwCol >= 0) {
              if (hw === null) hw = r[hwCol];
              else if (r[hwCol] !== hw) throw new InputError(f, `row ${k + 2}: field 'hw': '${r[hwCol]}', but the sweep being merged ran on '${hw}'`);
            }
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
        writeFileAtomic(argv.out, stringify([(header ?? emptyHeader)!, ...rows]));
        process.stdout.write(`${rows.length} points from ${(argv.csv as string[]).length} files -> ${argv.out}\n`);
      }),
  );
}
