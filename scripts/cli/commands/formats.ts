// sopsim formats: every weight format at its operating point, side by side on one layer set — bits per weight,
// reconstruction (SQNR, 1 - ACos), and what its own datapath spends (cycles, energy per weight in total and on
// chip, area) — each format on the hardware built for it, all from the same energy tables.

import type { Argv } from 'yargs';
import { stringify } from 'csv-stringify/sync';
import { readActivationStats, statsFor, type ActivationStats } from '../../../quant/io/activations.js';
import type { Tensor2D } from '../../../quant/io/tensor.js';
import { InputError } from '../../../quant/io/tensor.js';
import { bitsAccount } from '../../../quant/layer.js';
import { measure } from '../../../quant/measure.js';
import { quantize, type QuantizeOptions } from '../../../quant/schemes/index.js';
import { parseLutFormat } from '../../../quant/codebooks/lut-format.js';
import { buildLayerWork } from '../../../sim/datapath/layer-work.js';
import { runLayers, type SimReport } from '../../../sim/datapath/report.js';
import { lutOutputOf } from '../../../sim/config/load.js';
import { resolveSteps, type Step } from '../../../sim/trace/steps.js';
import { checkOutputPath, writeFileAtomic } from '../../../quant/packed/atomic.js';
import { fmt, numberOption, plain, run, table, toJson } from '../common.js';
import { loadHw } from '../hw.js';
import { onChipPj } from '../sim-run.js';
import { MAX_TOKENS } from '../../../sim/trace/trace.js';

/** A format at its operating point, on the datapath built for it. */
export interface FormatPoint {
  label: string;
  scheme: string;
  options: QuantizeOptions;
  hw: string;
  note: string;
}

/** The formats compared, cheapest first within each family. */
export const FORMAT_POINTS: FormatPoint[] = [
  { label: 'fp8-e4m3', scheme: 'e4m3-pot', options: {}, hw: 'fp8-e4m3', note: 'FP8 E4M3, per-layer power-of-two scale: the baseline' },
  { label: 'mxfp8', scheme: 'mxfp8', options: {}, hw: 'mx-native', note: 'OCP MXFP8: E4M3 in blocks of 32, UE8M0 scale, native MX datapath' },
  { label: 'mxfp6-e2m3', scheme: 'mxfp6-e2m3', options: {}, hw: 'mx-native', note: 'OCP MXFP6 (E2M3), native MX datapath' },
  { label: 'sop-fp6', scheme: 'E2M3sUE4M4', options: {}, hw: 'sop-hif', note: 'SOP FP6 atoms: E2M3 through a LUT, signed UE4M4 scale per 16, HIF' },
  { label: 'fgmp-30', scheme: 'fgmp', options: { fp8Fraction: 0.3 }, hw: 'fgmp', note: 'FGMP: per block of 16 NVFP4 or FP8 E4M3 (30 % FP8 by sensitivity), a metadata bit, UE4M3 scales' },
  { label: 'mxfp4', scheme: 'mxfp4', options: {}, hw: 'mx-native', note: 'OCP MXFP4: E2M1 in blocks of 32, UE8M0 scale, native MX datapath' },
  { label: 'nvfp4', scheme: 'nvfp4', options: {}, hw: 'nvfp4-native', note: 'NVFP4: E2M1 in blocks of 16, UE4M3 scale, FP32 tensor scale, native datapath' },
  { label: 'sop4', scheme: 'sop4', options: {}, hw: 'sop-hif', note: 'SOP: a ROM codebook and a per-layer DD4 per block pair, signed UE4M2 scale per 16, HIF' },
  { label: 'olive', scheme: 'olive', options: {}, hw: 'olive', note: 'OliVe: 4-bit outlier-victim pairs (int4, or an abfloat outlier and a zeroed victim), per-tensor scale, pair decoder into int8 MACs' },
  { label: 'int4-lut-tc', scheme: 'int4', options: {}, hw: 'lut-tensor-core', note: 'INT4 (FP32 scale per 32) on a LUT-of-products datapath: bit planes index tables of activation sums, no multipliers' },
  { label: 'sop4-lut-tc', scheme: 'sop4', options: {}, hw: 'lut-tensor-core', note: 'sop4 on the LUT-of-products datapath: per activation a table of its products with the pair\'s levels, one read a weight' },
  { label: 'lo-bcq-8', scheme: 'lo-bcq', options: { codebooks: 8 }, hw: 'lo-bcq', note: 'LO-BCQ: 8 clustered per-layer books, 3-bit selector, signed UE4M2 scale per 32' },
  { label: 'lo-bcq-16', scheme: 'lo-bcq', options: { codebooks: 16 }, hw: 'lo-bcq', note: 'LO-BCQ: 16 clustered per-layer books, 4-bit selector, signed UE4M2 scale per 32' },
];

