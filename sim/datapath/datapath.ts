// The datapath: the blocks a hw-config composes, driven along one tile timeline. Each lane group takes
// the most cycles any lane-stage block answers for it (at least one; the stall counts for the earliest
// block of the datapath's stall order); a tile lasts at least as long as any tile-stage block needs;
// every cycle of a layer is busy (one per lane group) or a stall with one cause. Layers run one after
// another; what blocks hold (LUT tables) carries over between them.
//
// Fast mode advances the timeline tile by tile, taking a tile whole when no lane group of the layer can
// take more than a cycle, or when only one block can and it sums its extra cycles over the tile's groups
// (the LUT's bank conflicts); otherwise group by group. Event mode delivers every lane group as a kernel event and decodes its values
// into the MAC array. Both charge blocks through the same calls, so they give the same counters.

import type { LoadedConfig } from '../config/load.js';
import { STALL_CAUSES, type Block, type BlockEnv, type Demand, type StallCause } from '../core/block.js';
import type { Decoder } from '../core/decoder.js';
import type { EnergyAction } from '../energy/actions.js';
import { Counters, type Counter } from '../kernel/counters.js';
import { Simulator, type EventTarget } from '../kernel/simulator.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { WeightBuffer } from '../weight-buffer/weight-buffer.js';
import type { WeightFetch } from '../weight-fetch/weight-fetch.js';
import { presentDecoders, type LayerWork } from './layer-work.js';
import { Timeline } from './timeline.js';
import { TileScan } from './tile-scan.js';
import { addResiduals, decodeRange, type ValueSinks } from './values.js';

export type Mode = 'event' | 'fast';
export { STALL_CAUSES, type StallCause };

export interface LayerRunOptions extends ValueSinks {
  mode: Mode;
  /** The layer that follows (what it needs may be prefetched during this one). */
  next?: LayerWork | null;
}

export interface LayerTiming {
  start: number;
  end: number;
}

const EV_GROUP = 0;
const EV_TILE_DONE = 1;

export class Datapath implements EventTarget {
  readonly counters = new Counters();
  /** The blocks present, in the datapath's pipeline order. */
  readonly blocks: Block[];
  readonly unpacker: Unpacker;
  /** Cycle at which the next layer starts. */
  now = 0;
  private readonly byKind = new Map<string, Block>();
  private readonly laneStages: Block[];
  private readonly limiters: Block[];
  private readonly tileStages: Block[];
  private readonly timeline: Timeline;
  private readonly depth: number;
  private readonly hCycles: Counter;
  private readonly hBusy: Counter;
  private readonly hLayers: Counter;
  private readonly hStall: Record<StallCause, Counter>;

  // the layer being run
  private work!: LayerWork;
  private sinks: ValueSinks = {};
  private sim: Simulator | null = null;
  private simId = 0;
  private groupsPerTile = 0;
  private tileStart = 0;
  private tileCost = 0;
  private layerEnd = 0;
  /** The layer's lane-stage counts so far: tile totals summed, charged to the blocks when it ends. */
  private readonly acc: Demand;

  constructor(readonly cfg: LoadedConfig) {
    const decoders = presentDecoders(cfg).map((b) => b.kind);
    const env: BlockEnv = {
      cfg,
      counters: this.counters,
      block: <B extends Block>(kind: string) => this.byKind.get(kind) as B | undefined,
      route: (kind) => decoders.indexOf(kind),
    };
    for (const s of cfg.blocks) this.byKind.set(s.kind, s.def.create(s.conf, env));
    this.blocks = [...this.byKind.values()];
    this.unpacker = this.block<Unpacker>('unpacker');
    this.laneStages = this.blocks.filter((b) => b.charge);
    const order = cfg.datapath.stallOrder;
    this.limiters = this.blocks.filter((b) => b.groupCycles).sort((a, b) => rank(order, a) - rank(order, b));
    this.tileStages = this.blocks.filter((b) => b.chargeTile);
    const tabled = decoders.map((k, r) => ((this.byKind.get(k) as Decoder).tabled ? r : -1)).filter((r) => r >= 0);
    const lanes = this.unpacker.lanes;
    this.timeline = new Timeline(this.block<WeightFetch>('weight_fetch'), this.block<WeightBuffer>('weight_buffer'), () => new TileScan(lanes, decoders.length, tabled));
    this.depth = cfg.hw.pipeline_depth.value;
    this.acc = { tokens: 0, groups: 0, weights: 0, routed: new Float64Array(decoders.length), tabled: 0, blocksEnding: 0, first: 0 };
    const c = this.counters;
    this.hCycles = c.define('datapath', 'cycles', 'cycles', 'total cycles');
    this.hBusy = c.define('datapath', 'busy_cycles', 'cycles', 'cycles issuing a lane group');
    this.hLayers = c.define('datapath', 'layers', '', 'layer executions');
    this.hStall = Object.fromEntries(STALL_CAUSES.map((s) => [s, c.define('stalls', s, 'cycles', `stall cycles caused by ${s.replace('_', ' ')}`)])) as Record<StallCause, Counter>;
  }

