// The datapath twin: runs layers on a hw-config through rtl/sop_datapath.sv (built with Verilator) and
// through sopsim's event mode, and compares cycles, every counter both have, the decoded weights and the
// first token's outputs. The twin takes the hw-config's fields and the packed layers' contents as loader
// writes (a program file); everything it reports it computes itself, cycle by cycle.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { RESIDUAL_BITS, blockCodeBits } from '../../quant/layer.js';
import { bf16Value } from '../../quant/formats/bits.js';
import type { LoadedConfig } from '../../sim/config/load.js';
import { sectionOf } from '../../sim/config/load.js';
import { ConfigError } from '../../sim/config/errors.js';
import type { Block } from '../../sim/core/block.js';
import type { Decoder } from '../../sim/core/decoder.js';
import { Datapath } from '../../sim/datapath/datapath.js';
import { presentDecoders, type LayerWork } from '../../sim/datapath/layer-work.js';
import type { LutSram } from '../../sim/lut-sram/lut-sram.js';
import type { MacArray } from '../../sim/mac-array/mac-array.js';
import { operandBits } from '../../sim/energy/logic.js';
import { buildTwin } from './verilator.js';

/** The twin's counters, in its order (rtl/sop_datapath.sv K_*), as component.name. */
export const TWIN_COUNTERS = [
  'weight_fetch.dram_bytes', 'weight_fetch.padding_bytes', 'weight_fetch.requests', 'weight_fetch.busy_cycles', 'weight_fetch.table_bytes',
  'weight_buffer.reads', 'weight_buffer.writes', 'weight_buffer.bits_read', 'weight_buffer.bits_written',
  'unpacker.weights', 'unpacker.groups',
  'selection_mux.blocks', 'selection_mux.to_lut', 'selection_mux.to_rom', 'selection_mux.selects',
  'codebook_rom.lookups',
  'lut_sram.reads', 'lut_sram.writes', 'lut_sram.reloads', 'lut_sram.hits', 'lut_sram.prefetches', 'lut_sram.evictions',
  'hif_output.conversions', 'scale_multiplier.multiplies', 'sparse_add.residuals', 'sparse_add.adds',
  'activation_buffer.reads', 'activation_buffer.writes',
  'mac_array.macs', 'mac_array.table_macs', 'mac_array.direct_macs', 'mac_array.output_scales',
  'accumulator.updates', 'accumulator.drains', 'fp8_decode.decodes',
  'datapath.cycles', 'datapath.busy_cycles', 'datapath.layers',
  'stalls.dram', 'stalls.lut_port', 'stalls.mac', 'stalls.scale', 'stalls.sparse', 'stalls.lut_reload', 'stalls.fill', 'stalls.activation',
] as const;

const MAX_LANES = 64;
const SIZES = { W: 1 << 21, B: 1 << 17, T: 1 << 13, R: 1 << 14, O: 1 << 15, LAYERS: 32, TABLES: 16 };
const SEL = { cfg: 0, layer: 1, code: 2, book: 3, scale: 4, table: 5, resIndex: 6, resValue: 7, act: 8, readback: 15 };
const RK = { tabled: 1, lut: 2, rom: 4, fp8: 8 };
const UNITS = ['mac_array', 'lut_sram', 'scale_multiplier', 'activation_buffer'];

/** The twin's executable (built once per RTL source, cached). */
export function buildDatapathTwin(): string {
  return buildTwin('sop_datapath', ['twin_pkg.sv', 'sop_datapath.sv', 'sop_datapath_tb.cpp']);
}

export interface TwinRun {
  cycles: number;
  counters: Record<string, number>;
  values: Float64Array;
  outputs: Float64Array;
}

export interface TwinComparison {
  rtl: { cycles: number; counters: Record<string, number> };
  sim: { cycles: number; counters: Record<string, number> };
  cycles_equal: boolean;
  /** Counters both report that differ (component.name: [rtl, sim]). */
  counters_differing: Record<string, [number, number]>;
  counters_compared: number;
  values_equal: boolean;
  values_compared: number;
  first_value_difference: null | { what: 'weight' | 'output'; index: number; rtl: number; sim: number };
}

/** A binary64 as the twin's exact value: sign, integer significand (odd or zero), power of two. */
function exact(v: number, what: string): bigint {
  if (!Number.isFinite(v)) v = 0; // a code no weight uses (a NaN of a format table)
  const f = new Float64Array([v]);
  const bits = new BigUint64Array(f.buffer)[0];
  const sign = bits >> 63n;
  const field = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = field - 1075;
  if (field === 0) exp = -1074;
  else mant |= 1n << 52n;
  if (mant === 0n) return sign << 63n;
  while ((mant & 1n) === 0n) {
    mant >>= 1n;
    exp++;
  }
  if (mant >= 1n << 48n || exp < -16384 || exp > 16383) throw new ConfigError(`RTL twin: ${what} ${v} needs more than the twin's 48-bit significand`);
  return (sign << 63n) | ((BigInt(exp) & 0x7fffn) << 48n) | mant;
}

