// A LUT-of-products MAC array (LUT Tensor Core, ISCA 2025; T-MAC): no multipliers. For every token, each group
// of `group` activations is turned into a table of its signed sums (2^(group-1) entries: the other half are
// their negations); an integer weight of b bits is taken bit-plane by bit-plane, and the `group` bits of one
// plane of `group` neighbouring weights index the table — one read and one add for `group` weights, b of them
// for b planes (each plane shifted by its weight, an exponent add). A codebook or float weight is not a sum of
// bit planes: for those layers each activation gets a table of its products with the layer's levels (2^b per
// book: a multiply each), and each weight's code reads its product — one read and one add a weight.
//
// Counts: `macs` (weights x tokens, the products formed), `table_reads` (bit planes: ceil(weights x b / group)
// x tokens per tile), `table_entries` (sums built: ceil(cols / group) x 2^(group-1) x tokens per layer),
// `product_reads` (weights x tokens) and `product_entries` (cols x books x 2^b x tokens per layer).

import { z } from 'zod';
import type { BlockEnv, Demand } from '../core/block.js';
import type { Decoder } from '../core/decoder.js';
import type { LayerWork } from '../datapath/layer-work.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { MacArray } from './mac-array.js';
import { registerBlock } from '../core/registry.js';
import { OperandName, PosInt, implOf } from '../config/schema.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { cells, fpAdd, intAdd, multiply, muxTree, operandBits, parseOperand, plus, register, times, type Cells, type Operand } from '../energy/logic.js';
import type { Counter, Counters } from '../kernel/counters.js';
import { intBookBits } from '../../quant/schemes/books.js';

const Schema = z
  .object({
    impl: implOf('lut-products'),
    /** Table reads (each serving `group` weights of one bit plane) per cycle. */
    lookups_per_cycle: PosInt,
    /** Activations a table sums over (its index is `group` weight bits). */
    group: z.number().int().min(1).max(8).default(4),
    activation: OperandName.default('bf16'),
    accumulator: OperandName.default('fp32'),
    /** Format of a table entry (a sum of `group` activations, or a product). */
    entry: OperandName.default('fp16'),
    /** Format of a codebook's levels multiplied into the product tables. */
    levels: OperandName.default('hif8'),
  })
  .strict();
type Conf = z.infer<typeof Schema>;

