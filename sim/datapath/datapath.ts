// The decode datapath: weight fetch → weight buffer → unpacker → selection mux → codebook ROM / LUT SRAM /
// direct decode → HIF output → scale multiplier → MAC array, with the sparse-add path beside it.
// The same block set models the SOP datapaths and the FP8 baseline (no LUT, no ROM: every weight decodes
// directly). Layers run one after another; LUT residency carries over between them.
//
// Timing: tiles stream from DRAM into `slots` buffer slots, one continuous stream across layers (a slot
// freed by the last tiles of a layer takes the first tiles of the next). A tile's decode starts when its
// data has arrived and the previous tile is done; a layer's first tile also waits for the layer's LUT
// tables (reloaded at layer start, or prefetched during the previous layer when the LUT has room) and for
// the previous layer's pipeline to drain. Each lane group takes max(1, LUT cycles, MAC cycles, scale
// cycles); a tile takes at least as long as its sparse corrections. Every cycle of a layer is busy (one
// per lane group) or a stall with one cause.
//
// Event mode delivers every lane group as an event through the kernel and decodes every weight into the
// MAC array; fast mode walks the same tiles and groups with the same recurrence, without events or
// values. Both give the same counters, and a test holds them equal.

import { bf16Value } from '../../quant/formats/bits.js';
import type { LoadedConfig } from '../config/load.js';
import { Counters } from '../kernel/counters.js';
import { Simulator, type EventTarget } from '../kernel/simulator.js';
import type { EnergyAction } from '../energy/actions.js';
import { CodebookRom } from '../codebook-rom/codebook-rom.js';
import { Fp8Decode } from '../fp8-decode/fp8-decode.js';
import { HifOutput } from '../hif-output/hif-output.js';
import { LutSram } from '../lut-sram/lut-sram.js';
import { MacArray } from '../mac-array/mac-array.js';
import { ScaleMultiplier } from '../scale-multiplier/scale-multiplier.js';
import { SelectionMux } from '../selection-mux/selection-mux.js';
import { SparseAdd } from '../sparse-add/sparse-add.js';
import { Unpacker } from '../unpacker/unpacker.js';
import { WeightBuffer } from '../weight-buffer/weight-buffer.js';
import { WeightFetch } from '../weight-fetch/weight-fetch.js';
import type { LayerWork } from './layer-work.js';
import { TileScan } from './tile-scan.js';

export type Mode = 'event' | 'fast';

export const STALL_CAUSES = ['dram', 'lut_port', 'mac', 'scale', 'sparse', 'lut_reload', 'fill'] as const;
export type StallCause = (typeof STALL_CAUSES)[number];

export interface LayerRunOptions {
  mode: Mode;
  /** The layer that follows (its tables may be prefetched during this one). */
  next?: LayerWork | null;
  /** Event mode: receives every decoded weight value ŵ (flat index), residuals included. */
  capture?: Float64Array;
  /** Event mode: the first token's activations (length cols); outputs[row] accumulate ŵ · x. */
  activations?: Float64Array;
  outputs?: Float64Array;
}

export interface LayerTiming {
  start: number;
  end: number;
}

const EV_ARRIVE = 0;
const EV_GROUP = 1;
const EV_TILE_DONE = 2;

export class Datapath implements EventTarget {
  readonly counters = new Counters();
  readonly fetch: WeightFetch;
  readonly buffer: WeightBuffer;
  readonly unpacker: Unpacker;
  readonly mux: SelectionMux;
  readonly rom: CodebookRom;
  readonly lut: LutSram | null;
  readonly hif: HifOutput;
  readonly scale: ScaleMultiplier;
  readonly sparse: SparseAdd;
  readonly mac: MacArray;
  readonly fp8: Fp8Decode;
  /** Cycle at which the next layer starts. */
  now = 0;
  private readonly depth: number;
  private readonly slots: number;
  private readonly hCycles: number;
  private readonly hBusy: number;
  private readonly hLayers: number;
  private readonly hStall: Record<StallCause, number>;

