// `macs_per_cycle` multiply-accumulators shared by the lanes and tokens of a group. What one MAC is follows
// from the operand formats: the weight operand each decoder hands over (a HIF entry is an integer, a BF16
// entry or an E4M3 code a float), the activation format and the accumulator format. Where the scale
// multiplier sums a block before scaling it (the scaled outer product), integer weights multiply the
// activation significand aligned to the block and accumulate in fixed point; float weights, or weights
// scaled one by one, multiply as floats and add in the accumulator format.

import { z } from 'zod';
import type { Block, BlockEnv, Demand } from '../core/block.js';
import type { Decoder } from '../core/decoder.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { MacArray } from './mac-array.js';
import type { ScaleMultiplier } from '../scale-multiplier/scale-multiplier.js';
import { registerBlock } from '../core/registry.js';
import { OperandName, PosInt, implOf } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { fpAdd, intAdd, intProduct, multiply, parseOperand, plus, shifter, significand, times, valueBits, type Cells, type Operand } from '../energy/logic.js';
import type { Counter, Counters } from '../kernel/counters.js';

const Schema = z
  .object({
    impl: implOf('mac-grid'),
    macs_per_cycle: PosInt,
    activation: OperandName.default('bf16'),
    accumulator: OperandName.default('fp32'),
    /** Largest block a fixed-point partial sum is sized for (its guard bits). */
    max_block: z.number().int().min(1).max(4096).default(32),
  })
  .strict();
type Conf = z.infer<typeof Schema>;

const log2ceil = (n: number) => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

class MacGrid implements MacArray {
  readonly component = 'mac_array';
  readonly impl = 'mac-grid';
  readonly stall = 'mac' as const;
  readonly activation: Operand;
  readonly accumulator: Operand;
  private readonly macs: number;
  private readonly hMacs: Counter;
  private readonly hTable: Counter;
  private readonly hDirect: Counter;
  private readonly hOutputs: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.macs = conf.macs_per_cycle;
    this.activation = parseOperand(conf.activation);
    this.accumulator = parseOperand(conf.accumulator);
    const c = env.counters;
    this.hMacs = c.define(this.component, 'macs', '', 'multiply-accumulates (weights x tokens)');
    this.hTable = c.define(this.component, 'table_macs', '', 'MACs on weights decoded through a table (ROM or LUT)');
    this.hDirect = c.define(this.component, 'direct_macs', '', 'MACs on weights decoded directly from their number format');
    this.hOutputs = c.define(this.component, 'output_scales', '', 'outputs scaled by the per-layer scale (rows x tokens)');
  }

  charge(d: Demand): void {
    const c = this.env.counters;
    c.add(this.hMacs, d.weights * d.tokens);
    c.add(this.hTable, d.tabled * d.tokens);
    c.add(this.hDirect, (d.weights - d.tabled) * d.tokens);
  }

  groupCycles(d: Demand): number {
    return Math.ceil((d.weights * d.tokens) / this.macs);
  }

  groupBound(work: LayerWork): number {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    return Math.ceil((lanes * work.tokens) / this.macs);
  }

  endLayer(work: LayerWork): void {
    if (work.layer.tensorScaleBits > 0) this.env.counters.add(this.hOutputs, work.rows * work.tokens);
  }

  utilisation(c: Counters, cycles: number): number {
    return cycles > 0 ? c.values[this.hMacs] / (cycles * this.macs) : 0;
  }

  bound(c: Counters): { name: string; cycles: number } {
    return { name: 'mac_cycles', cycles: Math.ceil(c.values[this.hMacs] / this.macs) };
  }

  /** The decoders of this datapath, split by whether a table (ROM, LUT) or a direct decode feeds the MAC. */
  private decoders(tabled: boolean): Decoder[] {
    return this.env.cfg.datapath.decoders.map((k) => this.env.block<Decoder>(k)).filter((d): d is Decoder => !!d && d.tabled === tabled);
  }

  private get scaler(): ScaleMultiplier | undefined {
    return this.env.block<ScaleMultiplier>('scale_multiplier');
  }

  /** The weight operand before any scaling: a table entry's format, or the direct decode's. */
  weightOperand(): Operand {
    const d = this.decoders(true)[0] ?? this.decoders(false)[0];
    return d ? d.operand() : this.activation;
  }

  /** The table weights' operand as it reaches the MAC (scaled first when the scale is applied per element). */
  private tableOperand(): Operand | null {
    const lut = this.decoders(true)[0];
    if (!lut) return null;
    const w = lut.operand();
    return this.scaler?.scaledOperand(w) ?? w;
  }

  /** The partial sum of a block of table weights, where the scale multiplier takes block sums. */
  blockSum(): Operand {
    const w = this.tableOperand();
    if (w && w.kind === 'int') return parseOperand(`fx${valueBits(w) + significand(this.activation) + log2ceil(this.conf.max_block)}`);
    return this.accumulator;
  }

  /** One MAC on a weight operand: fixed point when integer weights sum per block, else float. */
  private mac(w: Operand): { cells: Cells; what: string } {
    const a = this.activation;
    const sum = this.blockSum();
    if (w.kind === 'int' && sum.kind === 'int' && this.scaler?.blockSums) {
      const sig = significand(a);
      return {
        cells: plus(shifter(sig, sig), intProduct(w, sig), intAdd(sum.bits)),
        what: `${a.name} significand aligned to the block (${sig}-bit shift), int${w.bits} x int${sig} multiply${w.shift ? ` and a 0-${w.shift} shift` : ''}, ${sum.bits}-bit fixed-point add`,
      };
    }
    return { cells: plus(multiply(w, a), fpAdd(this.accumulator)), what: `${w.name} x ${a.name} multiply (exact product), ${this.accumulator.name} add` };
  }

  /** The MAC of each path the datapath has: table weights and directly decoded weights. */
  private paths(): Array<{ name: string; counter: Counter; mac: { cells: Cells; what: string } }> {
    const out = [];
    const t = this.tableOperand();
    if (t) out.push({ name: 'mac_table', counter: this.hTable, mac: this.mac(t) });
    const d = this.decoders(false)[0];
    if (d) out.push({ name: 'mac_direct', counter: this.hDirect, mac: this.mac(d.operand()) });
    return out;
  }

  logic(): { cells: Cells; what: string } {
    const p = this.paths();
    return { cells: times(plus(...p.map((x) => x.mac.cells)), this.macs), what: `${this.macs} MACs, each with ${p.map((x) => x.name.replace('mac_', '')).join(' and ')} path` };
  }

  actions(): EnergyAction[] {
    const { cfg } = this.env;
    const exp = this.accumulator.kind === 'float' ? this.accumulator.exp : 8;
    return [
      ...this.paths().map((p) => logicAction(cfg, this.component, p.name, p.counter, p.mac.cells, p.mac.what)),
      logicAction(cfg, this.component, 'output_scale', this.hOutputs, intAdd(exp), `a ${exp}-bit exponent add (power-of-two layer scale)`),
    ];
  }
}

registerBlock<Conf>({
  kind: 'mac_array',
  impl: 'mac-grid',
  summary: '`macs_per_cycle` multiply-accumulators shared by a group\'s lanes and tokens',
  schema: Schema,
  create: (conf, env) => new MacGrid(conf, env),
});
