// OliVe's pair decoder: per pair of 4-bit codes, two 1000 detectors; per slot, the int4 value sign-extended or
// the abfloat (a 2-bit significand 1.m shifted by its 2-bit exponent plus the bias of 3, then negated by its
// sign), gated to 0 for the victim, chosen by the pair's mode, registered as an 8-bit integer operand.

import { z } from 'zod';
import type { RouteQuery } from '../core/block.js';
import { CountingDecoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { implOf } from '../config/schema.js';
import { cells, parseOperand, plus, register, shifter, times, type Cells } from '../energy/logic.js';
import { OLIVE_BOOKS } from '../../quant/schemes/olive.js';

const Schema = z.object({ impl: implOf('olive-pairs') }).strict();
type Conf = z.infer<typeof Schema>;

/** One pair decoder (two weights): the cells the paper's 4-bit OliVe decoder holds, as this model counts them. */
export function olivePairCells(): Cells {
  const slot = plus(
    shifter(8, 3), // abfloat: 1.m placed by its exponent (0-3 positions; the bias of 3 is wiring)
    cells({ xor2: 8, ha: 8 }), // its sign: two's-complement negation
    cells({ and2: 8 }), // the victim gated to 0
    cells({ mux2: 8 }), // int4 (sign-extended) or abfloat, by the pair's mode
  );
  // two 1000 detectors (a 4-input AND each) and the pair's mode (an OR of the two)
  return plus(times(slot, 2), cells({ and2: 2 * 3 + 1 }), register(2 * 8));
}

registerBlock<Conf>({
  kind: 'pair_decode',
  impl: 'olive-pairs',
  summary: "OliVe's outlier-victim pair decoder (int4 or abfloat + victim per pair)",
  schema: Schema,
  create: (_conf, env) =>
    new CountingDecoder(
      {
        component: 'pair_decode',
        impl: 'olive-pairs',
        tabled: false,
        counter: { name: 'decodes', description: 'weights decoded by the pair decoder (each pair decoder serves two)' },
        action: { name: 'decode' },
        lane: () => ({ cells: times(olivePairCells(), 0.5), what: 'half an OliVe pair decoder (two 1000 detectors, per slot an abfloat shifter, a negation, a victim gate and a mode mux, 8-bit outputs registered)' }),
        operand: () => parseOperand('int8'),
      },
      env,
    ),
  route: (_conf, q: RouteQuery) => (OLIVE_BOOKS.includes(q.book.name) ? {} : null),
});