export interface FormatRow {
  format: string;
  scheme: string;
  hw: string;
  bpw: number;
  sqnr_db: number;
  one_minus_acos_ppm: number;
  cycles: number;
  energy_pj_per_weight: number;
  on_chip_pj_per_weight: number;
  lut_pj_per_weight: number;
  area_mm2: number;
  ratio_energy_to_fp8: number | null;
}

/** A layer to compare: its step, its source weights (a repeated slice stands for its full rows) and Σ w². */
interface Source {
  step: Step;
  t: Tensor2D;
  signal: number;
}

function sources(steps: Step[]): Source[] {
  const signals = new Map<Tensor2D, number>(); // a repeated step is the same tensor: summed once
  return steps.map((step) => {
    const t = step.source();
    if (!t) throw new InputError(step.name, 'no source weights to quantize (a .sopw without its source, or a trace of packed layers)');
    let signal = signals.get(t);
    if (signal === undefined) {
      signal = 0;
      for (let i = 0; i < t.data.length; i++) signal += t.data[i] * t.data[i];
      signals.set(t, signal);
    }
    return { step, t, signal };
  });
}

/** One format over every layer: quantized (once per distinct source), measured, and run on its datapath. */
function formatRow(p: FormatPoint, layers: Source[], stats: ActivationStats | null, sets: string[], tokens: number | undefined): { row: Omit<FormatRow, 'ratio_energy_to_fp8'>; report: SimReport } {
  const cfg = loadHw(p.hw, sets);
  const lut = lutOutputOf(cfg);
  // a repeated step is the same tensor: quantized and measured once
  const made = new Map<Tensor2D, { q: ReturnType<typeof quantize>; m: ReturnType<typeof measure> }>();
  let bits = 0;
  let weights = 0;
  let signal = 0;
  let noise = 0;
  let acos = 0;
  const works = layers.map(({ step, t, signal: s2 }) => {
    let done = made.get(t);
    if (!done) {
      const a = stats ? statsFor(stats, t.name, t.cols) : null;
      const q = quantize(t, p.scheme, { ...p.options, activations: a, ...(lut ? { lut: parseLutFormat(lut) } : {}) });
      made.set(t, (done = { q, m: measure(t, q, a) }));
    }
    const { q, m } = done;
    // quality over the layers as they run: a repeated slice counts for the rows it stands for
    const reps = (step.rows ?? t.rows) / t.rows;
    const n = t.rows * t.cols;
    weights += reps * n;
    bits += reps * bitsAccount(q).total;
    signal += reps * s2;
    noise += reps * m.mse * n;
    acos += reps * (1 - m.acos) * n;
    return buildLayerWork(q, cfg, tokens ?? step.tokens, step.name, step.rows ?? t.rows, `${step.name}#${step.id}`);
  });
  const report = runLayers(cfg, works, { mode: 'fast' }).total;
  return {
    report,
    row: {
      format: p.label,
      scheme: p.scheme,
      hw: cfg.hw.name,
      bpw: bits / weights,
      sqnr_db: 10 * Math.log10(signal / noise),
      one_minus_acos_ppm: (acos / weights) * 1e6,
      cycles: report.cycles,
      energy_pj_per_weight: report.energy_pj_per_weight,
      on_chip_pj_per_weight: onChipPj(report) / report.weights_decoded,
      lut_pj_per_weight: (report.energy_pj.lut_sram ?? 0) / report.weights_decoded,
      area_mm2: report.area_mm2.total,
    },
  };
}