  // state of the layer being run
  private sim: Simulator | null = null;
  private simId = 0;
  private work!: LayerWork;
  private next: LayerWork | null = null;
  private opt!: LayerRunOptions;
  /** One scan per buffer slot; global tile g of the stream sits in slot g % slots. */
  private scans: TileScan[] = [];
  /** Global stream index of this layer's tile 0. */
  private base = 0;
  private arrival = new Float64Array(0);
  /** Tiles of the next layer already requested (their arrival cycles), carried into its run. */
  private carry: { work: LayerWork; arrival: number[] } | null = null;
  private t0 = 0;
  private tableReady = 0;
  private prevEnd = 0;
  private tileStart = 0;
  private tileCost = 0;
  private waitingFor = -1;
  /** LUT lookups per cycle for this layer's tables. */
  private lutLookups = 0;
  /** This layer's tiles requested and decoded so far. */
  private requested = 0;
  private done = 0;
  private groupsPerTile = 0;
  private layerEnd = 0;

  constructor(readonly cfg: LoadedConfig) {
    const c = this.counters;
    this.fetch = new WeightFetch(cfg, c);
    this.buffer = new WeightBuffer(cfg, c);
    this.unpacker = new Unpacker(cfg, c);
    this.mux = new SelectionMux(cfg, c);
    this.rom = new CodebookRom(cfg, c);
    this.lut = cfg.hw.lut ? new LutSram(cfg, c) : null;
    this.hif = new HifOutput(cfg, c);
    this.scale = new ScaleMultiplier(cfg, c);
    this.sparse = new SparseAdd(cfg, c);
    this.mac = new MacArray(cfg, c);
    this.fp8 = new Fp8Decode(cfg, c);
    this.depth = cfg.hw.pipeline_depth.value;
    this.slots = cfg.hw.weight_buffer.slots;
    this.hCycles = c.define('datapath', 'cycles', 'cycles', 'total cycles');
    this.hBusy = c.define('datapath', 'busy_cycles', 'cycles', 'cycles issuing a lane group');
    this.hLayers = c.define('datapath', 'layers', '', 'layer executions');
    this.hStall = Object.fromEntries(
      STALL_CAUSES.map((s) => [s, c.define('stalls', s, 'cycles', `stall cycles caused by ${s.replace('_', ' ')}`)]),
    ) as Record<StallCause, number>;
  }

  /** Every block's per-action energies, for the energy report. */
  actions(): EnergyAction[] {
    const blocks = [this.fetch, this.buffer, this.unpacker, this.mux, this.rom, this.lut, this.hif, this.scale, this.sparse, this.mac, this.fp8];
    return blocks.flatMap((b) => (b ? b.actions() : []));
  }

  /** Run one layer from cycle `this.now`; returns its start and end cycle. */
  runLayer(work: LayerWork, opt: LayerRunOptions): LayerTiming {
    this.work = work;
    this.next = opt.next ?? null;
    // event mode always feeds the MAC array real values: the first token's outputs (x = 1 unless given)
    if (opt.mode === 'event' && !opt.outputs) opt = { ...opt, outputs: new Float64Array(work.rows) };
    this.opt = opt;
    const lanes = this.unpacker.lanes;
    if (this.scans.length !== this.slots) this.scans = Array.from({ length: this.slots }, () => new TileScan(lanes));
    this.groupsPerTile = work.tileWeights / lanes;
    this.arrival = new Float64Array(work.tiles);
    const t0 = (this.t0 = this.now);
    this.prevEnd = t0;
    this.counters.add(this.hLayers, 1);
    if (opt.mode === 'event') {
      this.sim = new Simulator();
      this.sim.now = t0;
      this.simId = this.sim.register(this);
    }
    // tiles of this layer already requested while the previous one ran
    let have = 0;
    if (this.carry && this.carry.work === work) {
      for (const a of this.carry.arrival) this.arrival[have++] = a;
      if (this.sim) for (let k = 0; k < have; k++) this.sim.schedule(Math.max(t0, this.arrival[k]), this.simId, EV_ARRIVE + 4 * k);
    }
    this.carry = null;
    this.requested = have;
    this.done = 0;
    // the layer's LUT tables (already resident, or reloaded now), its header, its first tiles, the next
    // layer's tables if the LUT has room for them beside this layer's, then the next layer's first tiles
    this.tableReady = this.lut && work.lutTables.length ? this.lut.acquire(work.lutTables, t0, this.fetch) : t0;
    this.lutLookups = this.lut ? this.lut.lookupsFor(work.lutTables) : 0;
    if (work.headerBytes) this.fetch.request(t0, work.headerBytes);
    this.fillSlots(t0, false);
    if (this.lut && this.next) this.lut.prefetch(this.next.lutTables, work.lutTables, t0, this.fetch);
    this.fillSlots(t0, true);

    if (opt.mode === 'event') {
      this.waitingFor = 0;
      if (have > 0 && this.arrival[0] <= t0) {
        this.waitingFor = -1;
        this.sim!.schedule(this.tileStartTime(0), this.simId, EV_GROUP);
      }
      this.sim!.run();
      this.sim = null;
    } else {
      const uniform = this.noGroupCanStall(work);
      for (let k = 0; k < work.tiles; k++) {
        const start = this.tileStartTime(k);
        this.accountGap(k, start);
        const scan = this.scanOf(k);
        let cost = 0;
        if (uniform) cost = this.tileAtOnce(scan);
        else {
          scan.scanGroups();
          for (let c = 0; c < scan.groups; c++) cost += this.group(scan, c);
        }
        const end = this.finishTile(scan, start, cost);
        this.prevEnd = end;
        this.done++;
        this.fillSlots(end, true);
      }
      this.layerEnd = this.prevEnd + this.depth;
    }
    this.finishLayer();
    this.base += work.tiles;
    return { start: t0, end: this.layerEnd };
  }

