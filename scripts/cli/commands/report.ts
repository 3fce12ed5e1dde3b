// sopsim report: charts for papers from sweep CSVs, per-layer CSVs and quantize-model manifests — one static
// HTML page (every chart with its numbers), and every chart as an SVG and/or PNG file.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { writeFileAtomic } from '../../../quant/packed/atomic.js';
import { run, UsageError } from '../common.js';
import { chartsFor } from '../report/charts.js';
import { chartSvg, reportHtml, svgToPng, tableCsv } from '../report/render.js';

export function register(y: Argv): Argv {
  return y.command(
    'report <files..>',
    'Charts from sweep CSVs, per-layer CSVs (replay, simulate) and quantize-model manifests: an HTML page, and each chart as SVG or PNG for a paper',
    (a) =>
      a
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'sweep.csv, replay.csv, manifest.json ... (sweeps over the same axes are overlaid)' })
        .option('out', { alias: ['o', 'html'], type: 'string', describe: 'HTML page to write: every chart with a table of its numbers' })
        .option('svg', { type: 'string', describe: 'folder to write one <chart>.svg per chart (and <chart>.csv, its numbers)' })
        .option('png', { type: 'string', describe: 'folder to write one <chart>.png per chart (twice the SVG size)' })
        .option('title', { type: 'string', default: 'sopsim report' })
        .check((v) => {
          if (v.out === undefined && v.svg === undefined && v.png === undefined) throw new UsageError('give -o report.html, --svg DIR or --png DIR (or several)');
          return true;
        })
        .example('sopsim report lut.csv -o report.html --svg figs', 'ratio, energy (total, on chip, LUT), stalls and reloads against LUT size')
        .example('sopsim report a.csv b.csv -o r.html', 'two sweeps over the same axes, overlaid (one dash per file)')
        .example('sopsim report out/model/manifest.json --png figs', 'error against bpw per layer, the allocation ringed'),
    (argv) =>
      run(async () => {
        const files = argv.files as string[];
        const charts = chartsFor(files);
        // everything is drawn before anything is written: a failure leaves no partial set of figures
        const svgs: string[] = [];
        for (const c of charts) svgs.push(await chartSvg(c));
        const pngs = argv.png !== undefined ? svgs.map(svgToPng) : [];
        const written: string[] = [];
        if (argv.svg !== undefined) {
          mkdirSync(argv.svg, { recursive: true });
          charts.forEach((c, i) => {
            writeFileAtomic(join(argv.svg!, `${c.id}.svg`), svgs[i]);
            writeFileAtomic(join(argv.svg!, `${c.id}.csv`), tableCsv(c));
          });
          written.push(`${charts.length} SVG -> ${argv.svg}`);
        }
        if (argv.png !== undefined) {
          mkdirSync(argv.png, { recursive: true });
          charts.forEach((c, i) => writeFileAtomic(join(argv.png!, `${c.id}.png`), pngs[i]));
          written.push(`${charts.length} PNG -> ${argv.png}`);
        }
        if (argv.out !== undefined) {
          const cmd = `sopsim report ${files.join(' ')} -o ${argv.out}`;
          writeFileAtomic(argv.out, reportHtml(argv.title, charts, svgs, cmd));
          written.push(`${charts.length} charts -> ${argv.out}`);
        }
        process.stdout.write(written.join('\n') + '\n');
      }),
  );
}
