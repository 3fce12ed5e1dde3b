// The weight buffer as one SRAM of slots x tile_bytes, accessed in words of width_bits; energy, leakage
// and area from the CACTI table (sim/energy/sram-model.ts).

import { z } from 'zod';
import type { BlockEnv, SramAccesses } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, implOf } from '../config/schema.js';
import { sramActions, type EnergyAction } from '../energy/actions.js';
import type { Counter, Counters } from '../kernel/counters.js';
import type { WeightBuffer } from './weight-buffer.js';

const Schema = z
  .object({
    impl: implOf('sram-slots'),
    tile_bytes: PosInt,
    slots: z.number().int().min(1).max(16),
    width_bits: PosInt,
    /** Read-write ports: one serves DRAM writes and unpacker reads in turn. */
    ports: z.number().int().min(1).max(4).default(1),
    banks: z.number().int().min(1).max(64).default(1),
  })
  .strict();
type Conf = z.infer<typeof Schema>;

class SramSlots implements WeightBuffer {
  readonly component = 'weight_buffer';
  readonly impl = 'sram-slots';
  readonly slots: number;
  readonly tileBytes: number;
  readonly capacityBytes: number;
  readonly wordBits: number;
  private readonly wordBytes: number;
  private readonly hReads: Counter;
  private readonly hWrites: Counter;
  private readonly hBitsR: Counter;
  private readonly hBitsW: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.slots = conf.slots;
    this.tileBytes = conf.tile_bytes;
    this.capacityBytes = conf.tile_bytes * conf.slots;
    this.wordBytes = conf.width_bits / 8;
    this.wordBits = conf.width_bits;
    const c = env.counters;
    this.hReads = c.define(this.component, 'reads', 'words', `word reads (${conf.width_bits} bits) by the unpacker`);
    this.hWrites = c.define(this.component, 'writes', 'words', 'word writes as tiles arrive from DRAM');
    this.hBitsR = c.define(this.component, 'bits_read', 'bits', 'bits read');
    this.hBitsW = c.define(this.component, 'bits_written', 'bits', 'bits written');
  }

  tileLoaded(bytes: number): void {
    const words = Math.ceil(bytes / this.wordBytes);
    const c = this.env.counters;
    c.add(this.hWrites, words);
    c.add(this.hReads, words);
    c.add(this.hBitsW, words * this.wordBytes * 8);
    c.add(this.hBitsR, words * this.wordBytes * 8);
  }

  sram(c: Counters): SramAccesses {
    const v = c.values;
    return { reads: v[this.hReads], writes: v[this.hWrites], bits_read: v[this.hBitsR], bits_written: v[this.hBitsW] };
  }

  area(): { mm2: number; source: string } {
    const s = this.figures();
    return { mm2: s.area_mm2, source: s.source };
  }

  private figures() {
    const { cfg } = this.env;
    return cfg.sram.figures({ capacityBytes: this.capacityBytes, widthBits: this.conf.width_bits, ports: this.conf.ports, banks: this.conf.banks, nodeNm: cfg.hw.node_nm });
  }

  actions(): EnergyAction[] {
    return sramActions(this.env.cfg, this.component, this.figures(), 1, ['read_word', this.hReads], ['write_word', this.hWrites]);
  }
}

registerBlock<Conf>({
  kind: 'weight_buffer',
  impl: 'sram-slots',
  summary: 'one SRAM of slots x tile_bytes in width_bits words',
  schema: Schema,
  create: (conf, env) => new SramSlots(conf, env),
});