  private scanOf(k: number): TileScan {
    return this.scans[(this.base + k) % this.slots];
  }

  /** Scan tile k of a layer into a slot and request its bytes at `now`; returns when they arrive. */
  private loadTile(scan: TileScan, work: LayerWork, k: number, now: number): number {
    scan.scan(work, k);
    this.buffer.tile(scan.bytes);
    return this.fetch.request(now, scan.bytes);
  }

  /** Request tile k of this layer at `now`. */
  private requestTile(k: number, now: number): void {
    const a = this.loadTile(this.scanOf(k), this.work, k, now);
    this.arrival[k] = a;
    if (this.sim) this.sim.schedule(a, this.simId, EV_ARRIVE + 4 * k);
  }

  /**
   * Give every free buffer slot the next tile of the stream: this layer's, then (when `intoNext`) the
   * next layer's first tiles, whose arrival cycles are carried into its run.
   */
  private fillSlots(now: number, intoNext: boolean): void {
    const work = this.work;
    let free = this.slots - (this.requested - this.done) - (this.carry?.arrival.length ?? 0);
    while (free > 0 && this.requested < work.tiles) {
      this.requestTile(this.requested++, now);
      free--;
    }
    const next = this.next;
    if (!intoNext || !next) return;
    while (free > 0 && (this.carry?.arrival.length ?? 0) < next.tiles) {
      if (!this.carry) this.carry = { work: next, arrival: [] };
      const j = this.carry.arrival.length;
      this.carry.arrival.push(this.loadTile(this.scans[(this.base + work.tiles + j) % this.slots], next, j, now));
      free--;
    }
  }

  /** When tile k can start: data arrived, previous tile done, and (first tile) the LUT tables ready. */
  private tileStartTime(k: number): number {
    let s = Math.max(this.arrival[k], this.prevEnd);
    if (k === 0) s = Math.max(s, this.tableReady);
    return s;
  }


  /** Idle cycles before tile k: waiting for DRAM, or for the LUT table reload before the first tile. */
  private accountGap(k: number, start: number): void {
    const gap = start - this.prevEnd;
    if (gap <= 0) return;
    let reload = 0;
    if (k === 0) reload = Math.min(gap, Math.max(0, this.tableReady - Math.max(this.arrival[0], this.t0)));
    if (reload) this.counters.add(this.hStall.lut_reload, reload);
    if (gap - reload) this.counters.add(this.hStall.dram, gap - reload);
  }

