// Direct decode as a field split: claims number-format books that need no table (integers, formats of
// more than 6 bits) and, on a datapath without a LUT, every number-format book.

import { z } from 'zod';
import type { RouteQuery } from '../core/block.js';
import { CountingDecoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { Primitives, implOf } from '../config/schema.js';
import { intBookBits } from '../../quant/schemes/books.js';

const Schema = z.object({ impl: implOf('field-split'), actions: z.object({ decode: Primitives }).strict() }).strict();
type Conf = z.infer<typeof Schema>;

/** Widest number format a LUT table decodes (64 entries); wider ones decode directly. */
export const LUT_FORMAT_MAX_BITS = 6;

function claims(q: RouteQuery): boolean {
  if (q.book.grid.kind !== 'format') return false;
  return intBookBits(q.book.name) !== null || q.layer.elementBits > LUT_FORMAT_MAX_BITS || !q.decoders.includes('lut_sram');
}

registerBlock<Conf>({
  kind: 'fp8_decode',
  impl: 'field-split',
  summary: 'sign / exponent / mantissa field split of FP8 and integer codes',
  schema: Schema,
  create: (conf, env) =>
    new CountingDecoder(
      { component: 'fp8_decode', impl: 'field-split', tabled: false, counter: { name: 'decodes', description: 'weights decoded directly from their number format (no table)' }, action: { name: 'decode', primitives: conf.actions.decode } },
      env,
    ),
  route: (_conf, q) => (claims(q) ? {} : null),
});
