// The activation buffer as `banks` independent SRAMs of capacity / banks, each read or written one word of
// `width_bits` a cycle: a lane group's activations (weights x tokens of them) take ceil(bits / width) word
// reads, spread over the banks; the layer's outputs are written back as words. Energy, leakage and area
// per bank from the CACTI table (sim/energy/sram-model.ts).

import { z } from 'zod';
import type { Block, BlockEnv, Demand, SramAccesses } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { MacArray } from '../mac-array/mac-array.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import { registerBlock } from '../core/registry.js';
import { PosInt, implOf } from '../config/schema.js';
import { sramActions, type EnergyAction } from '../energy/actions.js';
import { operandBits } from '../energy/logic.js';
import type { SramFigures } from '../energy/sram-model.js';
import type { Counter, Counters } from '../kernel/counters.js';

const Schema = z
  .object({
    impl: implOf('sram-banks'),
    capacity_bytes: PosInt.default(65536),
    width_bits: PosInt.default(256),
    banks: z.number().int().min(1).max(1024).default(16),
  })
  .strict();
type Conf = z.infer<typeof Schema>;

class SramBanks implements Block {
  readonly component = 'activation_buffer';
  readonly impl = 'sram-banks';
  readonly stall = 'activation' as const;
  private readonly hReads: Counter;
  private readonly hWrites: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    const c = env.counters;
    this.hReads = c.define(this.component, 'reads', 'words', `word reads (${conf.width_bits} bits) of activations for the MACs`);
    this.hWrites = c.define(this.component, 'writes', 'words', 'word writes of the layer outputs (write-back)');
  }

  private get actBits(): number {
    return operandBits(this.env.block<MacArray>('mac_array')!.activation);
  }

  private words(values: number): number {
    return Math.ceil((values * this.actBits) / this.conf.width_bits);
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hReads, this.groupWords(d));
  }

  /**
   * Words read for a share of lane groups: each group reads its own activations, so a word is not shared
   * across groups (a layer's last group is the only one that can be partial).
   */
  private groupWords(d: Demand): number {
    if (d.groups === 0) return 0;
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    const full = Math.min(d.groups, Math.floor(d.weights / lanes));
    const rest = d.weights - full * lanes;
    return full * this.words(lanes * d.tokens) + (rest > 0 ? this.words(rest * d.tokens) : 0);
  }

  groupCycles(d: Demand): number {
    return Math.ceil(this.words(d.weights * d.tokens) / this.conf.banks);
  }

  groupBound(work: LayerWork): number {
    return Math.ceil(this.words(this.env.block<Unpacker>('unpacker')!.lanes * work.tokens) / this.conf.banks);
  }

  endLayer(work: LayerWork): void {
    this.env.counters.add(this.hWrites, this.words(work.rows * work.tokens));
  }

  utilisation(c: Counters, cycles: number): number {
    return cycles > 0 ? (c.values[this.hReads] + c.values[this.hWrites]) / (cycles * this.conf.banks) : 0;
  }

  sram(c: Counters): SramAccesses {
    const r = c.values[this.hReads];
    const w = c.values[this.hWrites];
    return { reads: r, writes: w, bits_read: r * this.conf.width_bits, bits_written: w * this.conf.width_bits };
  }

  private bank(): SramFigures {
    const { cfg } = this.env;
    return cfg.sram.figures({ capacityBytes: this.conf.capacity_bytes / this.conf.banks, widthBits: this.conf.width_bits, ports: 1, banks: 1, nodeNm: cfg.hw.node_nm });
  }

  area(): { mm2: number; source: string } {
    const s = this.bank();
    return { mm2: s.area_mm2 * this.conf.banks, source: `${this.conf.banks} banks x ${s.area_mm2.toExponential(3)} mm2 (${s.source})` };
  }

  actions(): EnergyAction[] {
    return sramActions(this.env.cfg, this.component, this.bank(), this.conf.banks, ['read_word', this.hReads], ['write_word', this.hWrites]);
  }
}

registerBlock<Conf>({
  kind: 'activation_buffer',
  impl: 'sram-banks',
  summary: '`banks` SRAMs of capacity / banks, one word each a cycle',
  schema: Schema,
  create: (conf, env) => new SramBanks(conf, env),
});
