// LUT SRAM: holds per-layer tables (DD4 codebooks, 64-entry FP6 tables, fixed codebooks not in ROM) at the
// LUT output width, in `replicas` copies over `banks` banks with `ports` read ports each.
// Contract: at most ports x banks x copies lookups per cycle (ideal interleaving: lanes beyond that
// stall a cycle), where a table is held in min(replicas, capacity / table size) copies, so a small LUT
// serves fewer lanes; tables stay resident in LRU order; a missing table is reloaded from DRAM (latency,
// DRAM bytes, one write per entry per copy), in the background when `prefetch` finds room for it.

import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import type { EnergyAction } from '../energy/actions.js';
import { sramModel } from '../energy/sram-model.js';
import type { WeightFetch } from '../weight-fetch/weight-fetch.js';

export interface LutTableRef {
  /** Identity for residency: per-layer tables are named by layer, shared format tables by format. */
  id: string;
  entries: number;
}

export class LutSram {
  static readonly NAME = 'lut_sram';
  readonly capacityBytes: number;
  readonly entryBits: number;
  readonly isHif: boolean;
  readonly ports: number;
  readonly banks: number;
  readonly replicas: number;
  readonly prefetchEnabled: boolean;
  /** id -> footprint bytes; Map order is LRU order (oldest first). */
  private readonly resident = new Map<string, number>();
  private readonly readyAt = new Map<string, number>();
  readonly hReads: number;
  readonly hWrites: number;
  readonly hReloads: number;
  readonly hHits: number;
  readonly hPrefetches: number;
  readonly hEvictions: number;

  constructor(private readonly cfg: LoadedConfig, private readonly counters: Counters) {
    const l = cfg.hw.lut!;
    this.capacityBytes = l.capacity_bytes;
    const out = l.output.toLowerCase();
    this.isHif = out.startsWith('hif');
    this.entryBits = this.isHif ? Number(out.slice(3)) : 16;
    this.ports = l.ports;
    this.banks = l.banks;
    this.replicas = l.replicas;
    this.prefetchEnabled = l.prefetch;
    const c = LutSram.NAME;
    this.hReads = counters.define(c, 'reads', '', `entry reads (${this.entryBits} bits; one per weight routed to the LUT)`);
    this.hWrites = counters.define(c, 'writes', '', 'entry writes when tables are (re)loaded (entries x replicas)');
    this.hReloads = counters.define(c, 'reloads', '', 'tables loaded from DRAM (misses, including prefetches)');
    this.hHits = counters.define(c, 'hits', '', 'layer table requests found resident');
    this.hPrefetches = counters.define(c, 'prefetches', '', 'reloads issued during the previous layer');
    this.hEvictions = counters.define(c, 'evictions', '', 'tables evicted (LRU) to make room');
  }

  /** Bytes one copy of a table occupies (HIF: entries plus one exponent byte). */
  tableBytes(t: LutTableRef): number {
    return Math.ceil((t.entries * this.entryBits) / 8) + (this.isHif ? 1 : 0);
  }

  /** Copies of a table the SRAM holds: the configured replicas, or as many as fit. */
  copies(t: LutTableRef): number {
    return Math.max(0, Math.min(this.replicas, Math.floor(this.capacityBytes / this.tableBytes(t))));
  }

  footprint(t: LutTableRef): number {
    return this.tableBytes(t) * this.copies(t);
  }

  /** Lookups per cycle while a layer's tables are in use (its largest table has the fewest copies). */
  lookupsFor(tables: LutTableRef[]): number {
    let c = this.replicas;
    for (const t of tables) c = Math.min(c, this.copies(t));
    return this.ports * this.banks * c;
  }

  isResident(id: string): boolean {
    return this.resident.has(id);
  }

  /** Bytes resident now. */
  residentBytes(): number {
    let s = 0;
    for (const b of this.resident.values()) s += b;
    return s;
  }

