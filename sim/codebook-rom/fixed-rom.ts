// One ROM per lane holding the listed fixed codebooks at the LUT output precision.

import { z } from 'zod';
import type { RouteQuery } from '../core/block.js';
import { CountingDecoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { implOf } from '../config/schema.js';
import { romTree } from '../energy/logic.js';
import type { LutSram } from '../lut-sram/lut-sram.js';

const Schema = z.object({ impl: implOf('fixed-rom'), codebooks: z.array(z.string().min(1)) }).strict();
type Conf = z.infer<typeof Schema>;

/** Does the ROM hold this codebook (names compare case-insensitively)? */
function romHolds(conf: Conf, codebook: string): boolean {
  return conf.codebooks.some((c) => c.toUpperCase() === codebook.toUpperCase());
}

registerBlock<Conf>({
  kind: 'codebook_rom',
  impl: 'fixed-rom',
  summary: 'the listed fixed codebooks, one ROM per lane',
  schema: Schema,
  create: (conf, env) =>
    new CountingDecoder(
      { component: 'codebook_rom', impl: 'fixed-rom', tabled: true, counter: { name: 'lookups', description: 'weights decoded by a ROM codebook' }, action: { name: 'lookup' },
        // entries are held at the LUT output width: a hard-wired mux tree over every book's 16 levels
        lane: (e) => {
          const bits = e.block<LutSram>('lut_sram')!.entryBits;
          return { cells: romTree(16 * conf.codebooks.length, bits), what: `a ${16 * conf.codebooks.length}-entry x ${bits}-bit hard-wired table (${conf.codebooks.length} books of 16 levels)` };
        },
        operand: (e) => e.block<LutSram>('lut_sram')!.operand(),
      },
      env,
    ),
  route: (conf, q: RouteQuery) => (q.book.grid.kind === 'fixed' && !q.book.inLut && romHolds(conf, q.book.name) ? {} : null),
});