function significantBits(v: number): number {
  const x = exact(v, 'value');
  const m = x & ((1n << 48n) - 1n);
  return m === 0n ? 0 : m.toString(2).length;
}

/** x as an exact rational num/den with a power-of-ten denominator (config decimals). */
function rational(x: number): [bigint, bigint] {
  for (let k = 0; k <= 12; k++) {
    const den = 10 ** k;
    const num = Math.round(x * den);
    if (Math.abs(num / den - x) < 1e-12 * Math.max(1, Math.abs(x))) return [BigInt(num), BigInt(den)];
  }
  throw new ConfigError(`RTL twin: ${x} is not a decimal of at most 12 places`);
}

class Program {
  private readonly recs: Buffer[] = [];
  put(sel: number, addr: number, data: bigint | number): void {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(sel, 0);
    b.writeUInt32LE(addr, 4);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(data)), 8);
    this.recs.push(b);
  }
  bytes(): Buffer {
    return Buffer.concat(this.recs);
  }
}

/** The first token's activations of a layer: seeded BF16 values (any sign, magnitudes 2^-4 to 2^4). */
export function twinActivations(cols: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  const x = new Float64Array(cols);
  for (let i = 0; i < cols; i++) {
    const bits = ((rng() < 0.5 ? 1 : 0) << 15) | ((123 + Math.floor(rng() * 9)) << 7) | Math.floor(rng() * 128);
    x[i] = bf16Value(bits);
  }
  return x;
}

/** Refuse what the twin cannot hold, naming the limit. */
function check(cond: boolean, what: string): void {
  if (!cond) throw new ConfigError(`RTL twin: ${what}`);
}

function configRegisters(cfg: LoadedConfig, dp: Datapath, works: LayerWork[]): bigint[] {
  const sec = <C>(k: string) => sectionOf<C>(cfg, k);
  const unp = sec<{ lanes: number }>('unpacker')!;
  const buf = sec<{ slots: number; width_bits: number }>('weight_buffer')!;
  const mac = sec<{ macs_per_cycle: number }>('mac_array')!;
  const macImpl = cfg.blocks.find((b) => b.kind === 'mac_array')!.def.impl;
  check(macImpl === 'mac-grid', `mac_array.impl '${macImpl}': the twin models the mac-grid MAC array only`);
  check(['sop', 'fp8'].includes(cfg.datapath.name), `datapath '${cfg.datapath.name}': the twin models the sop and fp8 datapaths only`);
  const scale = cfg.blocks.find((b) => b.kind === 'scale_multiplier');
  const act = sec<{ width_bits: number; banks: number }>('activation_buffer')!;
  const sparse = sec<{ lanes: number }>('sparse_add');
  const lut = sec<{ banks: number; ports: number; replicas: number; capacity_bytes: number; prefetch: boolean }>('lut_sram');
  const fetch = dp.block<Block & { latency: number; burst: number }>('weight_fetch');
  const fetchConf = sec<{ gb_per_s: { value: number } }>('weight_fetch')!;
  check(unp.lanes <= MAX_LANES, `unpacker.lanes ${unp.lanes}: the twin is built for at most ${MAX_LANES} lanes`);
  check(buf.width_bits % 8 === 0, `weight_buffer.width_bits ${buf.width_bits}: the twin takes whole bytes`);
  check(buf.slots <= 16, `weight_buffer.slots ${buf.slots}: the twin has at most 16`);
  const [gn, gd] = rational(fetchConf.gb_per_s.value);
  const [cn, cd] = rational(cfg.hw.clock_ghz.value);
  const decoders = presentDecoders(cfg).map((b) => b.kind);
  let routeKinds = 0n;
  decoders.forEach((k, r) => {
    const d = dp.block<Decoder>(k);
    const kind = (d.tabled ? RK.tabled : 0) | (k === 'lut_sram' ? RK.lut : k === 'codebook_rom' ? RK.rom : k === 'fp8_decode' ? RK.fp8 : 0);
    routeKinds |= BigInt(kind) << BigInt(4 * r);
  });
  let rank = 0n;
  UNITS.forEach((u, i) => {
    const at = cfg.datapath.stallOrder.indexOf(u);
    rank |= BigInt(at < 0 ? 15 : at) << BigInt(4 * i);
  });
  const lutBlock = lut ? dp.block<LutSram>('lut_sram') : null;
  const big = 1n << 40n;
  return [
    BigInt(unp.lanes), BigInt(buf.slots), BigInt(mac.macs_per_cycle),
    BigInt((scale?.conf as { units?: number } | undefined)?.units ?? 0), BigInt(!scale ? 0 : scale.def.impl === 'per-block' ? 1 : 2),
    BigInt(act.width_bits), BigInt(operandBits(dp.block<MacArray>('mac_array').activation)), BigInt(act.banks),
    sparse ? BigInt(sparse.lanes) : big,
    BigInt(lut?.banks ?? 1), BigInt(lut?.ports ?? 1), BigInt(lut?.replicas ?? 1), BigInt(lut?.capacity_bytes ?? 0),
    BigInt(lutBlock?.entryBits ?? 0), BigInt(lutBlock ? lutBlock.tableBytes({ id: '', entries: 0 }) : 0), lut?.prefetch ? 1n : 0n,
    gn * cd, gd * cn, BigInt(fetch.latency), BigInt(fetch.burst), BigInt(cfg.hw.pipeline_depth.value),
    BigInt(buf.width_bits / 8), BigInt(works.length), routeKinds, cfg.blocks.some((b) => b.kind === 'selection_mux') ? 1n : 0n,
    BigInt(RESIDUAL_BITS), rank,
  ];
}

