// Fuzz targets: every reader of user input, a few valid seed files for each, and the mutations fast-check
// draws from them (truncations at every section boundary and anywhere, flipped bytes, huge or negative
// lengths and offsets, wrong dtypes and shapes, NaN/Inf values, empty tensors, and structural edits of the
// JSON headers with their lengths and checksums made consistent again, so the checks behind them are reached).
//
// A case ends one of three ways: accepted (the result then has to pass the target's consistency checks),
// rejected with one of sopsim's own one-line input errors naming the file, or anything else — a crash.

import fc from 'fast-check';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { BUNDLED_HW } from '../cli/hw.js';
import { npyImage, safetensorsImage } from './images.js';
import { loadUserCodebook } from '../../quant/codebooks/registry.js';
import { readActivationStats } from '../../quant/io/activations.js';
import { readNpy } from '../../quant/io/npy.js';
import { openSafetensors, readSafetensor, tensorValues } from '../../quant/io/safetensors.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { InputError } from '../../quant/io/tensor.js';
import { bitsAccount, decodeLayer, type QuantizedLayer } from '../../quant/layer.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers } from '../../sim/datapath/report.js';
import { decodeSopw, encodeSopw, sopwImage } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { withResiduals } from '../../quant/sop/residuals.js';
import { ConfigError, loadHwConfig } from '../../sim/config/load.js';
import { MAX_STEPS, readTrace } from '../../sim/trace/trace.js';

/** A valid input and the offsets where its sections begin and end. */
export interface Seed {
  bytes: Uint8Array;
  boundaries: number[];
  /** For structure-aware mutations: the JSON header, and how to rebuild the file around an edited one. */
  json?: { doc: unknown; rebuild: (doc: unknown) => Uint8Array };
  /** Checksummed binary data (a .sopw's sections): rebuild the file with edited data and its checksums made consistent. */
  data?: { bytes: Uint8Array; rebuild: (data: Uint8Array) => Uint8Array };
}

export interface Target {
  name: string;
  /** File name the case is written to (readers name it in their errors). */
  file: string;
  seeds: Seed[];
  /** Put what the cases refer to into the campaign's directory. */
  prepare?: (dir: string) => void;
  /** Read the file; throw InputError/ConfigError to reject, anything else is a crash; return problems with an accepted result. */
  read(path: string, caseBytes: Uint8Array, seed: Seed): string | null;
}

/** What a consistency check returns when an accepted result is wrong. */
export class WrongAnswer extends Error {}

const enc = new TextEncoder();
const jsonSeed = (doc: unknown): Seed => {
  const bytes = enc.encode(JSON.stringify(doc, null, 1));
  const boundaries = [0, bytes.length];
  // every structural character is a boundary: cutting there leaves a prefix that is still well-formed text
  for (let i = 0; i < bytes.length; i++) if ('{}[],:'.includes(String.fromCharCode(bytes[i]))) boundaries.push(i, i + 1);
  return { bytes, boundaries, json: { doc, rebuild: (d) => enc.encode(JSON.stringify(d)) } };
};

// ---- safetensors -------------------------------------------------------------------------------

function safetensorsSeed(): Seed {
  const w = synthesize({ dist: 't4', rows: 8, cols: 24, seed: 11 }).data;
  const f32 = new Uint8Array(w.buffer.slice(0));
  const bf16 = new Uint8Array(2 * 32);
  const dvb = new DataView(bf16.buffer);
  for (let i = 0; i < 32; i++) dvb.setUint16(2 * i, new Uint32Array(new Float32Array([w[i]]).buffer)[0] >>> 16, true);
  const f64 = new Uint8Array(new Float64Array(Array.from(w.subarray(0, 24))).buffer);
  const rms = new Uint8Array(new Float32Array(24).fill(1.5).buffer);
  const parts = [f32, bf16, f64, rms];
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const specs: Array<[string, string, number[]]> = [
    ['a.weight', 'F32', [8, 24]],
    ['b.weight', 'BF16', [4, 8]],
    ['c.weight', 'F64', [2, 12]],
    ['norm', 'F32', [24]],
  ];
  let off = 0;
  const boundaries = [0, 8];
  specs.forEach(([name, dtype], i) => {
    header[name] = { dtype, shape: specs[i][2], data_offsets: [off, off + parts[i].length] };
    off += parts[i].length;
  });
  const data = new Uint8Array(off);
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  const bytes = safetensorsImage(header, data);
  const start = bytes.length - data.length;
  boundaries.push(start);
  o = start;
  for (const p of parts) boundaries.push((o += p.length));
  return { bytes, boundaries, json: { doc: header, rebuild: (d) => safetensorsImage(d as Record<string, unknown>, data) } };
}

