// Weight fetch: the DRAM/HBM stream that brings packed layers (tiles, tables, layer headers) on chip.
// Contract: one channel, requests served in order; a request of B bytes holds the channel ceil(B / rate)
// cycles and its data arrives `latency` cycles after that. Counts bytes, requests and busy cycles.

import type { LoadedConfig } from '../config/load.js';
import type { Counters } from '../kernel/counters.js';
import type { EnergyAction } from '../energy/actions.js';

export class WeightFetch {
  static readonly NAME = 'weight_fetch';
  readonly rate: number;
  readonly latency: number;
  /** Cycle at which the channel is next free. */
  channelFree = 0;
  private readonly hBytes: number;
  private readonly hRequests: number;
  private readonly hBusy: number;
  private readonly hTableBytes: number;

  constructor(private readonly cfg: LoadedConfig, private readonly counters: Counters) {
    this.rate = cfg.hw.weight_fetch.bytes_per_cycle.value;
    this.latency = cfg.hw.weight_fetch.latency_cycles.value;
    const c = WeightFetch.NAME;
    this.hBytes = counters.define(c, 'dram_bytes', 'B', 'bytes read from DRAM (weights, scales, selection bits, residuals, tables, layer headers)');
    this.hRequests = counters.define(c, 'requests', '', 'DRAM read requests (tiles, tables, headers)');
    this.hBusy = counters.define(c, 'busy_cycles', 'cycles', 'cycles the DRAM channel was transferring');
    this.hTableBytes = counters.define(c, 'table_bytes', 'B', 'bytes of LUT tables reloaded from DRAM (included in dram_bytes)');
  }

  /** Request `bytes` at cycle `now`; returns the cycle the data has arrived. */
  request(now: number, bytes: number, isTable = false): number {
    const start = this.channelFree > now ? this.channelFree : now;
    const xfer = Math.ceil(bytes / this.rate);
    this.channelFree = start + xfer;
    const c = this.counters;
    c.add(this.hBytes, bytes);
    c.add(this.hRequests, 1);
    c.add(this.hBusy, xfer);
    if (isTable) c.add(this.hTableBytes, bytes);
    return this.channelFree + this.latency;
  }

  actions(): EnergyAction[] {
    const d = this.cfg.tech.dram_pj_per_bit[this.cfg.hw.weight_fetch.dram];
    return [{ component: WeightFetch.NAME, action: 'read_byte', counter: `${WeightFetch.NAME}.dram_bytes`, pjEach: 8 * d.value, source: `8 bits x ${d.value} pJ/bit: ${d.source}` }];
  }
}