/** Write the loader program for layers `works` on `cfg` (activations per layer: the first token's). */
export function twinProgram(cfg: LoadedConfig, works: LayerWork[], acts: Float64Array[]): Buffer {
  const dp = new Datapath(cfg);
  const p = new Program();
  configRegisters(cfg, dp, works).forEach((v, i) => p.put(SEL.cfg, i, v));
  check(works.length <= SIZES.LAYERS, `${works.length} layers: the twin holds at most ${SIZES.LAYERS}`);
  const ids = new Map<string, number>();
  const idOf = (s: string) => (ids.has(s) ? ids.get(s)! : (ids.set(s, ids.size + 1), ids.size));
  let wb = 0, bb = 0, tb = 0, rb = 0, ob = 0, xb = 0;
  works.forEach((w, l) => {
    const q = w.layer;
    const { rows, cols, block, blocksPerRow, blocks } = q.geom;
    check(w.rows === rows, `layer '${w.name}' repeats a slice of ${rows} rows to ${w.rows}; the twin runs whole layers`);
    check(wb + rows * cols <= SIZES.W && bb + blocks <= SIZES.B && ob + rows <= SIZES.O && xb + cols <= SIZES.O, `the layers exceed the twin's memories (${SIZES.W} weights, ${SIZES.B} blocks, ${SIZES.O} rows)`);
    check(w.lutTables.length <= 2 && q.books.length <= 2, `layer '${w.name}': the twin holds at most two books a layer`);
    check(blockCodeBits(q) === null, `layer '${w.name}': the twin takes one code width a layer (a mixed-width layer such as FGMP's is not in it)`);
    const scaleBits = Math.max(0, ...Array.from(q.scales, significantBits));
    const tableBits = Math.max(0, ...q.books.flatMap((b) => Array.from(b.table, significantBits)));
    check(tableBits + scaleBits + significantBits(q.tensorScale) <= 53, `layer '${w.name}': decoded weights need over 53 significant bits; they are not exact in binary64`);
    const tBase = [tb, tb];
    q.books.forEach((b, j) => {
      tBase[j] = tb;
      check(tb + b.table.length <= SIZES.T, `the layers' tables exceed the twin's ${SIZES.T} entries`);
      b.table.forEach((v, i) => p.put(SEL.table, tb + i, exact(v, `table ${b.name} entry ${i}`)));
      tb += b.table.length;
    });
    for (let i = 0; i < rows * cols; i++) p.put(SEL.code, wb + i, q.codes[i]);
    for (let b = 0; b < blocks; b++) {
      if (q.sel) p.put(SEL.book, bb + b, q.sel[b]);
      p.put(SEL.scale, bb + b, exact(q.scales[b], `block ${b} scale`));
    }
    const res = q.residuals;
    const nres = res?.index.length ?? 0;
    check(rb + nres <= SIZES.R, `the layers' corrections exceed the twin's ${SIZES.R}`);
    if (res) {
      const order = Array.from(res.index.keys()).sort((a, b) => res.index[a] - res.index[b]);
      order.forEach((k, j) => {
        p.put(SEL.resIndex, rb + j, res.index[k]);
        p.put(SEL.resValue, rb + j, exact(bf16Value(res.bf16[k]), 'correction'));
      });
    }
    acts[l].forEach((v, i) => p.put(SEL.act, xb + i, exact(v, 'activation')));
    const t = w.lutTables;
    const fields = [
      w.n, rows, cols, block, blocksPerRow, w.tileWeights, w.tiles, q.elementBits, w.fieldBits, q.tensorScaleBits, w.tokens,
      wb, bb, tBase[0], tBase[1], rb, nres, t.length, t[0] ? idOf(t[0].id) : 0, t[0]?.entries ?? 0, t[1] ? idOf(t[1].id) : 0, t[1]?.entries ?? 0,
      w.hasBlockScales ? 1 : 0, q.sel && q.books.length > 1 ? 1 : 0, exact(q.tensorScale, 'tensor scale'), ob, xb, w.routes[0], w.routes[1] ?? w.routes[0],
    ];
    fields.forEach((v, f) => p.put(SEL.layer, l * 32 + f, typeof v === 'bigint' ? v : BigInt(v)));
    wb += rows * cols;
    bb += blocks;
    rb += nres;
    ob += rows;
    xb += cols;
  });
  p.put(SEL.readback, wb, ob);
  return p.bytes();
}