  /**
   * True when no lane group of this layer can take more than one cycle: lanes within the LUT's lookups
   * per cycle, lanes x tokens within the MAC array, block-scale multiplies within the multipliers. Then a
   * tile's cycles and counters follow from its totals, and fast mode advances it at once.
   */
  private noGroupCanStall(work: LayerWork): boolean {
    const L = this.unpacker.lanes;
    const N = work.tokens;
    if (L * N > this.mac.macsPerCycle) return false;
    if (this.lut && work.stream.lut(work.n) > 0 && L > this.lutLookups) return false;
    if (work.hasBlockScales) {
      const mults = this.scale.perBlock ? (Math.ceil(L / work.stream.minBlock) + 1) * N : L;
      if (mults > this.scale.units) return false;
    }
    return true;
  }

  /** A whole tile whose groups each take one cycle: the same counters as group() summed over them. */
  private tileAtOnce(scan: TileScan): number {
    const work = this.work;
    const cn = this.counters;
    const w = scan.w1 - scan.w0;
    const N = work.tokens;
    cn.add(this.hBusy, scan.groups);
    cn.add(this.unpacker.hWeights, w);
    cn.add(this.unpacker.hGroups, scan.groups);
    if (scan.lutWeights) cn.add(this.lut!.hReads, scan.lutWeights);
    const rom = w - scan.lutWeights - scan.directWeights;
    if (rom) cn.add(this.rom.hLookups, rom);
    if (scan.directWeights) cn.add(this.fp8.hDecodes, scan.directWeights);
    if (w - scan.directWeights) cn.add(this.hif.hConversions, w - scan.directWeights);
    if (work.hasBlockScales) cn.add(this.scale.hMultiplies, this.scale.perBlock ? scan.blocksEnded * N : w);
    cn.add(this.mac.hMacs, w * N);
    return scan.groups;
  }

  /** Cycles of lane group c of a scanned tile, with its counters. */
  private group(scan: TileScan, c: number): number {
    const work = this.work;
    const cn = this.counters;
    const w = scan.weights[c];
    const lutW = scan.lutW[c];
    const directW = scan.directW[c];
    const N = work.tokens;
    const lutCyc = lutW > 0 ? Math.ceil(lutW / this.lutLookups) : 0;
    const macCyc = Math.ceil((w * N) / this.mac.macsPerCycle);
    let mults = 0;
    if (work.hasBlockScales) mults = this.scale.perBlock ? scan.blocksEnding[c] * N : w;
    const scaleCyc = mults ? Math.ceil(mults / this.scale.units) : 0;
    let cost = 1;
    if (macCyc > cost) cost = macCyc;
    if (lutCyc > cost) cost = lutCyc;
    if (scaleCyc > cost) cost = scaleCyc;
    if (cost > 1) cn.add(macCyc === cost ? this.hStall.mac : lutCyc === cost ? this.hStall.lut_port : this.hStall.scale, cost - 1);
    cn.add(this.hBusy, 1);
    cn.add(this.unpacker.hWeights, w);
    cn.add(this.unpacker.hGroups, 1);
    if (lutW) cn.add(this.lut!.hReads, lutW);
    const romW = w - lutW - directW;
    if (romW) cn.add(this.rom.hLookups, romW);
    if (directW) cn.add(this.fp8.hDecodes, directW);
    if (w - directW) cn.add(this.hif.hConversions, w - directW);
    if (mults) cn.add(this.scale.hMultiplies, mults);
    cn.add(this.mac.hMacs, w * N);
    return cost;
  }

  /** Close tile decode started at `start` whose groups took `cost` cycles; returns its end. */
  private finishTile(scan: TileScan, start: number, cost: number): number {
    const work = this.work;
    const cn = this.counters;
    if (work.twoBooks) {
      cn.add(this.mux.hBlocks, scan.blocksStarting);
      cn.add(this.mux.hToLut, scan.lutBlocksStarting);
      cn.add(this.mux.hToRom, scan.blocksStarting - scan.lutBlocksStarting);
    }
    let dur = cost;
    if (scan.residuals) {
      cn.add(this.sparse.hResiduals, scan.residuals);
      cn.add(this.sparse.hAdds, scan.residuals * work.tokens);
      const sc = Math.ceil((scan.residuals * work.tokens) / this.sparse.lanes);
      if (sc > cost) {
        cn.add(this.hStall.sparse, sc - cost);
        dur = sc;
      }
    }
    return start + dur;
  }

