// The hardware-config schema, top level: what every datapath has (name, technology, node, clock,
// pipeline depth) and which datapath it is. Each block's section is validated by the schema of the
// implementation it names (beside the block, in sim/<block>/); the helpers below are shared by them.

import { z } from 'zod';

/** A timing or energy constant with the paper, table or reasoning it comes from. */
export const Sourced = z.object({ value: z.number().finite(), source: z.string().min(3) }).strict();
/** A sourced constant whose value must lie in a range (rates and clocks are positive, latencies whole). */
export const SourcedIn = (v: z.ZodNumber) => z.object({ value: v, source: z.string().min(3) }).strict();
/** Sizes and counts: positive and below 2^31, so every derived count stays an exact integer. */
export const PosInt = z.number().int().positive().max(2 ** 31 - 1);
/** An action as a sum of technology primitives (names checked against the technology table at load). */
export const Primitives = z.array(z.string());

/** A block section: `impl` names the registered implementation; the rest is that implementation's. */
export const implOf = <T extends string>(name: T) => z.literal(name);

export const HwRootSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    datapath: z.string().min(1),
    technology: z.string().min(1),
    node_nm: z.number().int().positive(),
    clock_ghz: SourcedIn(z.number().positive().max(1000)),
    pipeline_depth: SourcedIn(z.number().int().min(1).max(10_000)),
    action_sources: z.string().min(3),
  })
  .strict();

export type HwRoot = z.infer<typeof HwRootSchema>;

const Primitive = SourcedIn(z.number().min(0)); // an energy: never negative
export const TechnologySchema = z
  .object({
    description: z.string().optional(),
    reference_node_nm: PosInt,
    primitives_pj: z.record(z.string(), Primitive),
    dram_pj_per_bit: z.record(z.string(), Primitive),
    node_scaling: z.record(
      z.string(),
      z.object({ logic: z.number().positive(), sram: z.number().positive(), leakage: z.number().positive(), cell_um2: z.number().positive(), source: z.string().min(3) }).strict(),
    ),
    /** The CACTI 7 SRAM table (path relative to the technology file). */
    sram_table: z.string().min(1),
    /** Flip-flop arrays for what CACTI cannot organise (sim/energy/sram-model.ts). */
    register_file: z
      .object({ description: z.string().optional(), mux2_pj_per_bit: Sourced, ff_write_pj_per_bit: Sourced, ff_um2: Sourced, mux2_um2: Sourced, ff_leak_nw: Sourced })
      .strict(),
  })
  .strict();

export type Technology = z.infer<typeof TechnologySchema>;
