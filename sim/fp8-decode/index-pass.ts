// No decode at all: the code is handed on as it is, an index for a MAC array that reads tables of products or
// activation sums (LUT Tensor Core, T-MAC) instead of multiplying weights. It claims every book.

import { z } from 'zod';
import { CountingDecoder } from '../core/decoder.js';
import { registerBlock } from '../core/registry.js';
import { implOf } from '../config/schema.js';
import { parseOperand, register } from '../energy/logic.js';

const Schema = z.object({ impl: implOf('index-pass') }).strict();
type Conf = z.infer<typeof Schema>;

registerBlock<Conf>({
  kind: 'fp8_decode',
  impl: 'index-pass',
  summary: 'codes handed on undecoded, as table indices (for a LUT-of-products MAC array)',
  schema: Schema,
  create: (_conf, env) =>
    new CountingDecoder(
      {
        component: 'fp8_decode',
        impl: 'index-pass',
        tabled: false,
        counter: { name: 'decodes', description: 'codes handed on as table indices (not decoded)' },
        action: { name: 'pass' },
        lane: () => ({ cells: register(8), what: 'the code latched (8 bits), no decode' }),
        operand: () => parseOperand('int8'),
      },
      env,
    ),
  route: () => ({}),
});
