// The .sopw header as a schema: every field a reader relies on, with its type and range. A header that
// fails it is refused with the field's path (docs/MODEL.md §9).

import { z } from 'zod';

export const SECTION_NAMES = ['tables', 'selection', 'scales', 'indices', 'residuals'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

const NonNegInt = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const PosInt = z.number().int().positive().max(2 ** 31 - 1);

const BookHeaderSchema = z.discriminatedUnion('kind', [
  // code_bits: this book's codes are narrower than element_bits (a mixed-width layer: FGMP's E2M1 blocks)
  z.object({ name: z.string().min(1), kind: z.literal('format'), format: z.string().min(1), in_lut: z.boolean(), code_bits: z.number().int().min(1).max(16).optional() }),
  z.object({ name: z.string().min(1), kind: z.literal('int'), bits: z.number().int().min(2).max(16) }),
  // OliVe's fixed books: 'OLIVE-INT4' (normal pairs) and 'OLIVE-PAIR' (a pair with a victim)
  z.object({ name: z.string().min(1), kind: z.literal('olive') }),
  z.object({ name: z.string().min(1), kind: z.literal('rom'), levels: z.array(z.number()).min(2) }),
  z.object({
    name: z.string().min(1),
    kind: z.literal('lut'),
    entries: z.number().int().min(2).max(65536),
    encoding: z.enum(['hif', 'hifsa', 'bf16', 'f64']),
    entry_bits: z.number().int().min(2).max(64),
    hif_exponent: z.number().int().min(-1000).max(1000).optional(),
    /** hifsa: the largest per-entry shift (entry = shift << 5 | 5-bit two's-complement mantissa). */
    shift_max: z.number().int().min(0).max(8).optional(),
  }),
]);
export type BookHeader = z.infer<typeof BookHeaderSchema>;

export const SectionEntrySchema = z.object({ name: z.enum(SECTION_NAMES), offset: NonNegInt, length: NonNegInt, crc32: z.number().int() });
export type SectionEntry = z.infer<typeof SectionEntrySchema>;

const ScaleHeaderSchema = z.object({
  format: z.string().min(1).nullable(),
  signed: z.boolean(),
  magnitude_bits: z.number().int().min(0).max(32),
  sel_in_scale: z.boolean(),
  field_bits: NonNegInt,
});

export const SopwHeaderSchema = z.object({
  format: z.literal('sopw'),
  version: z.number().int(),
  name: z.string(),
  scheme: z.string(),
  shape: z.tuple([PosInt, PosInt]),
  block: PosInt,
  element_bits: z.number().int().min(1).max(16),
  books: z.array(BookHeaderSchema).min(1).max(256), // one, SOP's pair, or N clustered books (LO-BCQ)
  /** 'out': blocks run along the output dimension; the stored matrix (shape, blocks, codes) is W^T. */
  group_dim: z.enum(['in', 'out']).optional(),
  /** OliVe: no selector is stored; a pair (block of 2) holding code 8 uses books[1], else books[0]. */
  victim_pairs: z.boolean().optional(),
  lut: z.string(),
  scale: ScaleHeaderSchema,
  tensor_scale: z.number().finite(),
  tensor_scale_bits: z.number().int().min(0).max(64),
  selection: z.boolean(),
  residuals: NonNegInt,
  bpw: z.number().finite(),
  bpw_block: z.number().finite(),
  bits: z.object({
    elementBits: NonNegInt,
    blockBits: NonNegInt,
    layerBits: NonNegInt,
    residualBits: NonNegInt,
    total: NonNegInt,
    weights: NonNegInt,
    bpw: z.number().finite(),
    bpwBlock: z.number().finite(),
  }),
  info: z.record(z.string(), z.unknown()),
  sections: z.array(SectionEntrySchema),
});
export type SopwHeader = z.infer<typeof SopwHeaderSchema>;

/** The first thing wrong with a parsed header, as "field 'path': message", or null. */
export function headerProblem(doc: unknown): string | null {
  const r = SopwHeaderSchema.safeParse(doc);
  if (r.success) return null;
  const issue = r.error.issues[0];
  return `field '${issue.path.join('.') || '(top level)'}': ${issue.message}`;
}
