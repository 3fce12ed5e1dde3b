// The LUT SRAM as `replicas` copies of each table over `banks` banks with `ports` read ports each. A table is
// held in min(replicas, capacity / table size) copies, so a small LUT serves more lanes per copy; a lane group
// takes as long as its most-asked bank on its real entries (conflicts.ts); tables stay resident
// in LRU order; a missing table is reloaded from DRAM (latency, DRAM bytes, one write per entry per
// copy), in the background when `prefetch` finds room for it during the previous layer.

import { z } from 'zod';
import type { BlockEnv, Demand, RouteQuery, SramAccesses } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { WeightFetch } from '../weight-fetch/weight-fetch.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, implOf } from '../config/schema.js';
import { ConfigError, InfeasibleError } from '../config/errors.js';
import { sramActions, type EnergyAction } from '../energy/actions.js';
import type { SramFigures } from '../energy/sram-model.js';
import { parseOperand, type Operand } from '../energy/logic.js';
import type { Counter, Counters } from '../kernel/counters.js';
import { lutEntryBits, lutFormatName, parseLutFormat, toLutTable, type LutFormat } from '../../quant/codebooks/lut-format.js';
import type { LutSram, LutTableRef } from './lut-sram.js';
import { conflictsFor, type LutConflicts } from './conflicts.js';

/** A LUT output format the hardware can hold: hif<N>, the shift-add hif7sa / hif8sa, or bf16. */
const Output = z.string().refine(
  (s) => {
    try {
      return parseLutFormat(s).kind !== 'exact';
    } catch {
      return false;
    }
  },
  { message: 'expected hif<N> (N of 3 to 16, e.g. hif8), hif7sa, hif8sa or bf16' },
);

const Schema = z
  .object({ impl: implOf('banked-sram'), capacity_bytes: PosInt, output: Output, ports: PosInt, banks: PosInt, replicas: PosInt, prefetch: z.boolean() })
  .strict();
type Conf = z.infer<typeof Schema>;

