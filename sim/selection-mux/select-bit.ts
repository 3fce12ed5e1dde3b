// A mux per block on its selector: SOP's pair takes a 2-way mux on one bit (ROM or LUT); N clustered books
// (LO-BCQ) take an N-way mux on log2 N bits, every book a table. `ways` is the widest the hardware selects.

import { z } from 'zod';
import type { Block, BlockEnv, TileDemand } from '../core/block.js';
import type { LayerWork } from '../datapath/layer-work.js';
import { registerBlock } from '../core/registry.js';
import { implOf } from '../config/schema.js';
import { InfeasibleError } from '../config/errors.js';
import { logicAction, type EnergyAction } from '../energy/actions.js';
import { muxTree, times, type Cells } from '../energy/logic.js';
import type { LutSram } from '../lut-sram/lut-sram.js';
import type { Unpacker } from '../unpacker/unpacker.js';
import type { Counter } from '../kernel/counters.js';

const Schema = z.object({ impl: implOf('select-bit'), ways: z.number().int().min(2).max(256).default(2) }).strict();
type Conf = z.infer<typeof Schema>;

class SelectBit implements Block {
  readonly component = 'selection_mux';
  readonly impl = 'select-bit';
  private readonly lutRoute: number;
  private twoBooks = false;
  private readonly hBlocks: Counter;
  private readonly hToLut: Counter;
  private readonly hToRom: Counter;
  private readonly hSelects: Counter;

  constructor(private readonly conf: Conf, private readonly env: BlockEnv) {
    const c = env.counters;
    this.lutRoute = env.route('lut_sram');
    this.hBlocks = c.define(this.component, 'blocks', '', 'blocks whose selection bit was read');
    this.hToLut = c.define(this.component, 'to_lut', '', 'blocks routed to the LUT SRAM');
    this.hToRom = c.define(this.component, 'to_rom', '', 'blocks routed to the codebook ROM');
    this.hSelects = c.define(this.component, 'selects', '', 'table entries chosen between ROM and LUT (weights of two-book layers decoded through a table)');
  }

  beginLayer(work: LayerWork): void {
    this.twoBooks = work.twoBooks;
    const books = work.layer.books.length;
    if (work.layer.sel && books > this.conf.ways)
      throw new InfeasibleError(`selection_mux.ways: a ${this.conf.ways}-way mux cannot select among the ${books} books of layer '${work.name}' (expected ways >= ${books})`);
  }

  chargeTile(t: TileDemand): number {
    if (!this.twoBooks) return 0;
    const toLut = this.lutRoute >= 0 ? t.startingRouted[this.lutRoute] : 0;
    this.env.counters.add(this.hBlocks, t.blocksStarting);
    this.env.counters.add(this.hToLut, toLut);
    this.env.counters.add(this.hToRom, t.blocksStarting - toLut);
    this.env.counters.add(this.hSelects, t.tabled);
    return 0;
  }

  /** One lane: a ways:1 mux of table entries on the block's selector (2:1, ROM or LUT, for SOP's pair). */
  private lane(): Cells {
    return muxTree(this.conf.ways, this.env.block<LutSram>('lut_sram')!.entryBits);
  }

  logic(): { cells: Cells; what: string } {
    const lanes = this.env.block<Unpacker>('unpacker')!.lanes;
    return { cells: times(this.lane(), lanes), what: `${lanes} lanes` };
  }

  actions(): EnergyAction[] {
    const bits = this.env.block<LutSram>('lut_sram')!.entryBits;
    return [logicAction(this.env.cfg, this.component, 'select_entry', this.hSelects, this.lane(), `a ${this.conf.ways}:1 mux of ${bits}-bit entries`)];
  }
}

registerBlock<Conf>({
  kind: 'selection_mux',
  impl: 'select-bit',
  summary: 'a ways-way mux per block on its selector (2 for a pair)',
  schema: Schema,
  create: (conf, env) => new SelectBit(conf, env),
});