function checkTensor(rows: number, cols: number, data: ArrayLike<number>): string | null {
  if (!(rows >= 1 && cols >= 1 && data.length === rows * cols)) return `accepted a ${rows}x${cols} tensor holding ${data.length} values`;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `accepted a non-finite value at ${i}`;
  return null;
}

const safetensorsTarget: Target = {
  name: 'safetensors',
  file: 'case.safetensors',
  seeds: [safetensorsSeed()],
  read(path) {
    const f = openSafetensors(path);
    for (const n of f.names) {
      const e = f.entries[n];
      if (e.shape.length === 2) {
        const t = readSafetensor(f, n);
        const p = checkTensor(t.rows, t.cols, t.data);
        if (p) return `${n}: ${p}`;
      } else {
        const v = tensorValues(f, n);
        if (v.length !== e.shape.reduce((a, d) => a * d, 1)) return `${n}: ${v.length} values for shape [${e.shape}]`;
      }
    }
    return null;
  },
};

// ---- .npy --------------------------------------------------------------------------------------

function npySeeds(): Seed[] {
  const w = synthesize({ dist: 'gaussian', rows: 6, cols: 10, seed: 3 }).data;
  const f4 = new Uint8Array(w.buffer.slice(0));
  const f8 = new Uint8Array(new Float64Array(Array.from(w)).buffer);
  const seeds: Seed[] = [];
  for (const [descr, data, fortran, major] of [
    ['<f4', f4, false, 1],
    ['<f8', f8, true, 2],
  ] as Array<[string, Uint8Array, boolean, number]>) {
    const text = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (6, 10), }`;
    const bytes = npyImage(text, data, major);
    const start = bytes.length - data.length;
    seeds.push({ bytes, boundaries: [0, 6, 8, major === 1 ? 10 : 12, start, start + data.length / 2, bytes.length] });
  }
  return seeds;
}

const npyTarget: Target = {
  name: 'npy',
  file: 'case.npy',
  seeds: npySeeds(),
  read(path) {
    const t = readNpy(path);
    return checkTensor(t.rows, t.cols, t.data);
  },
};

// ---- packed .sopw ------------------------------------------------------------------------------

function sopwSeeds(): Seed[] {
  const t = synthesize({ dist: 't4', rows: 4, cols: 40, seed: 5 }, 'fuzz'); // 40: a partial block per row
  const layers = [
    quantize(t, 'sop4'),
    withResiduals(t, quantize(t, 'sop4', { selInScale: true }), 0.5),
    quantize(t, 'E2M3sUE4M4'),
    quantize(t, 'e4m3-pot'),
    quantize(t, 'nvfp4'),
    quantize(t, 'int4'),
  ];
  return layers.map((q) => {
    const bytes = encodeSopw(q);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hlen = dv.getUint32(8, true);
    const header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hlen)).toString('utf8')) as { sections: Array<{ offset: number; length: number }> };
    const dataStart = 16 + hlen;
    const boundaries = [0, 4, 6, 8, 12, 12 + hlen, dataStart, ...header.sections.flatMap((s) => [dataStart + s.offset, dataStart + s.offset + s.length])];
    const data = bytes.slice(dataStart);
    // data edited in place keeps every section's length: recompute their checksums, so the edit reaches the
    // checks behind them (the semantic ones)
    const reCrc = (d: Uint8Array) => {
      const h = JSON.parse(JSON.stringify(header)) as { sections: Array<{ offset: number; length: number; crc32: number }> };
      for (const s of h.sections) s.crc32 = crc32(d.subarray(s.offset, s.offset + s.length));
      return sopwImage(h, [d]);
    };
    return { bytes, boundaries, json: { doc: header, rebuild: (d) => sopwImage(d, [data]) }, data: { bytes: data, rebuild: reCrc } };
  });
}

const sopwTarget: Target = {
  name: 'sopw',
  file: 'case.sopw',
  seeds: sopwSeeds(),
  read(path, bytes, seed) {
    const f = decodeSopw(bytes, path);
    const w = decodeLayer(f.layer);
    const bits = bitsAccount(f.layer);
    if (!Number.isFinite(bits.bpw)) return `accepted a layer whose bpw is ${bits.bpw}`;
    for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i])) return `decodes weight ${i} to ${w[i]}`;
    if (f.header.bpw !== bits.bpw) return `header bpw ${f.header.bpw}, contents ${bits.bpw}`;
    // bytes outside the checksummed header and sections are the reserved preamble field only: an image
    // that differs from its seed only there must decode to the seed's weights bit for bit
    const diff: number[] = [];
    if (bytes.length === seed.bytes.length) for (let i = 0; i < bytes.length && diff.length < 2; i++) if (bytes[i] !== seed.bytes[i]) diff.push(i);
    if (bytes.length === seed.bytes.length && diff.every((i) => i === 6 || i === 7)) {
      const ref = decodeLayer(decodeSopw(seed.bytes).layer);
      for (let i = 0; i < w.length; i++) if (!Object.is(w[i], ref[i])) return `weight ${i} decodes to ${w[i]}, the original is ${ref[i]}`;
    }
    return null;
  },
};

// ---- JSON documents: traces, hw-configs, statistics, codebooks -----------------------------------

const traceTarget: Target = {
  name: 'trace',
  file: 'case-trace.json',
  seeds: [
    jsonSeed({ format: 'sopsim-trace', version: 1, name: 'fuzz', tokens: 2, layers: [{ name: 'q', weights: 'synthetic:t4:16x64:1', scheme: 'sop4', repeat: 2 }, { sopw: 'x.sopw' }] }),
    jsonSeed({ format: 'sopsim-trace', version: 1, name: 'fuzz-model', passes: 2, synthetic_model: { model: 'tiny', seed: 3, scheme: 'sop4', schemes: { 'mlp.down_proj': 'E2M3sUE4M4' }, slice_rows: 8, layers: 1 } }),
  ],
  read(path) {
    const t = readTrace(path);
    if (t.steps.length === 0 || t.steps.length > MAX_STEPS) return `accepted a trace of ${t.steps.length} steps`;
    for (const s of t.steps) if (!!s.sopw === !!s.weights) return `step '${s.name}' has both or neither of sopw and weights`;
    return null;
  },
};

function hwSeeds(): Seed[] {
  return ['sop-hif.json', 'fp8-e4m3.json'].map((f) => jsonSeed(JSON.parse(readFileSync(join(BUNDLED_HW, f), 'utf8'))));
}

let tiny: QuantizedLayer | null = null;

const hwTarget: Target = {
  name: 'hw-config',
  file: 'case-hw.json',
  seeds: hwSeeds(),
  // the configs name their technology table by a relative path: it sits beside the case
  prepare: (dir) => ['technology.json', 'sram-cacti.json'].forEach((f) => copyFileSync(join(BUNDLED_HW, f), join(dir, f))),
  read(path) {
    const c = loadHwConfig(path);
    if (!(c.hw.clock_ghz.value > 0)) return `accepted clock ${c.hw.clock_ghz.value} GHz`;
    // an accepted config must simulate: the same counters in both modes, and the conservation laws
    tiny ??= quantize(synthesize({ dist: 't4', rows: 4, cols: 40, seed: 9 }, 'tiny'), 'sop4');
    const n = 4 * 40;
    const runs = (['fast', 'event'] as const).map((mode) => runLayers(c, [buildLayerWork(tiny!, c, 2, 'tiny')], { mode }).total);
    if (JSON.stringify(runs[0].counters) !== JSON.stringify(runs[1].counters)) return 'event and fast mode counters differ';
    for (const r of runs) {
      if (r.weights_decoded !== n) return `${r.weights_decoded} weights decoded, the layer has ${n}`;
      if (r.busy_cycles + r.stall_cycles.total !== r.cycles) return 'busy + stall cycles differ from the cycles';
      if (r.cycles < r.bounds.dram_cycles || r.cycles < r.bounds.lane_cycles || r.cycles < r.bounds.mac_cycles) return `${r.cycles} cycles, below a bound`;
      const parts = Object.entries(r.energy_pj).filter(([k]) => k !== 'total').reduce((a, [, v]) => a + v, 0);
      if (!(Math.abs(parts - r.energy_pj.total) <= 1e-9 * Math.max(1, Math.abs(r.energy_pj.total)))) return `energy ${r.energy_pj.total} pJ is not the sum of its parts (${parts})`;
    }
    return null;
  },
};

const statsTarget: Target = {
  name: 'stats',
  file: 'case-stats.json',
  seeds: [jsonSeed({ format: 'sopsim-stats', version: 1, layers: { 'model.layers.0.self_attn.q_proj': [1, 2.5, 0.5, 30, 1, 1, 1, 1], 'x.down': [0, 1] } })],
  read(path) {
    const s = readActivationStats(path);
    for (const [n, v] of s.layers) for (let i = 0; i < v.length; i++) if (!(Number.isFinite(v[i]) && v[i] >= 0)) return `${n}[${i}] = ${v[i]}`;
    return null;
  },
};

const codebookTarget: Target = {
  name: 'codebook',
  file: 'case-codebook.json',
  seeds: [
    jsonSeed({ name: 'FUZZ4', levels: [-1, -0.7, -0.5, -0.35, -0.22, -0.12, -0.05, 0, 0.05, 0.12, 0.22, 0.35, 0.5, 0.7, 0.85, 1] }),
    jsonSeed([-1, -0.8, -0.6, -0.45, -0.3, -0.2, -0.1, 0, 0.08, 0.16, 0.25, 0.36, 0.5, 0.65, 0.8, 1]),
  ],
  read(path) {
    const cb = loadUserCodebook(path);
    const lv = Array.from(cb.levels);
    if (lv.length !== 16 || new Set(lv).size !== 16 || !lv.every((v) => v >= -1 && v <= 1) || Math.max(...lv.map(Math.abs)) !== 1) return `accepted levels ${lv.join(',')}`;
    return null;
  },
};

export const TARGETS: Target[] = [safetensorsTarget, npyTarget, sopwTarget, traceTarget, hwTarget, statsTarget, codebookTarget];

// ---- mutations ----------------------------------------------------------------------------------

/** Values that break naive readers: huge, negative, fractional, wrong types, empty. */
const evilValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 1e-320, '', 'F8_E4M3', 'I8', 'NaN', 'Infinity', null, true, [], {}, [0], [0, 5], [1e12, 1e12], [-4, 8], [2.5, 3], [[]], { a: 1 }),
  fc.integer({ min: -10, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer({ min: -5, max: 70 }), { maxLength: 4 }),
);

/** Every path into a JSON value (objects and arrays), root first. */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function editJson(doc: unknown, pick: number, op: 'replace' | 'delete' | 'add', value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  const all = paths(copy).slice(1);
  if (all.length === 0) return value;
  const p = all[pick % all.length];
  let parent = copy as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = p[p.length - 1];
  if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (op === 'add' && !Array.isArray(parent)) parent[`fuzz_${pick % 7}`] = value;
  else parent[key] = value;
  return copy;
}

export type Mutation =
  | { kind: 'seed' }
  | { kind: 'truncate-boundary'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; flips: Array<[number, number]> }
  | { kind: 'overwrite'; at: number; value: number; width: 4 | 8 }
  | { kind: 'nonfinite'; at: number; pattern: number }
  | { kind: 'json'; pick: number; op: 'replace' | 'delete' | 'add'; value: unknown }
  | { kind: 'json2'; edits: Array<{ pick: number; op: 'replace' | 'delete' | 'add'; value: unknown }> }
  /** A key named like an Object.prototype member, as an own key, somewhere in the JSON. */
  | { kind: 'proto'; pick: number; key: string; value: unknown }
  /** Bytes of checksummed data changed with the checksums made consistent (semantic edits CRCs cannot catch). */
  | { kind: 'data'; flips: Array<[number, number]> }
  /** A field set to a value of the right type and the wrong meaning. */
  | { kind: 'semantic'; edit: number }
  /** Not a regular file at the path: a folder, a FIFO, a link to a device, a dangling link. */
  | { kind: 'special'; what: 'folder' | 'fifo' | 'device' | 'dangling' };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'seed' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('truncate-boundary' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('overwrite' as const),
      at: fc.nat(),
      value: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 2 ** 40, Number.MAX_SAFE_INTEGER),
      width: fc.constantFrom(4 as const, 8 as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nonfinite' as const), at: fc.nat(), pattern: fc.constantFrom(0x7fc00000, 0x7f800000, 0xff800000) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('json' as const), pick: fc.nat(), op: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const), value: evilValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('json2' as const),
      edits: fc.array(fc.record({ pick: fc.nat(), op: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const), value: evilValue }), { minLength: 2, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('proto' as const), pick: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'length'), value: evilValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('data' as const), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('semantic' as const), edit: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('special' as const), what: fc.constantFrom('folder' as const, 'fifo' as const, 'device' as const, 'dangling' as const) }) },
);

/** Edits of the right type and the wrong meaning, applied where the document has the field. */
const SEMANTIC: Array<(d: Record<string, any>) => void> = [
  (d) => 'tensor_scale' in d && (d.tensor_scale = 1e308),
  (d) => 'tensor_scale' in d && (d.tensor_scale = 0),
  (d) => d.books?.[0]?.levels && (d.books[0].levels = d.books[0].levels.slice(0, 2)),
  (d) => d.books?.[0]?.levels && (d.books[0].levels = d.books[0].levels.map((v: number) => v * 1e306)),
  (d) => d.books?.[0]?.format && (d.books[0].format = 'E2M1'),
  (d) => d.books?.[0]?.format && (d.books[0].format = 'E4M3'),
  (d) => d.books?.[0]?.bits && (d.books[0].bits = 2),
  (d) => d.books?.find((b: { entries?: number }) => b.entries) && (d.books.find((b: { entries?: number }) => b.entries).hif_exponent = 1000),
  (d) => 'bpw' in d && (d.bpw = 1),
  (d) => d.bits && (d.bits.total += 8),
  (d) => d.scale && (d.scale.signed = !d.scale.signed),
  (d) => d.scale?.format && (d.scale.format = 'UE8M0'),
  (d) => 'residuals' in d && (d.residuals += 1),
  (d) => d.shape && (d.shape = [d.shape[1], d.shape[0]]),
  (d) => d.books?.[0] && (d.books[0].name = 0),
  (d) => d.layers?.[0] && (d.layers[0].repeat = 1_000_001),
  (d) => d.layers?.[0] && (d.layers[0].tokens = 0),
  (d) => d.clock_ghz && (d.clock_ghz.value = 5e-324),
  (d) => d.lut && typeof d.lut === 'object' && (d.lut.banks = 1 << 20),
  (d) => d.weight_buffer && (d.weight_buffer.tile_bytes = 1),
  (d) => d.levels && (d.levels = [1, 1]),
];

/** The bytes of a case: the seed with one mutation applied. */
export function applyMutation(seed: Seed, m: Mutation): Uint8Array {
  const b = seed.bytes;
  switch (m.kind) {
    case 'seed':
      return b.slice();
    case 'truncate-boundary':
      return b.slice(0, seed.boundaries[m.at % seed.boundaries.length]);
    case 'truncate':
      return b.slice(0, m.at % (b.length + 1));
    case 'flip': {
      const out = b.slice();
      for (const [at, x] of m.flips) if (out.length) out[at % out.length] ^= x;
      return out;
    }
    case 'overwrite':
    case 'nonfinite': {
      const out = b.slice();
      const width = m.kind === 'overwrite' ? m.width : 4;
      if (out.length < width) return out;
      const at = m.at % (out.length - width + 1);
      const dv = new DataView(out.buffer);
      if (m.kind === 'nonfinite') dv.setUint32(at, m.pattern, true);
      else if (width === 8) dv.setBigUint64(at, BigInt(m.value), true);
      else dv.setUint32(at, m.value >>> 0, true);
      return out;
    }
    case 'proto': {
      if (!seed.json) return b.slice();
      const copy = JSON.parse(JSON.stringify(seed.json.doc)) as unknown;
      const objs = paths(copy).map((p) => p.reduce<any>((o, k) => o[k], copy)).filter((o) => o && typeof o === 'object' && !Array.isArray(o));
      if (objs.length) Object.defineProperty(objs[m.pick % objs.length], m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      return seed.json.rebuild(copy);
    }
    case 'data': {
      if (!seed.data) return b.slice();
      const d = seed.data.bytes.slice();
      for (const [at, x] of m.flips) if (d.length) d[at % d.length] ^= x;
      return seed.data.rebuild(d);
    }
    case 'semantic': {
      if (!seed.json) return b.slice();
      const copy = JSON.parse(JSON.stringify(seed.json.doc)) as Record<string, any>;
      SEMANTIC[m.edit % SEMANTIC.length](copy);
      return seed.json.rebuild(copy);
    }
    case 'special':
      return b.slice(); // the runner puts a special file at the path instead (placeSpecial)
    case 'json':
    case 'json2': {
      if (!seed.json) return b.slice(0, Math.max(0, b.length - 1));
      const edits = m.kind === 'json' ? [m] : m.edits;
      let doc = seed.json.doc;
      for (const e of edits) doc = editJson(doc, e.pick, e.op, e.value);
      return seed.json.rebuild(doc);
    }
  }
}

// ---- running a campaign -------------------------------------------------------------------------

export interface Failure {
  target: string;
  index: number;
  mutation: Mutation;
  kind: 'crash' | 'wrong' | 'not one line' | 'unnamed file' | 'hang';
  message: string;
}

export interface CampaignResult {
  target: string;
  cases: number;
  accepted: number;
  rejected: number;
  crashes: number;
  wrong: number;
  hangs: number;
  maxMs: number;
  seconds: number;
  failures: Failure[];
  /** Some rejected cases (bytes and message), for checking the CLI's exit code on them. */
  rejectedSamples: Array<{ bytes: Uint8Array; message: string }>;
}

/** A case slower than this counts as a hang (readers are linear in small inputs: milliseconds at most). */
export const HANG_MS = 2000;

/** Put a folder, a FIFO, a link to a device or a dangling link at `path`. */
function placeSpecial(path: string, what: 'folder' | 'fifo' | 'device' | 'dangling'): void {
  if (what === 'folder') mkdirSync(path);
  else if (what === 'fifo') execFileSync('mkfifo', [path]);
  else symlinkSync(what === 'device' ? '/dev/zero' : `${path}.nowhere`, path);
}

export function runCampaign(target: Target, cases: number, seed: number, dir: string): CampaignResult {
  mkdirSync(dir, { recursive: true });
  target.prepare?.(dir);
  const path = join(dir, target.file);
  const plan = fc.sample(fc.tuple(fc.nat(), mutation), { numRuns: cases, seed });
  const r: CampaignResult = { target: target.name, cases, accepted: 0, rejected: 0, crashes: 0, wrong: 0, hangs: 0, maxMs: 0, seconds: 0, failures: [], rejectedSamples: [] };
  const t0 = performance.now();
  plan.forEach(([s, m], index) => {
    const sd = target.seeds[s % target.seeds.length];
    const bytes = applyMutation(sd, m);
    rmSync(path, { recursive: true, force: true });
    if (m.kind === 'special') placeSpecial(path, m.what);
    else writeFileSync(path, bytes);
    const c0 = performance.now();
    const fail = (kind: Failure['kind'], message: string) => r.failures.length < 20 && r.failures.push({ target: target.name, index, mutation: m, kind, message });
    try {
      const problem = target.read(path, bytes, sd);
      if (problem) {
        r.wrong++;
        fail('wrong', problem);
      } else r.accepted++;
    } catch (e) {
      const clean = e instanceof InputError || e instanceof ConfigError;
      const msg = (e as Error)?.message ?? String(e);
      if (!clean) {
        r.crashes++;
        fail('crash', `${(e as Error)?.name}: ${msg}\n${(e as Error)?.stack ?? ''}`);
      } else if (msg.includes('\n')) {
        r.crashes++;
        fail('not one line', msg);
      } else if (!msg.includes(path)) {
        r.crashes++;
        fail('unnamed file', msg);
      } else {
        r.rejected++;
        if (r.rejectedSamples.length < 40 && index % 7 === 0) r.rejectedSamples.push({ bytes, message: msg });
      }
    }
    const ms = performance.now() - c0;
    if (ms > r.maxMs) r.maxMs = ms;
    if (ms > HANG_MS) {
      r.hangs++;
      fail('hang', `${ms.toFixed(0)} ms`);
    }
  });
  rmSync(path, { recursive: true, force: true });
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}