  /** A block the datapath must have (a bug if the composition lacks it). */
  block<B extends Block>(kind: string): B {
    const b = this.byKind.get(kind);
    if (!b) throw new Error(`datapath '${this.cfg.datapath.name}' has no ${kind}`);
    return b as B;
  }

  /**
   * Every block's per-action energies, for the energy report; then what every logic block leaks per cycle,
   * and the clock of every flip-flop in the datapath (each cycle, busy or not).
   */
  actions(): EnergyAction[] {
    return (this.actionList ??= this.buildActions());
  }

  private actionList: EnergyAction[] | null = null;

  private buildActions(): EnergyAction[] {
    const out = this.blocks.flatMap((b) => b.actions());
    const { logic, hw } = this.cfg;
    const ghz = hw.clock_ghz.value;
    let flops = 0;
    for (const b of this.blocks) {
      const l = b.logic?.();
      if (!l) continue;
      flops += l.cells.dff;
      const mw = logic.leakMw(l.cells);
      out.push({ component: b.component, action: 'leakage_cycle', counter: 'cycles', pjEach: mw / ghz, source: `${mw.toExponential(3)} mW at ${ghz} GHz: ${logic.source(l.what, l.cells)}` });
    }
    out.push({ component: 'clock', action: 'flip_flops_cycle', counter: 'cycles', pjEach: logic.clockPj(flops), source: `${flops} flip-flops clocked every cycle, ${logic.tech.logic.clock_per_dff.value} of a flip-flop capture each (${logic.tech.logic.clock_per_dff.source})` });
    return out;
  }

  /** Area of every block (storage from its SRAM model, logic from its cells) and their total, in mm2. */
  area(): { blocks: Array<{ component: string; impl: string; mm2: number; source: string }>; total: number } {
    return (this.areas ??= this.buildArea());
  }

  private areas: ReturnType<Datapath['buildArea']> | null = null;

  private buildArea(): { blocks: Array<{ component: string; impl: string; mm2: number; source: string }>; total: number } {
    const blocks = this.blocks.map((b) => {
      const a = b.area?.();
      if (a) return { component: b.component, impl: b.impl, ...a };
      const l = b.logic?.();
      return { component: b.component, impl: b.impl, mm2: l ? this.cfg.logic.um2(l.cells) / 1e6 : 0, source: l ? this.cfg.logic.source(l.what, l.cells) : 'no silicon of its own' };
    });
    return { blocks, total: blocks.reduce((s, b) => s + b.mm2, 0) };
  }

  /** Run one layer from cycle `this.now`; returns its start and end cycle. */
  runLayer(work: LayerWork, opt: LayerRunOptions): LayerTiming {
    this.work = work;
    // event mode always feeds the MAC array real values: the first token's outputs (x = 1 unless given)
    this.sinks = opt.mode === 'event' ? { ...opt, outputs: opt.outputs ?? new Float64Array(work.rows) } : {};
    this.groupsPerTile = work.tileWeights / this.unpacker.lanes;
    const t0 = this.now;
    const next = opt.next ?? null;
    this.counters.add(this.hLayers, 1);
    for (const b of this.blocks) b.beginLayer?.(work);
    this.timeline.beginLayer(
      work,
      next,
      t0,
      (now) => this.blocks.reduce((r, b) => Math.max(r, b.prepareLayer?.(work, now) ?? now), now),
      (now) => this.blocks.forEach((b) => b.prefetchNext?.(next!, work, now)),
    );
    if (opt.mode === 'event') this.runEvents(t0);
    else this.runFast();
    this.finishLayer(t0);
    return { start: t0, end: this.layerEnd };
  }

  private runFast(): void {
    const work = this.work;
    const tl = this.timeline;
    // a tile is taken whole when no group can need more than a cycle, or when only one block can and it
    // sums its extra cycles over a range of groups
    const over = this.limiters.filter((b) => b.groupBound!(work) > 1);
    const whole = over.length === 0;
    const summed = over.length === 1 && over[0].groupExtra ? over[0] : null;
    for (let k = 0; k < work.tiles; k++) {
      const start = tl.startOf(k);
      this.accountGap(k, start);
      const scan = tl.scanOf(k);
      let cost = 0;
      if (whole) cost = this.tileAtOnce(scan);
      else if (summed) {
        const extra = summed.groupExtra!(scan.w0, scan.w1);
        if (extra) this.counters.add(this.hStall[summed.stall!], extra);
        cost = this.tileAtOnce(scan) + extra;
      } else {
        scan.scanGroups();
        for (let c = 0; c < scan.groups; c++) cost += this.group(scan.group(c));
        this.chargeLanes(scan);
      }
      tl.endTile(this.finishTile(scan, start, cost));
    }
    this.layerEnd = tl.prevEnd + this.depth;
  }

