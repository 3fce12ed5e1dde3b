// The hardware-config schema, top level: what every datapath has (name, technology, node, clock,
// pipeline depth) and which datapath it is. Each block's section is validated by the schema of the
// implementation it names (beside the block, in sim/<block>/); the helpers below are shared by them.

import { z } from 'zod';
import { parseOperand } from '../energy/logic.js';

/** A timing or energy constant with the paper, table or reasoning it comes from. */
export const Sourced = z.object({ value: z.number().finite(), source: z.string().min(3) }).strict();
/** A sourced constant whose value must lie in a range (rates and clocks are positive, latencies whole). */
export const SourcedIn = (v: z.ZodNumber) => z.object({ value: v, source: z.string().min(3) }).strict();
/** Sizes and counts: positive and below 2^31, so every derived count stays an exact integer. */
export const PosInt = z.number().int().positive().max(2 ** 31 - 1);

/** A number format as an operand of the logic model (sim/energy/logic.ts). */
export const OperandName = z.string().refine(
  (s) => {
    try {
      parseOperand(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a number format: intN, fxN, hifN, hif7sa, hif8sa, bf16, fp16, fp32, tf32 or eXmY such as e4m3' },
);

/** A block section: `impl` names the registered implementation; the rest is that implementation's. */
export const implOf = <T extends string>(name: T) => z.literal(name);

export const HwRootSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    datapath: z.string().min(1),
    technology: z.string().min(1),
    node_nm: z.number().int().positive(),
    clock_ghz: SourcedIn(z.number().min(1e-3, { message: 'expected at least 0.001 GHz (1 MHz)' }).max(1000)),
    pipeline_depth: SourcedIn(z.number().int().min(1).max(10_000)),
    action_sources: z.string().min(3),
  })
  .strict();

export type HwRoot = z.infer<typeof HwRootSchema>;

const Energy = SourcedIn(z.number().min(0)); // an energy or power: never negative
const CellArea = SourcedIn(z.number().positive());
export const TechnologySchema = z
  .object({
    description: z.string().optional(),
    reference_node_nm: PosInt,
    /** The structural logic model (sim/energy/logic.ts). */
    logic: z
      .object({
        description: z.string().optional(),
        cells_um2: z.object({ fa: CellArea, ha: CellArea, and2: CellArea, xor2: CellArea, mux2: CellArea, dff: CellArea }).strict(),
        anchors: z.array(z.object({ op: z.string().min(3), node_nm: z.number().positive(), pj: z.number().positive(), source: z.string().min(3) }).strict()).min(1),
        leak_nw_per_um2: Energy,
        clock_per_dff: Energy,
        tree_level: Energy,
      })
      .strict(),
    dram_pj_per_bit: z.record(z.string(), Energy),
    dram_background_mw_per_gb_s: z.record(z.string(), Energy),
    node_scaling: z.record(z.string(), z.object({ leakage: z.number().positive(), cell_um2: z.number().positive(), source: z.string().min(3) }).strict()),
    /** The CACTI 7 SRAM table (path relative to the technology file). */
    sram_table: z.string().min(1),
  })
  .strict();

export type Technology = z.infer<typeof TechnologySchema>;
