// One DRAM channel serving requests in order, in its own clock domain: `gb_per_s` and `latency_ns` are
// the DRAM's, converted to core cycles by the core clock (rate = GB/s / GHz bytes a cycle; the latency
// rounded up to whole cycles). A request of B bytes moves whole bursts, ceil(B / burst_bytes) of them,
// holds the channel ceil(bursts x burst_bytes / rate) cycles, and its data arrives `latency` cycles after
// its transfer ends. Requests are served in the order they are made: a layer's LUT table, requested before
// its first tiles, goes first; a table prefetched for the next layer waits behind the tiles already asked for.

import { z } from 'zod';
import type { BlockEnv } from '../core/block.js';
import { registerBlock } from '../core/registry.js';
import { SourcedIn, implOf } from '../config/schema.js';
import type { EnergyAction } from '../energy/actions.js';
import type { Counter, Counters } from '../kernel/counters.js';
import type { WeightFetch } from './weight-fetch.js';

const Schema = z
  .object({
    impl: implOf('in-order-dram'),
    gb_per_s: SourcedIn(z.number().min(1e-3, { message: 'expected at least 0.001 GB/s (1 MB/s)' }).max(1e6)),
    latency_ns: SourcedIn(z.number().min(0).max(1e9)),
    /** Smallest access: every request moves whole bursts (1: byte-granular). */
    burst_bytes: SourcedIn(z.number().int().min(1).max(4096)).optional(),
    dram: z.string().min(1),
  })
  .strict();
type Conf = z.infer<typeof Schema>;

class InOrderDram implements WeightFetch {
  readonly component = 'weight_fetch';
  readonly impl = 'in-order-dram';
  readonly rate: number;
  readonly latency: number;
  readonly burst: number;
  /** Cycle at which the channel is next free. */
  private channelFree = 0;
  private readonly hBytes: Counter;
  private readonly hRequests: Counter;
  private readonly hBusy: Counter;
  private readonly hTableBytes: Counter;
  private readonly hPadding: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    const ghz = env.cfg.hw.clock_ghz.value;
    this.rate = conf.gb_per_s.value / ghz;
    this.latency = Math.ceil(conf.latency_ns.value * ghz - 1e-9);
    this.burst = conf.burst_bytes?.value ?? 1;
    const c = env.counters;
    this.hBytes = c.define(this.component, 'dram_bytes', 'B', 'bytes read from DRAM in whole bursts (weights, scales, selection bits, residuals, tables, layer headers, and the padding to a burst)');
    this.hPadding = c.define(this.component, 'padding_bytes', 'B', 'bytes read only to fill a request\'s last burst (included in dram_bytes)');
    this.hRequests = c.define(this.component, 'requests', '', 'DRAM read requests (tiles, tables, headers)');
    this.hBusy = c.define(this.component, 'busy_cycles', 'cycles', 'cycles the DRAM channel was transferring');
    this.hTableBytes = c.define(this.component, 'table_bytes', 'B', 'bytes of LUT tables reloaded from DRAM (included in dram_bytes)');
  }

  request(now: number, payload: number, table = false): number {
    const start = this.channelFree > now ? this.channelFree : now;
    const bytes = Math.ceil(payload / this.burst) * this.burst;
    const xfer = Math.ceil(bytes / this.rate);
    this.channelFree = start + xfer;
    const c = this.env.counters;
    c.add(this.hBytes, bytes);
    c.add(this.hPadding, bytes - payload);
    c.add(this.hRequests, 1);
    c.add(this.hBusy, xfer);
    if (table) c.add(this.hTableBytes, bytes);
    return this.channelFree + this.latency;
  }

  utilisation(c: Counters, cycles: number): number {
    return cycles > 0 ? c.values[this.hBusy] / cycles : 0;
  }

  bound(counters: Counters): { name: string; cycles: number } {
    return { name: 'dram_cycles', cycles: Math.ceil(counters.values[this.hBytes] / this.rate) };
  }

  actions(): EnergyAction[] {
    const { tech, hw } = this.env.cfg;
    const d = tech.dram_pj_per_bit[this.conf.dram];
    const bg = tech.dram_background_mw_per_gb_s[this.conf.dram];
    const mw = bg.value * this.conf.gb_per_s.value;
    return [
      { component: this.component, action: 'read_byte', counter: this.hBytes, pjEach: 8 * d.value, source: `8 bits x ${d.value} pJ/bit: ${d.source}` },
      { component: this.component, action: 'background_cycle', counter: 'cycles', pjEach: mw / hw.clock_ghz.value, source: `${bg.value} mW per GB/s x ${this.conf.gb_per_s.value} GB/s = ${mw} mW at ${hw.clock_ghz.value} GHz: ${bg.source}` },
    ];
  }
}

registerBlock<Conf>({
  kind: 'weight_fetch',
  impl: 'in-order-dram',
  summary: 'one channel, requests served in order at gb_per_s, data after latency_ns (the DRAM clock domain)',
  schema: Schema,
  create: (conf, env) => new InOrderDram(conf, env),
  checkTech: (conf, tech) =>
    Object.hasOwn(tech.dram_pj_per_bit, conf.dram) && Object.hasOwn(tech.dram_background_mw_per_gb_s, conf.dram)
      ? null
      : { field: 'dram', message: `unknown DRAM '${conf.dram}' (expected one of ${Object.keys(tech.dram_pj_per_bit).filter((k) => Object.hasOwn(tech.dram_background_mw_per_gb_s, k)).join(', ')})` },
});
