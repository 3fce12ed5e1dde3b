// Scheme names and the one entry point that quantizes a tensor with any of them.

import { BadValueError } from '../io/tensor.js';
import { DEFAULT_LUT, type LutFormat } from '../codebooks/lut-format.js';
import { getFormat, parseScaledName } from '../formats/registry.js';
import type { Tensor2D } from '../io/tensor.js';
import type { QuantizedLayer } from '../layer.js';
import { measure } from '../measure.js';
import { quantizeSop4 } from '../sop/pair-search.js';
import { quantizeScaled } from '../sop/scaled.js';
import { quantizeLoBcq } from '../sop/lo-bcq.js';
import { quantizeFgmp } from '../sop/fgmp.js';
import { quantizeOlive } from './olive.js';

/** lo-bcq's operating point: 16 books, blocks of 32, a signed UE4M2 scale: 4 + (4 + 1 + 6) / 32 = 4.34 bpw before the tables. */
export const LO_BCQ_DEFAULTS = { codebooks: 16, block: 32, scale: 'UE4M2' } as const;
import { e4m3Pot, intScheme, mx, nf4b64, nvfp4 } from './reference.js';

export const REFERENCE_SCHEMES = ['e4m3-pot', 'mxfp8', 'mxfp6-e2m3', 'mxfp6-e3m2', 'mxfp4', 'nvfp4', 'nf4-b64', 'int4', 'int8'] as const;
export const SCHEME_NAMES = [...REFERENCE_SCHEMES, 'sop4', 'lo-bcq', 'fgmp', 'olive', '<element>s<scale> (e.g. E2M3sUE4M4)'];

export interface QuantizeOptions {
  /** Block size g for SOP schemes (reference schemes use their own). */
  block?: number;
  /** Scale format for SOP schemes (sop4: the magnitude; <e>s<s>: overrides the name's scale). */
  scale?: string;
  /** ±k neighbouring scale codes tried per block (default 2). */
  neighbours?: number;
  /** Per-input-channel activation RMS a_j; selection then minimises activation-weighted error. */
  activations?: Float64Array | null;
  /** Selection metric: 'acos' (activation-weighted, the default) or 'mse' (ignores activations). */
  metric?: 'acos' | 'mse';
  lut?: LutFormat;
  selInScale?: boolean;
  pair?: [string, string];
  dd4?: boolean;
  /** Search the per-layer scale shift ("Flayer") instead of aligning the largest scale to the format's top. */
  searchShift?: boolean;
  /** sop4: DD4 levels to use instead of fitting (with `pair`, replays an earlier search). */
  dd4Levels?: ArrayLike<number>;
  /** sop4: search the pair on every k-th row (default by layer size; 1 = every row). */
  searchSample?: number;
  /** sop4: build every candidate pair in full and keep the best (slow); reports what the default search gives up. */
  exhaustive?: boolean;
  /** lo-bcq: number of clustered codebooks (default 16). */
  codebooks?: number;
  /** lo-bcq: the books' levels to use instead of clustering (replays an earlier run). */
  bookLevels?: number[][];
  /** fgmp: the share of blocks stored as FP8 E4M3 (default 0.3). */
  fp8Fraction?: number;
  /** Which dimension blocks run along: 'in' (default), 'out' (per input channel, the layer stored transposed) or 'auto'. */
  groupDim?: 'in' | 'out' | 'auto';
}

/** Canonical scheme name, or a one-line error listing the known ones. */
export function canonicalScheme(name: string): string {
  const s = name.trim();
  const lower = s.toLowerCase();
  if ((REFERENCE_SCHEMES as readonly string[]).includes(lower) || lower === 'sop4' || lower === 'lo-bcq' || lower === 'fgmp' || lower === 'olive') return lower;
  const scaled = parseScaledName(s);
  if (scaled) return `${scaled.element.name}s${scaled.scale.name}`;
  throw new BadValueError(`unknown scheme '${name}' (expected one of ${SCHEME_NAMES.join(', ')})`);
}

/**
 * Quantize a tensor. Blocks run along the input dimension (`groupDim` 'in', the default); 'out' lays them along
 * the output dimension instead (AdaDim's per-input-channel grouping: the layer is stored transposed, W[o][i] at
 * [i][o]); 'auto' builds both and keeps the one with the smaller error (activation-weighted 1 - ACos with
 * statistics, else MSE).
 */