  private makeRoom(bytes: number, protect: Set<string>, dryRun: boolean): boolean {
    let free = this.capacityBytes - this.residentBytes();
    const victims: string[] = [];
    for (const [id, b] of this.resident) {
      if (free >= bytes) break;
      if (protect.has(id)) continue;
      victims.push(id);
      free += b;
    }
    if (free < bytes) return false;
    if (!dryRun)
      for (const v of victims) {
        this.resident.delete(v);
        this.readyAt.delete(v);
        this.counters.add(this.hEvictions, 1);
      }
    return true;
  }

  private load(t: LutTableRef, now: number, fetch: WeightFetch, protect: Set<string>): number {
    const fp = this.footprint(t);
    if (this.copies(t) === 0) throw new ConfigError(`lut.capacity_bytes: ${this.capacityBytes} B cannot hold table '${t.id}' (${this.tableBytes(t)} B)`);
    if (!this.makeRoom(fp, protect, false))
      throw new ConfigError(`lut.capacity_bytes: ${this.capacityBytes} B cannot hold the ${protect.size + 1} tables one layer needs at once`);
    const arrival = fetch.request(now, this.tableBytes(t), true);
    const ready = arrival + Math.ceil(t.entries / this.banks); // every replica and bank writes in parallel
    this.counters.add(this.hWrites, t.entries * this.copies(t));
    this.counters.add(this.hReloads, 1);
    this.resident.set(t.id, fp);
    this.readyAt.set(t.id, ready);
    return ready;
  }

  /** Make a layer's tables resident at `now`; returns the cycle from which all of them can be read. */
  acquire(tables: LutTableRef[], now: number, fetch: WeightFetch): number {
    let ready = now;
    const protect = new Set(tables.map((t) => t.id));
    for (const t of tables) {
      if (this.resident.has(t.id)) {
        this.counters.add(this.hHits, 1);
        const fp = this.resident.get(t.id)!;
        this.resident.delete(t.id); // move to most recently used
        this.resident.set(t.id, fp);
        ready = Math.max(ready, this.readyAt.get(t.id) ?? now);
      } else ready = Math.max(ready, this.load(t, now, fetch, protect));
    }
    return ready;
  }

  /** During a layer using `current`, load the next layer's tables if they fit without evicting `current`. */
  prefetch(next: LutTableRef[], current: LutTableRef[], now: number, fetch: WeightFetch): void {
    if (!this.prefetchEnabled) return;
    const missing = next.filter((t) => !this.resident.has(t.id));
    if (missing.length === 0) return;
    const protect = new Set(current.map((t) => t.id));
    const need = missing.reduce((s, t) => s + this.footprint(t), 0);
    if (!this.makeRoom(need, protect, true)) return;
    for (const t of missing) {
      this.load(t, now, fetch, protect);
      this.counters.add(this.hPrefetches, 1);
    }
  }

  actions(): EnergyAction[] {
    const hw = this.cfg.hw;
    const sub = this.capacityBytes / (this.banks * this.replicas);
    const s = sramModel(this.cfg.tech, sub, this.entryBits, hw.node_nm);
    const whole = sramModel(this.cfg.tech, this.capacityBytes, this.entryBits, hw.node_nm);
    const src = `SRAM model: ${sub} B sub-array (${this.capacityBytes} B / ${this.banks} banks / ${this.replicas} replicas), ${this.entryBits}-bit entries, ${hw.node_nm} nm`;
    const ghz = hw.clock_ghz.value;
    return [
      { component: LutSram.NAME, action: 'read_entry', counter: `${LutSram.NAME}.reads`, pjEach: s.read_pj, source: src },
      { component: LutSram.NAME, action: 'write_entry', counter: `${LutSram.NAME}.writes`, pjEach: s.write_pj, source: src },
      { component: LutSram.NAME, action: 'leakage_cycle', counter: 'cycles', pjEach: whole.leak_mw / ghz, source: `SRAM model: ${this.capacityBytes} B at ${hw.node_nm} nm, ${whole.leak_mw.toExponential(3)} mW at ${ghz} GHz` },
    ];
  }
}