class LutProducts implements MacArray {
  readonly component = 'mac_array';
  readonly impl = 'lut-products';
  readonly stall = 'mac' as const;
  readonly activation: Operand;
  readonly accumulator: Operand;
  private readonly entry: Operand;
  /** The current layer's bit planes per weight (integer weights), or 0: tables of products (codebooks, floats). */
  private planes = 1;
  private readonly hProdReads: Counter;
  private readonly hProducts: Counter;
  private readonly levels: Operand;
  private readonly hMacs: Counter;
  private readonly hReads: Counter;
  private readonly hEntries: Counter;
  private readonly hOutputs: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    this.activation = parseOperand(conf.activation);
    this.accumulator = parseOperand(conf.accumulator);
    this.entry = parseOperand(conf.entry);
    const c = env.counters;
    this.hMacs = c.define(this.component, 'macs', '', 'weight x activation products formed, by table reads (weights x tokens)');
    this.hReads = c.define(this.component, 'table_reads', '', `table reads: one per ${conf.group} weights of one bit plane and token`);
    this.hEntries = c.define(this.component, 'table_entries', '', 'table entries built (activation sums), per layer and token');
    this.hOutputs = c.define(this.component, 'output_scales', '', 'outputs scaled by the per-layer scale (rows x tokens)');
    this.hProdReads = c.define(this.component, 'product_reads', '', 'product-table reads, one per codebook or float weight and token');
    this.hProducts = c.define(this.component, 'product_entries', '', 'product-table entries built (activation x level), per layer and token');
    this.levels = parseOperand(conf.levels);
  }

  private reads(weights: number, tokens: number): number {
    return this.planes ? Math.ceil((weights * this.planes) / this.conf.group) * tokens : weights * tokens;
  }

  beginLayer(work: LayerWork): void {
    const q = work.layer;
    const bits = q.books.map((b) => intBookBits(b.name));
    const tokens = work.tokens;
    if (bits.every((b) => b !== null)) {
      // the tables: every token's activation vector, `group` at a time, half the sums built (the rest negated)
      this.planes = Math.max(...(bits as number[]));
      this.env.counters.add(this.hEntries, Math.ceil(q.geom.cols / this.conf.group) * 2 ** (this.conf.group - 1) * tokens);
    } else {
      // tables of products: each activation times each level of each book
      this.planes = 0;
      const entries = q.books.reduce((s, b) => s + 2 ** (b.codeBits ?? q.elementBits), 0);
      this.env.counters.add(this.hProducts, q.geom.cols * entries * tokens);
    }
  }

  charge(d: Demand): void {
    this.env.counters.add(this.hMacs, d.weights * d.tokens);
    this.env.counters.add(this.planes ? this.hReads : this.hProdReads, this.reads(d.weights, d.tokens));
  }

  groupCycles(d: Demand): number {
    return Math.ceil(this.reads(d.weights, d.tokens) / this.conf.lookups_per_cycle);
  }

  groupBound(work: LayerWork): number {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    return Math.ceil(this.reads(lanes, work.tokens) / this.conf.lookups_per_cycle);
  }

  endLayer(work: LayerWork): void {
    if (work.layer.tensorScaleBits > 0) this.env.counters.add(this.hOutputs, work.rows * work.tokens);
  }

  utilisation(c: Counters, cycles: number): number {
    return cycles > 0 ? (c.values[this.hReads] + c.values[this.hProdReads]) / (cycles * this.conf.lookups_per_cycle) : 0;
  }

  bound(c: Counters): { name: string; cycles: number } {
    return { name: 'mac_cycles', cycles: Math.ceil((c.values[this.hReads] + c.values[this.hProdReads]) / this.conf.lookups_per_cycle) };
  }

  weightOperand(): Operand {
    const d = this.env.cfg.datapath.decoders.map((k) => this.env.block<Decoder>(k)).find((x) => !!x);
    return d ? d.operand() : this.activation;
  }

  /** A block's partial sum is kept in the accumulator format (table entries are float sums). */
  blockSum(): Operand {
    return this.accumulator;
  }

  /** One lookup unit: the 2^(group-1)-entry table read, a conditional negation, the plane's shift (an exponent add) and the accumulator add. */
  private lookup(): { cells: Cells; what: string } {
    const n = 2 ** (this.conf.group - 1);
    const w = operandBits(this.entry);
    const exp = this.accumulator.kind === 'float' ? this.accumulator.exp : 8;
    return {
      cells: plus(muxTree(n, w), cells({ xor2: w }), intAdd(exp), fpAdd(this.accumulator)),
      what: `a ${n}-entry x ${w}-bit table read, sign flip, plane shift (${exp}-bit exponent add), ${this.accumulator.name} add`,
    };
  }

  /** Building one table entry: an add of activation sums, into a register. */
  private build(): { cells: Cells; what: string } {
    return { cells: plus(fpAdd(this.entry), register(operandBits(this.entry))), what: `${this.entry.name} add into a ${operandBits(this.entry)}-bit register` };
  }

  logic(): { cells: Cells; what: string } {
    const units = this.conf.lookups_per_cycle;
    const tables = times(register(operandBits(this.entry)), 2 ** (this.conf.group - 1) * units);
    return {
      cells: plus(times(this.lookup().cells, units), tables, times(this.build().cells, 2 ** (this.conf.group - 1)), multiply(this.levels, this.activation, this.entry)),
      what: `${units} lookup units with a table each, a table builder (one table a cycle) and a product multiplier`,
    };
  }

  /** A product-table read: a 16-entry mux (4-bit codes) of entries, and the accumulator add. */
  private productRead(): { cells: Cells; what: string } {
    const w = operandBits(this.entry);
    return { cells: plus(muxTree(16, w), fpAdd(this.accumulator)), what: `a 16-entry x ${w}-bit product-table read, ${this.accumulator.name} add` };
  }

  actions(): EnergyAction[] {
    const { cfg } = this.env;
    const exp = this.accumulator.kind === 'float' ? this.accumulator.exp : 8;
    const product = plus(multiply(this.levels, this.activation, this.entry), register(operandBits(this.entry)));
    return [
      logicAction(cfg, this.component, 'table_read', this.hReads, this.lookup().cells, this.lookup().what),
      logicAction(cfg, this.component, 'table_entry', this.hEntries, this.build().cells, this.build().what),
      logicAction(cfg, this.component, 'product_read', this.hProdReads, this.productRead().cells, this.productRead().what),
      logicAction(cfg, this.component, 'product_entry', this.hProducts, product, `${this.levels.name} level x ${this.activation.name} into a ${this.entry.name} register`),
      logicAction(cfg, this.component, 'output_scale', this.hOutputs, intAdd(exp), `a ${exp}-bit exponent add (power-of-two layer scale)`),
    ];
  }
}

registerBlock<Conf>({
  kind: 'mac_array',
  impl: 'lut-products',
  summary: 'no weight multipliers: tables of activation sums indexed by bit planes of integer weights, or of products for codebook weights (LUT Tensor Core, T-MAC)',
  schema: Schema,
  create: (conf, env) => new LutProducts(conf, env),
});