/** Run a built twin on a program; its cycles, counters, decoded weights and outputs. */
export function runTwin(bin: string, program: Buffer): TwinRun {
  const dir = mkdtempSync(join(tmpdir(), 'sopsim-rtl-'));
  try {
    writeFileSync(join(dir, 'program.bin'), program);
    execFileSync(bin, [join(dir, 'program.bin'), join(dir, 'result.bin')], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
    const raw = readFileSync(join(dir, 'result.bin'));
    const words = new BigUint64Array(raw.buffer, raw.byteOffset, raw.length / 8);
    const n = TWIN_COUNTERS.length;
    const counters: Record<string, number> = {};
    TWIN_COUNTERS.forEach((name, i) => (counters[name] = Number(words[1 + i])));
    const tail = new Float64Array(raw.buffer.slice(raw.byteOffset + 8 * (1 + n), raw.byteOffset + raw.length));
    const rb = program.subarray(program.length - 16);
    const weights = rb.readUInt32LE(4);
    return { cycles: counters['datapath.cycles'], counters, values: tail.subarray(0, weights), outputs: tail.subarray(weights) };
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(err || (e as Error).message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** sopsim's event mode on the same layers: cycles, counters, decoded weights, the first token's outputs. */
export function runSim(cfg: LoadedConfig, works: LayerWork[], acts: Float64Array[]): TwinRun {
  const dp = new Datapath(cfg);
  const total = works.reduce((s, w) => s + w.n, 0);
  const values = new Float64Array(total);
  const outputs = new Float64Array(works.reduce((s, w) => s + w.rows, 0));
  let wb = 0, ob = 0;
  works.forEach((w, i) => {
    dp.runLayer(w, { mode: 'event', next: works[i + 1] ?? null, capture: values.subarray(wb, wb + w.n), activations: acts[i], outputs: outputs.subarray(ob, ob + w.rows) });
    wb += w.n;
    ob += w.rows;
  });
  const snap = dp.counters.snapshot();
  const counters: Record<string, number> = {};
  for (const [c, m] of Object.entries(snap)) for (const [k, v] of Object.entries(m)) counters[`${c}.${k}`] = v;
  return { cycles: counters['datapath.cycles'], counters, values, outputs };
}

/** Bit patterns equal (so -0 differs from +0, as a decoder's output would). */
function sameBits(a: Float64Array, b: Float64Array): number {
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Run both and compare. */
export function compareTwin(cfg: LoadedConfig, works: LayerWork[], seed = 'sopsim-rtl'): TwinComparison {
  const acts = works.map((w, i) => twinActivations(w.layer.geom.cols, `${seed}:${i}`));
  const rtl = runTwin(buildDatapathTwin(), twinProgram(cfg, works, acts));
  const sim = runSim(cfg, works, acts);
  const differing: Record<string, [number, number]> = {};
  const simShared: Record<string, number> = {};
  const rtlShared: Record<string, number> = {};
  let compared = 0;
  for (const name of TWIN_COUNTERS) {
    if (!(name in sim.counters)) continue;
    compared++;
    rtlShared[name] = rtl.counters[name];
    simShared[name] = sim.counters[name];
    if (rtl.counters[name] !== sim.counters[name]) differing[name] = [rtl.counters[name], sim.counters[name]];
  }
  const w = sameBits(rtl.values, sim.values);
  const o = w < 0 ? sameBits(rtl.outputs, sim.outputs) : -1;
  const first = w >= 0 ? { what: 'weight' as const, index: w, rtl: rtl.values[w], sim: sim.values[w] } : o >= 0 ? { what: 'output' as const, index: o, rtl: rtl.outputs[o], sim: sim.outputs[o] } : null;
  return {
    rtl: { cycles: rtl.cycles, counters: rtlShared },
    sim: { cycles: sim.cycles, counters: simShared },
    cycles_equal: rtl.cycles === sim.cycles,
    counters_differing: differing,
    counters_compared: compared,
    values_equal: first === null && rtl.values.length === sim.values.length && rtl.outputs.length === sim.outputs.length,
    values_compared: sim.values.length + sim.outputs.length,
    first_value_difference: first,
  };
}