/** Every format's row, with its energy relative to the FP8 baseline's. */
export function compareFormats(input: string, opt: { stats?: string; node?: number; tokens?: number; formats?: string[] }): FormatRow[] {
  const layers = sources(resolveSteps(input, { tokens: opt.tokens }));
  const stats = opt.stats ? readActivationStats(opt.stats) : null;
  const sets = opt.node !== undefined ? [`node_nm=${opt.node}`] : [];
  const points = opt.formats ? FORMAT_POINTS.filter((p) => opt.formats!.includes(p.label)) : FORMAT_POINTS;
  const rows = points.map((p) => formatRow(p, layers, stats, sets, opt.tokens).row);
  const fp8 = rows.find((r) => r.format === 'fp8-e4m3');
  return rows.map((r) => ({ ...r, ratio_energy_to_fp8: fp8 ? r.energy_pj_per_weight / fp8.energy_pj_per_weight : null }));
}

export function register(y: Argv): Argv {
  return y.command(
    'formats <weights>',
    'Every weight format at its operating point on one layer set: bits per weight, SQNR, 1 - ACos, and cycles, energy per weight (total, on chip, LUT) and area on the datapath built for it',
    (a) =>
      a
        .positional('weights', { type: 'string', demandOption: true, describe: 'weights (a checkpoint folder, index or file; synthetic-model:...) or a trace of raw-weight layers (traces/llama-7b-decode.json)' })
        .option('stats', { type: 'string', describe: 'activation statistics (imatrix.gguf, safetensors or JSON): weighted quantization and 1 - ACos' })
        .option('hw-node', numberOption('hw-node', 'technology node (nm) for every datapath (default: each hw-config\'s, 22)', { min: 1, max: 1000 }))
        .option('tokens', numberOption('tokens', 'activation vectors per layer (default 1, or the trace\'s)', { min: 1, max: MAX_TOKENS }))
        .option('only', { type: 'string', describe: `comma-separated formats (of ${FORMAT_POINTS.map((p) => p.label).join(', ')})` })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON object: {"input", "formats": [rows]}' })
        .option('csv', { type: 'string', describe: 'write one CSV row per format' })
        .example('sopsim formats examples/stories260K', 'every format on the bundled real checkpoint')
        .example('sopsim formats traces/llama-7b-decode.json --only fp8-e4m3,nvfp4,sop4,lo-bcq-8 --csv 7b.csv', 'a 7B-shaped decode step'),
    (argv) =>
      run(() => {
        if (argv.csv) checkOutputPath(argv.csv);
        const only = argv.only?.split(',').map((s) => s.trim());
        for (const o of only ?? []) if (!FORMAT_POINTS.some((p) => p.label === o)) throw new InputError('--only', `unknown format '${o}' (expected one of ${FORMAT_POINTS.map((p) => p.label).join(', ')})`);
        const rows = compareFormats(argv.weights, { stats: argv.stats, node: argv['hw-node'], tokens: argv.tokens, formats: only });
        if (argv.csv) writeFileAtomic(argv.csv, stringify(rows.map((r) => ({ ...r, ratio_energy_to_fp8: r.ratio_energy_to_fp8 ?? '' })), { header: true }));
        if (argv.json) {
          process.stdout.write(toJson({ input: argv.weights, formats: rows }) + '\n');
          return;
        }
        const cells = [['format', 'datapath', 'bpw', 'SQNR dB', '1-ACos ppm', 'cycles', 'pJ/weight', 'on chip', 'LUT', 'area mm2', 'energy / FP8']];
        for (const r of rows) cells.push([r.format, r.hw, fmt(r.bpw, 4), plain(r.sqnr_db, 4), plain(r.one_minus_acos_ppm, 4), String(r.cycles), plain(r.energy_pj_per_weight, 4), plain(r.on_chip_pj_per_weight, 4), plain(r.lut_pj_per_weight, 3), plain(r.area_mm2, 4), r.ratio_energy_to_fp8 === null ? '-' : plain(r.ratio_energy_to_fp8, 3)]);
        process.stdout.write(table(cells) + '\n' + (argv.csv ? `\nCSV written to ${argv.csv}\n` : ''));
      }),
  );
}