  private finishLayer(): void {
    const work = this.work;
    const cn = this.counters;
    cn.add(this.hStall.fill, this.depth);
    if (work.layer.tensorScaleBits > 0) cn.add(this.mac.hOutputs, work.rows * work.tokens);
    cn.add(this.hCycles, this.layerEnd - this.t0);
    this.now = this.layerEnd;
  }

  /** Event mode: the kernel delivers tile arrivals, lane groups and tile completions here. */
  onEvent(arg: number, now: number): void {
    const kind = arg % 4;
    const idx = (arg - kind) / 4;
    const sim = this.sim!;
    if (kind === EV_ARRIVE) {
      if (this.waitingFor === idx) {
        this.waitingFor = -1;
        sim.schedule(this.tileStartTime(idx), this.simId, EV_GROUP + 4 * idx * this.groupsPerTile);
      }
      return;
    }
    if (kind === EV_GROUP) {
      const k = Math.floor(idx / this.groupsPerTile);
      const c = idx - k * this.groupsPerTile;
      const scan = this.scanOf(k);
      if (c === 0) {
        scan.scanGroups();
        this.accountGap(k, now);
        this.tileStart = now;
        this.tileCost = 0;
      }
      const cost = this.group(scan, c);
      this.decodeGroup(scan, c);
      this.tileCost += cost;
      if (c + 1 < scan.groups) sim.schedule(now + cost, this.simId, EV_GROUP + 4 * (idx + 1));
      else sim.schedule(this.finishTile(scan, this.tileStart, this.tileCost), this.simId, EV_TILE_DONE + 4 * k);
      return;
    }
    // EV_TILE_DONE
    const k = idx;
    this.applyResiduals(this.scanOf(k));
    this.prevEnd = now;
    this.done++;
    this.fillSlots(now, true);
    if (k + 1 < this.work.tiles) {
      if (this.arrival[k + 1] <= now) sim.schedule(this.tileStartTime(k + 1), this.simId, EV_GROUP + 4 * (k + 1) * this.groupsPerTile);
      else this.waitingFor = k + 1;
    } else this.layerEnd = now + this.depth;
  }

  /** Decode every weight of a lane group into the MAC array (and the capture, when asked). */
  private decodeGroup(scan: TileScan, c: number): void {
    const { capture, activations, outputs } = this.opt;
    const q = this.work.layer;
    const { cols, block, blocksPerRow } = q.geom;
    const sliceRows = q.geom.rows;
    const i0 = scan.w0 + c * this.unpacker.lanes;
    const i1 = i0 + scan.weights[c];
    const ts = q.tensorScale;
    const codes = q.codes;
    let row = Math.floor(i0 / cols);
    let col = i0 - row * cols;
    let sr = row % sliceRows; // the slice row a (virtual) row reads
    for (let i = i0; i < i1; i++) {
      const b = sr * blocksPerRow + Math.floor(col / block);
      const table = q.books[q.sel ? q.sel[b] : 0].table;
      const v = table[codes[sr * cols + col]] * q.scales[b] * ts;
      if (capture) capture[i] = v;
      if (outputs && row < outputs.length) outputs[row] += v * (activations ? activations[col] : 1);
      if (++col === cols) {
        col = 0;
        row++;
        if (++sr === sliceRows) sr = 0;
      }
    }
  }

  /** The sparse-add path merges a tile's corrections (event mode values). */
  private applyResiduals(scan: TileScan): void {
    const { capture, activations, outputs } = this.opt;
    const q = this.work.layer;
    if (!scan.residuals || !q.residuals || (!capture && !outputs)) return;
    const { index, bf16 } = q.residuals;
    const cols = q.geom.cols;
    const sliceN = q.geom.rows * cols;
    for (let rep = Math.floor(scan.w0 / sliceN); rep * sliceN < scan.w1; rep++) {
      for (let k = 0; k < index.length; k++) {
        const i = rep * sliceN + index[k];
        if (i < scan.w0 || i >= scan.w1) continue;
        const r = bf16Value(bf16[k]);
        if (capture) capture[i] += r;
        const row = Math.floor(i / cols);
        if (outputs && row < outputs.length) outputs[row] += r * (activations ? activations[i % cols] : 1);
      }
    }
  }
}
