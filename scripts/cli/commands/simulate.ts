// sopsim simulate: run packed layers (or a trace, or weights + scheme) through one hw-config.

import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { MAX_TOKENS } from '../../../sim/trace/trace.js';
import { stringify } from 'csv-stringify/sync';
import { checkOutputPath, writeFileAtomic } from '../../../quant/packed/atomic.js';
import { resolveSteps } from '../../../sim/trace/steps.js';
import { fmt, numberOption, run, table, toJson } from '../common.js';
import { printable } from '../../../quant/io/tensor.js';
import { loadHw } from '../hw.js';
import { lutOutputOf } from '../../../sim/config/load.js';
import { WAITING_CAUSES } from '../../../sim/core/block.js';
import { layerCsvRow, onChipPj, runSteps, stepScheme, summary } from '../sim-run.js';
import type { Mode } from '../../../sim/datapath/datapath.js';

export function register(y: Argv): Argv {
  return y.command(
    'simulate <input>',
    'Simulate the decode datapath cycle by cycle: cycles, stalls by cause, SRAM/DRAM accesses, energy',
    (a) =>
      a
        .positional('input', { type: 'string', demandOption: true, describe: 'a .sopw file, a trace (.json), or weights (.safetensors/.npy/synthetic:...) quantized with --scheme' })
        .option('hw', { type: 'string', default: 'sop-hif', describe: 'hw-config path or bundled name (sop-hif, sop-bf16lut, fp8-e4m3)' })
        .option('mode', { type: 'string', choices: ['event', 'fast'], default: 'fast', describe: 'event: every lane group is an event and every weight is decoded; fast: same counters, tile by tile' })
        .option('tokens', numberOption('tokens', 'activation vectors per layer (default 1, or the trace\'s)', { min: 1, max: MAX_TOKENS }))
        .option('tensor', { alias: 't', type: 'string', describe: 'with weights: the tensor (default: every 2-D tensor, run in order)' })
        .option('scheme', { alias: 's', type: 'string', describe: 'with weights: the scheme to quantize with (default sop4)' })
        .option('set', { type: 'string', array: true, nargs: 1, describe: 'override a numeric config value, e.g. --set lut.capacity_bytes=8192' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object (total, layers, counters, energy lines)' })
        .option('csv', { type: 'string', describe: 'write one CSV row per layer (row=layer) plus the total (row=total) to this file' })
        .example('sopsim simulate up.sopw --hw sop-hif --json', 'one packed layer on the SOP+HIF datapath')
        .example('sopsim simulate synthetic:t4:4096x4096 -s E2M3sUE4M4 --mode event', 'the FP6 point, event by event'),
    (argv) =>
      run(() => {
        if (argv.csv) checkOutputPath(argv.csv);
        const cfg = loadHw(argv.hw, argv.set);
        const steps = resolveSteps(argv.input, { tensor: argv.tensor, scheme: argv.scheme, tokens: argv.tokens, lut: lutOutputOf(cfg) });
        const t0 = performance.now();
        const r = runSteps(cfg, steps, argv.mode as Mode, undefined, steps.length === 1 ? steps[0].name : basename(argv.input));
        const seconds = (performance.now() - t0) / 1000;
        if (argv.csv) {
          const rows = r.layers.map((l, i) => layerCsvRow('layer', i, stepScheme(steps[i]), l));
          if (r.layers.length > 1) rows.push(layerCsvRow('total', '', '', r.total));
          writeFileAtomic(argv.csv, stringify(rows, { header: true }));
        }
        if (argv.json) {
          process.stdout.write(toJson({ ...summary(r.total), counters: r.total.counters, energy_detail: r.total.energy_detail, per_layer: r.layers.map(summary) }) + '\n');
          return;
        }
        const t = r.total;
        process.stdout.write(`${printable(t.name)} on ${t.hw} (${t.mode} mode, ${t.layers} layer${t.layers > 1 ? 's' : ''}, ${t.tokens} token${t.tokens > 1 ? 's' : ''}, ${seconds.toFixed(2)} s)\n\n`);
        const rows = [['figure', 'value']];
        rows.push(['weights decoded', String(t.weights_decoded)]);
        rows.push(['cycles', `${t.cycles} (DRAM bound ${t.bounds.dram_cycles}, lane bound ${t.bounds.lane_cycles}, MAC bound ${t.bounds.mac_cycles})`]);
        rows.push(['  issuing a lane group', String(t.busy_cycles)]);
        const waiting = new Set<string>(WAITING_CAUSES);
        for (const [k, v] of Object.entries(t.stall_cycles)) if (v && k !== 'total') rows.push([`  ${waiting.has(k) ? 'waiting for' : 'throughput-limited by'} ${k}`, String(v)]);
        rows.push(['DRAM bytes', String(t.dram_bytes)]);
        for (const [m, a] of Object.entries(t.sram)) rows.push([`${m} reads / writes`, `${a.reads} / ${a.writes}`]);
        for (const [k, v] of Object.entries(t.energy_pj)) if (k !== 'total' && v) rows.push([`energy ${k}`, `${fmt(v / 1e6, 4)} uJ (${fmt((100 * v) / t.energy_pj.total, 3)}%)`]);
        rows.push(['energy total', `${fmt(t.energy_pj.total / 1e6, 5)} uJ`]);
        rows.push(['energy on chip', `${fmt(onChipPj(t) / 1e6, 5)} uJ (everything but DRAM)`]);
        rows.push(['energy per weight', `${fmt(t.energy_pj_per_weight, 4)} pJ`]);
        rows.push(['time', `${fmt(t.time_ns, 6)} ns at ${cfg.hw.clock_ghz.value} GHz (${fmt(t.tokens_per_s, 4)} tokens/s, ${fmt(t.power_w, 4)} W)`]);
        rows.push(['area', `${fmt(t.area_mm2.total, 4)} mm2 (${Object.entries(t.area_mm2).filter(([k, v]) => k !== 'total' && v > 0).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${fmt(v, 3)}`).join(', ')}, ...)`]);
        rows.push(['utilisation', Object.entries(t.utilisation).map(([k, v]) => `${k} ${fmt(100 * v, 3)}%`).join(', ')]);
        process.stdout.write(table(rows) + '\n');
        if (argv.csv) process.stdout.write(`\nCSV written to ${argv.csv}\n`);
      }),
  );
}
