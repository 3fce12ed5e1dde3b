// The tile timeline both modes walk. Tiles stream from DRAM into the buffer's slots, one continuous
// stream across layers (a slot freed by a layer's last tiles takes the next layer's first ones). Tile k
// starts when its data has arrived and tile k-1 is done; a layer's first tile also waits for what the
// layer needs to be ready (its LUT tables). Global tile g of the stream sits in slot g mod slots.

import type { WeightBuffer } from '../weight-buffer/weight-buffer.js';
import type { WeightFetch } from '../weight-fetch/weight-fetch.js';
import type { LayerWork } from './layer-work.js';
import { TileScan } from './tile-scan.js';

export class Timeline {
  private readonly scans: TileScan[];
  private readonly slots: number;
  /** Global stream index of the current layer's tile 0. */
  private base = 0;
  private work!: LayerWork;
  private next: LayerWork | null = null;
  private arrival = new Float64Array(0);
  /** Tiles of the next layer already requested (their arrival cycles), carried into its run. */
  private carry: { work: LayerWork; arrival: number[] } | null = null;
  private requested = 0;
  private done = 0;
  /** Cycle the layer started, its needs were ready, and its last tile ended. */
  t0 = 0;
  ready = 0;
  prevEnd = 0;

  constructor(private readonly fetch: WeightFetch, private readonly buffer: WeightBuffer, makeScan: () => TileScan) {
    this.slots = buffer.slots;
    this.scans = Array.from({ length: this.slots }, makeScan);
  }

  /**
   * Start a layer at `t0`: what it needs (`prepare`, e.g. its LUT tables), its header, its first tiles,
   * then what the next layer needs if there is room (`prefetch`), then the next layer's first tiles.
   */
  beginLayer(work: LayerWork, next: LayerWork | null, t0: number, prepare: (now: number) => number, prefetch: (now: number) => void): void {
    this.work = work;
    this.next = next;
    this.arrival = new Float64Array(work.tiles);
    this.t0 = this.prevEnd = t0;
    let have = 0;
    if (this.carry && this.carry.work === work) for (const a of this.carry.arrival) this.arrival[have++] = a;
    this.carry = null;
    this.requested = have;
    this.done = 0;
    this.ready = prepare(t0);
    if (work.headerBytes) this.fetch.request(t0, work.headerBytes);
    this.fill(t0, false);
    if (next) prefetch(t0);
    this.fill(t0, true);
  }

  scanOf(k: number): TileScan {
    return this.scans[(this.base + k) % this.slots];
  }

  /** When tile k can start: data arrived, previous tile done, and (tile 0) the layer ready. */
  startOf(k: number): number {
    let s = Math.max(this.arrival[k], this.prevEnd);
    if (k === 0) s = Math.max(s, this.ready);
    return s;
  }

  /** Idle cycles before tile k starting at `start`. */
  gapBefore(k: number, start: number): number {
    return start > this.prevEnd ? start - this.prevEnd : 0;
  }

  /** Of a gap before tile k, the cycles spent waiting for what the layer needs (its tables) past its data. */
  reloadPart(k: number, gap: number): number {
    return k === 0 ? Math.min(gap, Math.max(0, this.ready - Math.max(this.arrival[0], this.t0))) : 0;
  }

  /** A tile ended at `end`: its slot takes the next tile of the stream. */
  endTile(end: number): void {
    this.prevEnd = end;
    this.done++;
    this.fill(end, true);
  }

  endLayer(): void {
    this.base += this.work.tiles;
  }

  private load(scan: TileScan, work: LayerWork, k: number, now: number): number {
    scan.scan(work, k);
    this.buffer.tileLoaded(scan.tile.bytes);
    return this.fetch.request(now, scan.tile.bytes);
  }

  /** Give every free slot the next tile: this layer's, then (when `intoNext`) the next layer's. */
  private fill(now: number, intoNext: boolean): void {
    const work = this.work;
    let free = this.slots - (this.requested - this.done) - (this.carry?.arrival.length ?? 0);
    while (free > 0 && this.requested < work.tiles) {
      const k = this.requested++;
      this.arrival[k] = this.load(this.scanOf(k), work, k, now);
      free--;
    }
    const next = this.next;
    if (!intoNext || !next) return;
    while (free > 0 && (this.carry?.arrival.length ?? 0) < next.tiles) {
      if (!this.carry) this.carry = { work: next, arrival: [] };
      const j = this.carry.arrival.length;
      this.carry.arrival.push(this.load(this.scans[(this.base + work.tiles + j) % this.slots], next, j, now));
      free--;
    }
  }
}
