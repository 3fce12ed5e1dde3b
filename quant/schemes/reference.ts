// Reference schemes, to the letter of their public specs (docs/MODEL.md §7). Blocks run along `in`; x / scale
// is computed in float64, then rounded to nearest even and clamped to the element format's largest value.

import { getCodebook } from '../codebooks/registry.js';
import { float32Bits, floorLog2 } from '../formats/bits.js';
import { getFormat } from '../formats/registry.js';
import { geometry, type ElementBook, type QuantizedLayer } from '../layer.js';
import type { Tensor2D } from '../io/tensor.js';
import { blockEncode, blockStats, forEachBlock } from '../sop/kernels.js';
import { codebookBook, formatBook, intBook } from './books.js';

function baseLayer(t: Tensor2D, scheme: string, block: number, book: ElementBook, elementBits: number): QuantizedLayer {
  const geom = geometry(t.rows, t.cols, block);
  return {
    name: t.name,
    scheme,
    geom,
    elementBits,
    books: [book],
    codes: elementBits <= 8 ? new Uint8Array(t.rows * t.cols) : new Uint16Array(t.rows * t.cols),
    scale: { format: null, signed: false, magnitudeBits: 0 },
    scaleCodes: new Uint32Array(geom.blocks),
    scaleSigns: null,
    scales: new Float64Array(geom.blocks).fill(1),
    sel: null,
    selInScale: false,
    tensorScale: 1,
    tensorScaleBits: 0,
    lut: 'exact',
    info: {},
  };
}

/** Encode every block with its scale (already in q.scales) and the single book. */
function encodeAll(t: Tensor2D, q: QuantizedLayer): QuantizedLayer {
  const grid = q.books[0].grid;
  forEachBlock(q.geom, (b, off, len) => blockEncode(t.data, off, len, q.scales[b], q.tensorScale, grid, q.codes, true));
  return q;
}

/** FP8 E4M3 with one power-of-two scale per layer: s = 2^ceil(log2(amax / 448)). 8.0 bpw + 8 bits. */
export function e4m3Pot(t: Tensor2D): QuantizedLayer {
  const fmt = getFormat('E4M3');
  const q = baseLayer(t, 'e4m3-pot', 0, formatBook(fmt), 8);
  let amax = 0;
  for (let i = 0; i < t.data.length; i++) amax = Math.max(amax, Math.abs(t.data[i]));
  let p = amax > 0 ? Math.ceil(Math.log2(amax / fmt.maxFinite)) : 0;
  // exact ceil: the least p with amax / 2^p <= 448
  while (amax > 0 && amax / 2 ** p > fmt.maxFinite) p++;
  while (amax > 0 && amax / 2 ** (p - 1) <= fmt.maxFinite) p--;
  q.tensorScale = 2 ** p;
  q.tensorScaleBits = 8; // the exponent p as a signed byte
  q.info = { pot_exponent: p };
  return encodeAll(t, q);
}

const MX_ELEMENT: Record<string, { format: string; emax: number }> = {
  mxfp8: { format: 'E4M3', emax: 8 },
  'mxfp6-e2m3': { format: 'E2M3', emax: 2 },
  'mxfp6-e3m2': { format: 'E3M2', emax: 4 },
  mxfp4: { format: 'E2M1', emax: 2 },
};

/** OCP MX v1.0: g = 32, shared UE8M0 scale 2^(floor(log2 amax) - emax). */
export function mx(t: Tensor2D, scheme: keyof typeof MX_ELEMENT | string): QuantizedLayer {
  const spec = MX_ELEMENT[scheme];
  const fmt = getFormat(spec.format);
  const q = baseLayer(t, scheme, 32, formatBook(fmt), fmt.bits);
  const e8m0 = getFormat('UE8M0');
  q.scale = { format: 'UE8M0', signed: false, magnitudeBits: 8 };
  const st = blockStats(t.data, q.geom);
  for (let b = 0; b < q.geom.blocks; b++) {
    // an all-zero block takes the smallest scale; the elements are zero whatever it is
    let x = st.amax[b] > 0 ? floorLog2(st.amax[b]) - spec.emax : -127;
    x = Math.max(-127, Math.min(127, x));
    q.scaleCodes[b] = x + e8m0.bias;
    q.scales[b] = 2 ** x;
  }
  return encodeAll(t, q);
}

/** NVFP4: E2M1, g = 16, UE4M3 block scale over an FP32 tensor scale s_t = amax / (448·6). */
export function nvfp4(t: Tensor2D): QuantizedLayer {
  const fmt = getFormat('E2M1');
  const ue4m3 = getFormat('UE4M3');
  const q = baseLayer(t, 'nvfp4', 16, formatBook(fmt), 4);
  q.scale = { format: 'UE4M3', signed: false, magnitudeBits: 8 };
  const st = blockStats(t.data, q.geom);
  const st32 = st.max > 0 ? Math.fround(st.max / (448 * 6)) : 1;
  q.tensorScale = st32;
  q.tensorScaleBits = 32;
  for (let b = 0; b < q.geom.blocks; b++) {
    let code = ue4m3.encode(st.amax[b] / 6 / st32);
    if (ue4m3.values[code] === 0) code = ue4m3.encode(1); // a zero scale becomes 1
    q.scaleCodes[b] = code;
    q.scales[b] = ue4m3.values[code];
  }
  return encodeAll(t, q);
}

/** QLoRA-style NF4: g = 64, FP32 absmax per block, nearest level (ties to the lower index). */
export function nf4b64(t: Tensor2D): QuantizedLayer {
  const book = codebookBook(getCodebook('NF4'), { kind: 'exact' }, false, false);
  const q = baseLayer(t, 'nf4-b64', 64, book, 4);
  q.scale = { format: 'FP32', signed: false, magnitudeBits: 32 };
  const st = blockStats(t.data, q.geom);
  for (let b = 0; b < q.geom.blocks; b++) {
    const s = Math.fround(st.amax[b]);
    q.scales[b] = s;
    q.scaleCodes[b] = float32Bits(s);
  }
  return encodeAll(t, q);
}

/** Symmetric integers: g = 32, FP32 scale amax / (2^(b-1) - 1), round half to even, clamp. */
export function intScheme(t: Tensor2D, bits: 4 | 8): QuantizedLayer {
  const book = intBook(bits);
  const qmax = 2 ** (bits - 1) - 1;
  const q = baseLayer(t, `int${bits}`, 32, book, bits);
  q.scale = { format: 'FP32', signed: false, magnitudeBits: 32 };
  const st = blockStats(t.data, q.geom);
  for (let b = 0; b < q.geom.blocks; b++) {
    const s = Math.fround(st.amax[b] / qmax);
    q.scales[b] = s;
    q.scaleCodes[b] = float32Bits(s);
  }
  return encodeAll(t, q);
}
