// Calibration statistics (docs/MODEL.md §4): per layer, the RMS of each input channel's activations. Read from JSON
// ({"format": "sopsim-stats", "version": 1, "layers": {"<tensor>": [rms, ...]}}), safetensors (one 1-D
// tensor per layer, named like the weight) or llama.cpp's importance matrices (imatrix.ts), and generated, seeded, with the channel outliers LLM
// activations show (a few hidden dimensions 10-100x the rest, shared by every layer that reads them).

import { readJsonFile } from './bytes.js';
import seedrandom from 'seedrandom';
import { openSafetensors, tensorValues } from './safetensors.js';
import { normalSource } from './synthetic.js';
import { InputError } from './tensor.js';
import { readImatrix } from './imatrix.js';

export interface ActivationStats {
  path: string;
  layers: Map<string, Float64Array>;
}

function key(name: string): string {
  return name.replace(/\.weight$/, '');
}

/**
 * Statistics of one layer (by weight tensor name, with or without `.weight`), checked against its inputs and
 * scaled by a power of two so the largest channel lies in [1, 2): every use of them (a² error weights, ACos)
 * is invariant to a common scale, and this keeps 1e-200 or 1e200 from underflowing or overflowing while
 * changing no comparison (a power of two scales exactly). A layer whose channels are all zero is refused.
 */
export function statsFor(stats: ActivationStats | null, name: string, cols: number): Float64Array | null {
  if (!stats) return null;
  const a = stats.layers.get(key(name));
  if (!a) throw new InputError(stats.path, `no statistics for layer '${name}'`);
  if (a.length !== cols) throw new InputError(stats.path, `layer '${name}': ${a.length} channels, but the weights have ${cols} input channels`);
  let max = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > max) max = a[i];
  if (!(max > 0)) throw new InputError(stats.path, `layer '${name}': every channel has RMS 0 (expected at least one channel above 0: these statistics would weigh every error by zero)`);
  const e = Math.floor(Math.log2(max));
  if (e === 0) return a;
  // by 2^-e in two steps, so neither factor overflows (e reaches -1074 for subnormal statistics)
  const h = Math.trunc(-e / 2);
  const [f1, f2] = [2 ** h, 2 ** (-e - h)];
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * f1 * f2;
  return out;
}

/**
 * Statistics from a file: llama.cpp's importance matrix (GGUF `.gguf` or legacy `.dat`/`.imatrix`, quant/io/imatrix.ts),
 * safetensors (one 1-D tensor of RMS per layer, named like the weight) or sopsim's JSON.
 */
export function readActivationStats(path: string): ActivationStats {
  if (/\.(gguf|dat|imatrix)$/i.test(path)) return { path, layers: readImatrix(path) };
  const layers = new Map<string, Float64Array>();
  const check = (name: string, v: ArrayLike<number>) => {
    for (let i = 0; i < v.length; i++)
      if (!Number.isFinite(v[i]) || v[i] < 0) throw new InputError(path, `layer '${name}': channel ${i} has RMS ${v[i]} (expected a finite number >= 0)`);
    layers.set(key(name), Float64Array.from(v));
  };
  if (/\.safetensors$/i.test(path)) {
    const f = openSafetensors(path);
    for (const n of f.names) {
      if (f.entries[n].shape.length !== 1) throw new InputError(path, `tensor '${n}' is not 1-D (statistics are one RMS per input channel)`);
      check(n, tensorValues(f, n));
    }
    return { path, layers };
  }
  const doc = readJsonFile(path) as { format?: unknown; version?: unknown; layers?: unknown } | null;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InputError(path, 'expected a JSON object {"format": "sopsim-stats", "version": 1, "layers": {...}}');
  if (doc.format !== 'sopsim-stats') throw new InputError(path, "field 'format': expected \"sopsim-stats\"");
  if (doc.version !== 1) throw new InputError(path, "field 'version': expected 1");
  if (!doc.layers || typeof doc.layers !== 'object') throw new InputError(path, "field 'layers': expected an object of layer name -> [rms per input channel]");
  for (const [n, v] of Object.entries(doc.layers as Record<string, unknown>)) {
    if (!Array.isArray(v)) throw new InputError(path, `field 'layers.${n}': expected an array of numbers`);
    check(n, v as number[]);
  }
  return { path, layers };
}

/** Which activation vector a linear layer reads: layers sharing an input share statistics. */
function inputGroup(name: string): { group: string; hidden: boolean } {
  const m = /^(.*?)(self_attn\.(q|k|v)_proj|self_attn\.o_proj|mlp\.(gate|up)_proj|mlp\.down_proj)/.exec(name);
  if (!m) return { group: key(name), hidden: false };
  const p = m[2];
  if (/self_attn\.(q|k|v)_proj/.test(p)) return { group: `${m[1]}attn_in`, hidden: true };
  if (/mlp\.(gate|up)_proj/.test(p)) return { group: `${m[1]}mlp_in`, hidden: true };
  if (p === 'self_attn.o_proj') return { group: `${m[1]}attn_out`, hidden: false };
  return { group: `${m[1]}mlp_out`, hidden: false };
}

/**
 * Seeded statistics for every layer: a log-normal bulk around 1, a few hidden dimensions (0.1%, at least 3)
 * 10-100x larger in every layer that reads the residual stream (q, k, v, gate, up), and milder outliers
 * (0.5% of channels, 3-10x) in the other inputs. Layers that read the same vector get the same statistics.
 */
export function generateActivationStats(layers: Array<{ name: string; cols: number }>, seed: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  const groups = new Map<string, Float64Array>();
  const hiddenOutliers = new Map<number, Array<[number, number]>>();
  const pick = (width: number): Array<[number, number]> => {
    let o = hiddenOutliers.get(width);
    if (!o) {
      const rng = seedrandom.alea(`${seed}/hidden/${width}`);
      const k = Math.max(3, Math.round(width * 0.001));
      o = Array.from({ length: k }, () => [Math.floor(rng() * width), 10 * 10 ** rng()] as [number, number]);
      hiddenOutliers.set(width, o);
    }
    return o;
  };
  for (const { name, cols } of layers) {
    const { group, hidden } = inputGroup(name);
    let a = groups.get(`${group}/${cols}`);
    if (!a) {
      const normal = normalSource(`${seed}/${group}`);
      const rng = seedrandom.alea(`${seed}/${group}/u`);
      a = new Float64Array(cols);
      for (let j = 0; j < cols; j++) a[j] = Math.exp(0.3 * normal());
      if (hidden) for (const [j, f] of pick(cols)) a[j] *= f;
      else {
        const k = Math.max(1, Math.round(cols * 0.005));
        for (let i = 0; i < k; i++) a[Math.floor(rng() * cols)] *= 3 + 7 * rng();
      }
      groups.set(`${group}/${cols}`, a);
    }
    out.set(key(name), a);
  }
  return out;
}

/** JSON text of statistics, in the format readActivationStats reads. */
export function statsJson(layers: Map<string, Float64Array>, description: string): string {
  const obj: Record<string, number[]> = {};
  for (const [n, v] of layers) obj[n] = Array.from(v, (x) => Number(x.toPrecision(7)));
  return JSON.stringify({ format: 'sopsim-stats', version: 1, description, layers: obj });
}