export function quantize(t: Tensor2D, scheme: string, opt: QuantizeOptions = {}): QuantizedLayer {
  const dim = opt.groupDim ?? 'in';
  if (dim === 'in') return quantizeAlongIn(t, scheme, opt);
  const out = quantizeAlongOut(t, scheme, opt);
  if (dim === 'out') return out;
  const inn = quantizeAlongIn(t, scheme, opt);
  const err = (q: QuantizedLayer) => {
    const m = measure(t, q, opt.activations ?? null);
    return opt.activations && opt.metric !== 'mse' ? 1 - m.acos : m.mse;
  };
  const [ei, eo] = [err(inn), err(out)];
  const pick = eo < ei ? out : inn;
  pick.info = { ...pick.info, group_dim: eo < ei ? 'out' : 'in', group_dim_errors: { in: ei, out: eo } };
  return pick;
}

/** The transpose of a tensor (rows and columns swapped), for blocks along the output dimension. */
function transpose(t: Tensor2D): Tensor2D {
  const data = new Float32Array(t.rows * t.cols);
  for (let r = 0; r < t.rows; r++) for (let c = 0; c < t.cols; c++) data[c * t.rows + r] = t.data[r * t.cols + c];
  return { name: t.name, rows: t.cols, cols: t.rows, data };
}

/**
 * Blocks along the output dimension: the transposed weights quantized along their rows. The block search weights
 * errors per column, and the transposed layer's columns are the outputs, so the statistics (per input channel)
 * are left out of the search; they still weigh the measured error.
 */
function quantizeAlongOut(t: Tensor2D, scheme: string, opt: QuantizeOptions): QuantizedLayer {
  const q = quantizeAlongIn(transpose(t), scheme, { ...opt, activations: null });
  q.transposed = true;
  q.info = { ...q.info, group_dim: 'out' };
  return q;
}

function quantizeAlongIn(t: Tensor2D, scheme: string, opt: QuantizeOptions): QuantizedLayer {
  const name = canonicalScheme(scheme);
  const a = opt.activations ?? null;
  if (a && a.length !== t.cols) throw new BadValueError(`activation statistics have ${a.length} channels but ${t.name} has ${t.cols} input channels`);
  const aw2 = a && opt.metric !== 'mse' ? Float64Array.from(a, (v) => v * v) : null;
  const lut = opt.lut ?? DEFAULT_LUT;
  const neighbours = opt.neighbours ?? 2;
  switch (name) {
    case 'e4m3-pot':
      return e4m3Pot(t);
    case 'mxfp8':
    case 'mxfp6-e2m3':
    case 'mxfp6-e3m2':
    case 'mxfp4':
      return mx(t, name);
    case 'nvfp4':
      return nvfp4(t);
    case 'nf4-b64':
      return nf4b64(t);
    case 'int4':
      return intScheme(t, 4);
    case 'int8':
      return intScheme(t, 8);
    case 'sop4':
      return quantizeSop4(t, {
        block: opt.block ?? 16,
        scaleFormat: opt.scale ?? 'UE4M2',
        neighbours,
        aw2,
        lut,
        selInScale: opt.selInScale ?? false,
        dd4: opt.dd4 ?? true,
        pair: opt.pair,
        dd4Levels: opt.dd4Levels,
        searchSample: opt.searchSample,
        exhaustive: opt.exhaustive,
      });
    case 'olive':
      return quantizeOlive(t, aw2);
    case 'fgmp':
      return quantizeFgmp(t, { block: opt.block ?? 16, fp8Fraction: opt.fp8Fraction ?? 0.3, neighbours, aw2 });
    case 'lo-bcq':
      return quantizeLoBcq(t, {
        block: opt.block ?? LO_BCQ_DEFAULTS.block,
        codebooks: opt.codebooks ?? LO_BCQ_DEFAULTS.codebooks,
        scaleFormat: opt.scale ?? LO_BCQ_DEFAULTS.scale,
        neighbours,
        aw2,
        lut,
        searchSample: opt.searchSample,
        levels: opt.bookLevels,
      });
    default: {
      const p = parseScaledName(name)!;
      const scaleFmt = opt.scale ? getFormat(opt.scale) : p.scale;
      return quantizeScaled(t, name, p.element, scaleFmt, { block: opt.block ?? 16, neighbours, aw2, lut, searchShift: opt.searchShift });
    }
  }
}
