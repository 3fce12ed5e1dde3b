// sopsim report: one self-contained HTML page of charts from sweep/replay CSVs and quantize-model manifests.

import type { Argv } from 'yargs';
import { writeFileAtomic } from '../../../quant/packed/atomic.js';
import { run } from '../common.js';
import { chartsFor, reportHtml } from '../report-html.js';

export function register(y: Argv): Argv {
  return y.command(
    'report <files..>',
    'Write a self-contained HTML report (Chart.js inlined) from sweep CSVs, replay CSVs and quantize-model manifests',
    (a) =>
      a
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'sweep.csv, replay.csv, manifest.json ...' })
        .option('html', { type: 'string', demandOption: true, describe: 'HTML file to write' })
        .option('title', { type: 'string', default: 'sopsim report' })
        .example('sopsim report lut.csv out/model/manifest.json --html report.html', 'energy, ratio, stalls against LUT size; error against bpw'),
    (argv) =>
      run(() => {
        const files = argv.files as string[];
        const charts = files.flatMap((f) => chartsFor(f));
        charts.forEach((c, i) => (c.id = `chart-${i}`));
        writeFileAtomic(argv.html, reportHtml(argv.title, charts, `sopsim report ${files.join(' ')} --html ${argv.html}`));
        process.stdout.write(`${charts.length} charts -> ${argv.html}\n`);
      }),
  );
}
