// Weight buffer SRAM: `slots` tiles of `tile_bytes` (double buffering by default) between DRAM and the
// unpacker. Contract: each tile is written once as it arrives and read once as it is decoded, in words of
// `width_bits`; counts reads, writes and bits; energy from the SRAM model plus leakage per cycle.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import type { EnergyAction } from '../energy/actions.js';
import { sramModel } from '../energy/sram-model.js';

export class WeightBuffer {
  static readonly NAME = 'weight_buffer';
  readonly capacityBytes: number;
  readonly wordBytes: number;
  private readonly hReads: number;
  private readonly hWrites: number;
  private readonly hBitsR: number;
  private readonly hBitsW: number;

  constructor(private readonly cfg: LoadedConfig, private readonly counters: Counters) {
    const wb = cfg.hw.weight_buffer;
    this.capacityBytes = wb.tile_bytes * wb.slots;
    this.wordBytes = wb.width_bits / 8;
    const c = WeightBuffer.NAME;
    this.hReads = counters.define(c, 'reads', 'words', `word reads (${wb.width_bits} bits) by the unpacker`);
    this.hWrites = counters.define(c, 'writes', 'words', 'word writes as tiles arrive from DRAM');
    this.hBitsR = counters.define(c, 'bits_read', 'bits', 'bits read');
    this.hBitsW = counters.define(c, 'bits_written', 'bits', 'bits written');
  }

  /** A tile of `bytes` arrives (written) and is later decoded (read). */
  tile(bytes: number): void {
    const words = Math.ceil(bytes / this.wordBytes);
    const c = this.counters;
    c.add(this.hWrites, words);
    c.add(this.hReads, words);
    c.add(this.hBitsW, words * this.wordBytes * 8);
    c.add(this.hBitsR, words * this.wordBytes * 8);
  }

  actions(): EnergyAction[] {
    const hw = this.cfg.hw;
    const s = sramModel(this.cfg.tech, this.capacityBytes, hw.weight_buffer.width_bits, hw.node_nm);
    const src = `SRAM model: ${this.capacityBytes} B, ${hw.weight_buffer.width_bits}-bit words, ${hw.node_nm} nm`;
    const ghz = hw.clock_ghz.value;
    return [
      { component: WeightBuffer.NAME, action: 'read_word', counter: `${WeightBuffer.NAME}.reads`, pjEach: s.read_pj, source: src },
      { component: WeightBuffer.NAME, action: 'write_word', counter: `${WeightBuffer.NAME}.writes`, pjEach: s.write_pj, source: src },
      { component: WeightBuffer.NAME, action: 'leakage_cycle', counter: 'cycles', pjEach: s.leak_mw / ghz, source: `${src}: ${s.leak_mw.toExponential(3)} mW at ${ghz} GHz` },
    ];
  }
}