class BankedSram implements LutSram {
  readonly component = 'lut_sram';
  readonly impl = 'banked-sram';
  readonly stall = 'lut_port' as const;
  readonly tabled = true;
  readonly route: number;
  readonly entryBits: number;
  private readonly format: LutFormat;
  private readonly capacityBytes: number;
  /** The current layer's bank conflicts (null when no lane group reads the LUT). */
  private conflicts: LutConflicts | null = null;
  /** id -> footprint bytes; Map order is LRU order (oldest first). */
  private readonly resident = new Map<string, number>();
  private readonly readyAt = new Map<string, number>();
  private readonly hReads: Counter;
  private readonly hWrites: Counter;
  private readonly hReloads: Counter;
  private readonly hHits: Counter;
  private readonly hPrefetches: Counter;
  private readonly hEvictions: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.route = env.route(this.component);
    this.format = parseLutFormat(conf.output);
    this.entryBits = lutEntryBits(this.format);
    this.capacityBytes = conf.capacity_bytes;
    const c = env.counters;
    const n = this.component;
    this.hReads = c.define(n, 'reads', '', `entry reads (${this.entryBits} bits; one per weight routed to the LUT)`);
    this.hWrites = c.define(n, 'writes', '', 'entry writes when tables are (re)loaded (entries x replicas)');
    this.hReloads = c.define(n, 'reloads', '', 'tables loaded from DRAM (misses, including prefetches)');
    this.hHits = c.define(n, 'hits', '', 'layer table requests found resident');
    this.hPrefetches = c.define(n, 'prefetches', '', 'reloads issued during the previous layer');
    this.hEvictions = c.define(n, 'evictions', '', 'tables evicted (LRU) to make room');
  }

  private get fetch(): WeightFetch {
    return this.env.block<WeightFetch>('weight_fetch')!;
  }

  tableBytes(t: LutTableRef): number {
    return Math.ceil((t.entries * this.entryBits) / 8) + (this.format.kind === 'hif' || this.format.kind === 'hifsa' ? 1 : 0); // HIF: + the exponent byte
  }

  copies(t: LutTableRef): number {
    return Math.max(0, Math.min(this.conf.replicas, Math.floor(this.capacityBytes / this.tableBytes(t))));
  }

  private footprint(t: LutTableRef): number {
    return this.tableBytes(t) * this.copies(t);
  }

  /** Copies serving the lanes while tables are in use (the largest table has the fewest copies). */
  private copiesFor(tables: LutTableRef[]): number {
    let c = this.conf.replicas;
    for (const t of tables) c = Math.min(c, this.copies(t));
    return c;
  }

  isResident(id: string): boolean {
    return this.resident.has(id);
  }

  private residentBytes(): number {
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
        this.env.counters.add(this.hEvictions, 1);
      }
    return true;
  }

  private load(t: LutTableRef, now: number, protect: Set<string>): number {
    const fp = this.footprint(t);
    if (this.copies(t) === 0) throw new InfeasibleError(`lut.capacity_bytes: ${this.capacityBytes} B cannot hold table '${t.id}' (${this.tableBytes(t)} B)`);
    if (!this.makeRoom(fp, protect, false))
      throw new InfeasibleError(`lut.capacity_bytes: ${this.capacityBytes} B cannot hold the ${protect.size + 1} tables one layer needs at once`);
    const arrival = this.fetch.request(now, this.tableBytes(t), true);
    const ready = arrival + Math.ceil(t.entries / this.conf.banks); // every replica and bank writes in parallel
    this.env.counters.add(this.hWrites, t.entries * this.copies(t));
    this.env.counters.add(this.hReloads, 1);
    this.resident.set(t.id, fp);
    this.readyAt.set(t.id, ready);
    return ready;
  }

  acquire(tables: LutTableRef[], now: number): number {
    let ready = now;
    const protect = new Set(tables.map((t) => t.id));
    for (const t of tables) {
      const fp = this.resident.get(t.id);
      if (fp !== undefined) {
        this.env.counters.add(this.hHits, 1);
        this.resident.delete(t.id); // move to most recently used
        this.resident.set(t.id, fp);
        ready = Math.max(ready, this.readyAt.get(t.id) ?? now);
      } else ready = Math.max(ready, this.load(t, now, protect));
    }
    return ready;
  }

  prefetch(next: LutTableRef[], current: LutTableRef[], now: number): void {
    if (!this.conf.prefetch) return;
    const missing = next.filter((t) => !this.resident.has(t.id));
    if (missing.length === 0) return;
    const protect = new Set(current.map((t) => t.id));
    const need = missing.reduce((s, t) => s + this.footprint(t), 0);
    if (!this.makeRoom(need, protect, true)) return;
    for (const t of missing) {
      this.load(t, now, protect);
      this.env.counters.add(this.hPrefetches, 1);
    }
  }

  beginLayer(work: LayerWork): void {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    const copies = this.copiesFor(work.lutTables);
    this.conflicts = work.stream.routed(this.route, work.n) > 0 ? conflictsFor(work, { lanes, copies, banks: this.conf.banks, ports: this.conf.ports, route: this.route }) : null;
  }

  prepareLayer(work: LayerWork, now: number): number {
    return work.lutTables.length ? this.acquire(work.lutTables, now) : now;
  }

  prefetchNext(next: LayerWork, current: LayerWork, now: number): void {
    this.prefetch(next.lutTables, current.lutTables, now);
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hReads, d.routed[this.route]);
  }

  /** A lane group's cycles from its real entries: its slowest bank (conflicts.ts). */
  groupCycles(d: Demand): number {
    return d.routed[this.route] > 0 && this.conflicts ? this.conflicts.cycles(d.first) : 0;
  }

  groupBound(): number {
    return this.conflicts?.max ?? 0;
  }

  groupExtra(w0: number, w1: number): number {
    return this.conflicts ? this.conflicts.extraIn(w0, w1) : 0;
  }

  /**
   * HIF entries are integer mantissas (the table's exponent joins once per block), shift-add HIF entries a
   * 5-bit mantissa and its shift; BF16 entries are floats.
   */
  operand(): Operand {
    const f = this.format;
    return parseOperand(f.kind === 'hif' ? `int${this.entryBits}` : f.kind === 'hifsa' ? lutFormatName(f) : 'bf16');
  }

  utilisation(c: Counters, cycles: number): number {
    const peak = this.conf.ports * this.conf.banks * this.conf.replicas;
    return cycles > 0 ? c.values[this.hReads] / (cycles * peak) : 0;
  }

  sram(c: Counters): SramAccesses {
    const r = c.values[this.hReads];
    const w = c.values[this.hWrites];
    return { reads: r, writes: w, bits_read: r * this.entryBits, bits_written: w * this.entryBits };
  }

  /**
   * One copy of the tables is an SRAM of capacity / replicas with `banks` banks and `ports` read-write
   * ports at the entry width; a read or write costs that SRAM's access energy, every copy leaks.
   */
  private copyFigures(): SramFigures {
    const { cfg } = this.env;
    return cfg.sram.figures({ capacityBytes: this.capacityBytes / this.conf.replicas, widthBits: this.entryBits, ports: this.conf.ports, banks: this.conf.banks, nodeNm: cfg.hw.node_nm });
  }

  area(): { mm2: number; source: string } {
    const s = this.copyFigures();
    return { mm2: s.area_mm2 * this.conf.replicas, source: `${this.conf.replicas} copies x ${s.area_mm2.toExponential(3)} mm2 (${s.source})` };
  }

  actions(): EnergyAction[] {
    return sramActions(this.env.cfg, this.component, this.copyFigures(), this.conf.replicas, ['read_entry', this.hReads], ['write_entry', this.hWrites]);
  }
}

