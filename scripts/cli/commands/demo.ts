// sopsim demo: the main job on a bundled default, runnable on a fresh machine with no data.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { synthesize } from '../../../quant/io/synthetic.js';
import { measure } from '../../../quant/measure.js';
import { readSopw, writeSopw } from '../../../quant/packed/sopw.js';
import { quantize } from '../../../quant/schemes/index.js';
import { decodeLayer } from '../../../quant/layer.js';
import { fmt, run, table } from '../common.js';

export function register(y: Argv): Argv {
  return y.command(
    'demo',
    'Run the bundled demo: quantize a synthetic LLM layer with every scheme, pack it, verify the packed file',
    (a) =>
      a
        .option('out', { type: 'string', default: 'out/demo', describe: 'output directory' })
        .option('rows', { type: 'number', default: 1024 })
        .option('cols', { type: 'number', default: 4096 })
        .option('seed', { type: 'number', default: 1 }),
    (argv) =>
      run(() => {
        const t = synthesize({ dist: 't4', rows: argv.rows, cols: argv.cols, seed: argv.seed }, `synthetic-t4-${argv.rows}x${argv.cols}`);
        process.stdout.write(`Quantizing a ${t.rows}x${t.cols} Student-t(4) layer (seed ${argv.seed}) with every scheme...\n`);
        const rows = [['scheme', 'bpw', 'SQNR dB', 'MSE', 'seconds', 'notes']];
        mkdirSync(argv.out, { recursive: true });
        for (const s of ['e4m3-pot', 'mxfp8', 'E2M3sUE4M4', 'mxfp6-e2m3', 'mxfp6-e3m2', 'int8', 'int4', 'nvfp4', 'nf4-b64', 'mxfp4', 'sop4']) {
          const t0 = performance.now();
          const q = quantize(t, s);
          const secs = (performance.now() - t0) / 1000;
          const r = measure(t, q);
          let note = '';
          if (s === 'sop4' || s === 'E2M3sUE4M4') {
            const path = join(argv.out, `${s}.sopw`);
            writeSopw(path, q);
            const back = readSopw(path).layer;
            const a = decodeLayer(q);
            const b = decodeLayer(back);
            const same = a.every((v, i) => Object.is(v, b[i]));
            note = `${q.info.pair ? `pair ${(q.info.pair as string[]).join('+')}; ` : ''}packed -> ${path} (round trip ${same ? 'bit-exact' : 'MISMATCH'})`;
          }
          rows.push([s, fmt(r.bpw, 4), fmt(r.sqnr_db, 4), fmt(r.mse, 4), fmt(secs, 3), note]);
        }
        process.stdout.write(table(rows) + '\n');
        process.stdout.write(`\nPacked files are in ${resolve(argv.out)}; look inside one with: npx sopsim inspect ${join(argv.out, 'sop4.sopw')}\n`);
      }),
  );
}
