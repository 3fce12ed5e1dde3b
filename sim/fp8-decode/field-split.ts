// Direct decode as a field split: claims number-format books that need no table (integers, formats of
// more than 6 bits) and, on a datapath without a LUT, every number-format book.

import { z } from 'zod';
import type { RouteQuery } from '../core/block.js';
import { CountingDecoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { OperandName, implOf } from '../config/schema.js';
import { cells, parseOperand, plus, register, operandBits } from '../energy/logic.js';
import { intBookBits } from '../../quant/schemes/books.js';
import { InfeasibleError } from '../config/errors.js';

/** `format`: the widest number format it decodes, handed to the MAC array as it is (e.g. e4m3). */
const Schema = z.object({ impl: implOf('field-split'), format: OperandName.default('e4m3') }).strict();
type Conf = z.infer<typeof Schema>;

/** Widest number format a LUT table decodes (64 entries); wider ones decode directly. */
export const LUT_FORMAT_MAX_BITS = 6;

function claims(q: RouteQuery): boolean {
  if (q.book.grid.kind !== 'format') return false;
  return intBookBits(q.book.name) !== null || (q.book.codeBits ?? q.layer.elementBits) > LUT_FORMAT_MAX_BITS || !q.decoders.includes('lut_sram');
}

/** A float format wider than the decoder's (more exponent or mantissa bits) has no field split here: the layer cannot run. */
function checkWidth(conf: Conf, q: RouteQuery): void {
  if (intBookBits(q.book.name) !== null) return;
  let f: ReturnType<typeof parseOperand>;
  try {
    f = parseOperand(q.book.name);
  } catch {
    return; // a named codebook routed here as a format grid: nothing to compare
  }
  const d = parseOperand(conf.format);
  if (f.kind === 'float' && d.kind === 'float' && (f.exp > d.exp || f.man > d.man))
    throw new InfeasibleError(`${q.file}: field 'fp8_decode.format': ${conf.format} cannot decode layer '${q.label}' (${q.book.name} elements); expected a format with at least ${f.exp} exponent and ${f.man} mantissa bits`);
}

registerBlock<Conf>({
  kind: 'fp8_decode',
  impl: 'field-split',
  summary: 'sign / exponent / mantissa field split of FP8 and integer codes',
  schema: Schema,
  create: (conf, env) =>
    new CountingDecoder(
      { component: 'fp8_decode', impl: 'field-split', tabled: false, counter: { name: 'decodes', description: 'weights decoded directly from their number format (no table)' }, action: { name: 'decode' },
        // the hidden bit: an OR of the exponent field (zero means subnormal), then the fields registered
        lane: () => {
          const f = parseOperand(conf.format);
          const exp = f.kind === 'float' ? f.exp : 0;
          return { cells: plus(cells({ and2: exp }), register(operandBits(f) + 1)), what: `${conf.format} field split (hidden bit from the exponent field), registered` };
        },
        operand: () => parseOperand(conf.format),
      },
      env,
    ),
  route: (conf, q) => {
    if (!claims(q)) return null;
    checkWidth(conf, q);
    return {};
  },
});