  private runEvents(t0: number): void {
    const sim = (this.sim = new Simulator());
    sim.now = t0;
    this.simId = sim.register(this);
    sim.schedule(this.timeline.startOf(0), this.simId, EV_GROUP);
    sim.run();
    this.sim = null;
  }

  /** Event mode: the kernel delivers lane groups and tile completions here. */
  onEvent(arg: number, now: number): void {
    const kind = arg % 2;
    const idx = (arg - kind) / 2;
    const sim = this.sim!;
    const tl = this.timeline;
    if (kind === EV_GROUP) {
      const k = Math.floor(idx / this.groupsPerTile);
      const c = idx - k * this.groupsPerTile;
      const scan = tl.scanOf(k);
      if (c === 0) {
        scan.scanGroups();
        this.accountGap(k, now);
        this.tileStart = now;
        this.tileCost = 0;
      }
      const cost = this.group(scan.group(c));
      const i0 = scan.w0 + c * this.unpacker.lanes;
      decodeRange(this.work.layer, i0, i0 + scan.weights[c], this.sinks);
      this.tileCost += cost;
      if (c + 1 < scan.groups) sim.schedule(now + cost, this.simId, EV_GROUP + 2 * (idx + 1));
      else {
        this.chargeLanes(scan);
        sim.schedule(this.finishTile(scan, this.tileStart, this.tileCost), this.simId, EV_TILE_DONE + 2 * k);
      }
      return;
    }
    const k = idx;
    const scan = tl.scanOf(k);
    if (scan.tile.residuals) addResiduals(this.work.layer, scan.w0, scan.w1, this.sinks);
    tl.endTile(now);
    if (k + 1 < this.work.tiles) sim.schedule(tl.startOf(k + 1), this.simId, EV_GROUP + 2 * (k + 1) * this.groupsPerTile);
    else this.layerEnd = now + this.depth;
  }

  /** Idle cycles before tile k: waiting for the layer's tables (first tile), or for DRAM. */
  private accountGap(k: number, start: number): void {
    const gap = this.timeline.gapBefore(k, start);
    if (gap === 0) return;
    const reload = this.timeline.reloadPart(k, gap);
    if (reload) this.counters.add(this.hStall.lut_reload, reload);
    if (gap - reload) this.counters.add(this.hStall.dram, gap - reload);
  }

  /** A tile whose lane groups each take one cycle. */
  private tileAtOnce(scan: TileScan): number {
    this.chargeLanes(scan);
    return scan.groups;
  }

  /**
   * The lane stages' counts of a whole tile, from its totals. Counts are additive (Demand), so the
   * layer's tiles are summed here and charged to the blocks once when the layer ends: what charging
   * every lane group would add, without a call per block per tile.
   */
  private chargeLanes(scan: TileScan): void {
    const t = scan.tile;
    const a = this.acc;
    a.groups += t.groups;
    a.weights += t.weights;
    a.tabled += t.tabled;
    a.blocksEnding += t.blocksEnding;
    for (let r = 0; r < a.routed.length; r++) a.routed[r] += t.routed[r];
  }

  private chargeLayer(): void {
    const a = this.acc;
    a.tokens = this.work.tokens;
    this.counters.add(this.hBusy, a.groups);
    for (const b of this.laneStages) b.charge!(a);
    a.groups = a.weights = a.tabled = a.blocksEnding = 0;
    a.routed.fill(0);
  }

  /** Cycles of one lane group: the most any lane-stage block needs, at least 1 (its counts: chargeLanes). */
  private group(d: Demand): number {
    let cost = 1;
    let limiter: Block | null = null;
    for (const b of this.limiters) {
      const c = b.groupCycles!(d);
      if (c > cost) {
        cost = c;
        limiter = b;
      }
    }
    if (limiter) this.counters.add(this.hStall[limiter.stall!], cost - 1);
    return cost;
  }

  /** Close a tile started at `start` whose groups took `cost` cycles; returns its end. */
  private finishTile(scan: TileScan, start: number, cost: number): number {
    let dur = cost;
    for (const b of this.tileStages) {
      const need = b.chargeTile!(scan.tile);
      if (need > dur) {
        this.counters.add(this.hStall[b.stall!], need - dur);
        dur = need;
      }
    }
    return start + dur;
  }

  private finishLayer(t0: number): void {
    this.chargeLayer();
    this.counters.add(this.hStall.fill, this.depth);
    for (const b of this.blocks) b.endLayer?.(this.work);
    this.counters.add(this.hCycles, this.layerEnd - t0);
    this.now = this.layerEnd;
    this.timeline.endLayer();
  }
}

function rank(order: readonly string[], b: Block): number {
  const i = order.indexOf(b.component);
  return i < 0 ? order.length : i;
}