/** Do these values sit exactly on the LUT format's grid? */
function onGrid(values: ArrayLike<number>, format: LutFormat): boolean {
  const t = toLutTable(values, format);
  return t.levels.every((v, i) => v === values[i]);
}

/** Can the LUT hold this book's values exactly at its output format? */
function holdsExactly(format: LutFormat, q: RouteQuery): boolean {
  const { book, layer } = q;
  if (book.grid.kind === 'format') return onGrid(Array.from(book.table, (v) => (Number.isFinite(v) ? v : 0)), format);
  if (format.kind === 'bf16') return layer.lut !== 'exact';
  // a book stored by its levels (a fixed codebook the ROM lacks): held if its levels sit on the format's grid
  if (!book.hif) return onGrid(book.grid.levels, format);
  // a shift-add grid holds its own books and those of a shift-add grid with smaller shifts, and plain HIF
  // mantissas that fit its 5-bit mantissa
  if (format.kind === 'hifsa') return book.hif.shiftMax !== undefined ? book.hif.shiftMax <= format.shiftMax : book.hif.bits <= format.mantissaBits;
  return format.kind === 'hif' && book.hif.shiftMax === undefined && book.hif.bits <= format.mantissaBits;
}

/** Every book reaching the LUT is its own: per-layer tables named by layer, shared ones by content. */
function route(conf: Conf, q: RouteQuery): { table: LutTableRef } {
  const { book, layer } = q;
  if (!holdsExactly(parseLutFormat(conf.output), q))
    throw new ConfigError(
      layer.lut === conf.output
        ? `${q.file}: layer '${q.label}': the levels of ${book.name} are not on the lut.output ${conf.output} grid (the ROM does not hold ${book.name}; add it to codebook_rom.codebooks or quantize with another pair)`
        : `${q.file}: layer '${q.label}' was quantized for LUT format ${layer.lut}; lut.output ${conf.output} cannot hold ${book.name} exactly (requantize with --lut ${conf.output})`,
    );
  const format = book.grid.kind === 'format';
  const id = format ? `format:${book.name}` : book.inLut ? `layer:${q.key}:${book.name}` : `codebook:${book.name}@${layer.lut}`;
  const entries = format ? 1 << (book.codeBits ?? layer.elementBits) : book.grid.size;
  if (conf.banks > entries) throw new ConfigError(`${q.file}: field 'lut.banks': ${conf.banks} banks for layer '${q.label}', whose table ${book.name} has ${entries} entries; expected at most ${entries} (a bank beyond the entries holds nothing)`);
  return { table: { id, entries } };
}

registerBlock<Conf>({
  kind: 'lut_sram',
  impl: 'banked-sram',
  summary: 'replicas x banks x ports, LRU residency, reloads and prefetch from DRAM',
  schema: Schema,
  create: (conf, env) => new BankedSram(conf, env),
  route,
});
