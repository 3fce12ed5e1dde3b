// The hardware-config schema (validated at load): structure of the datapath, sizes and rates, and the
// actions each block performs as sums of technology primitives. Timing constants carry their source.

import { z } from 'zod';

/** A timing or energy constant with the paper, table or reasoning it comes from. */
export const Sourced = z.object({ value: z.number().finite(), source: z.string().min(3) }).strict();
/** A sourced constant whose value must lie in a range (rates and clocks are positive, latencies whole). */
const SourcedIn = (v: z.ZodNumber) => z.object({ value: v, source: z.string().min(3) }).strict();
/** Sizes and counts: positive and below 2^31, so every derived count stays an exact integer. */
const PosInt = z.number().int().positive().max(2 ** 31 - 1);
const Actions = z.array(z.string());

export const HwConfigSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    datapath: z.enum(['sop', 'fp8']),
    technology: z.string().min(1),
    node_nm: z.number().int().positive(),
    clock_ghz: SourcedIn(z.number().positive().max(1000)),
    pipeline_depth: SourcedIn(z.number().int().min(1).max(10_000)),
    weight_fetch: z
      .object({ bytes_per_cycle: SourcedIn(z.number().positive().max(2 ** 31)), latency_cycles: SourcedIn(z.number().int().min(0).max(1e9)), dram: z.string().min(1) })
      .strict(),
    weight_buffer: z.object({ tile_bytes: PosInt, slots: z.number().int().min(1).max(16), width_bits: PosInt }).strict(),
    unpacker: z.object({ lanes: PosInt }).strict(),
    codebook_rom: z.object({ enabled: z.boolean(), codebooks: z.array(z.string()) }).strict(),
    lut: z
      .object({
        capacity_bytes: PosInt,
        output: z.string().regex(/^(hif\d+|bf16)$/i, 'expected hif<N> (e.g. hif8) or bf16'),
        ports: PosInt,
        banks: PosInt,
        replicas: PosInt,
        prefetch: z.boolean(),
      })
      .strict()
      .nullable(),
    scale_multiplier: z.object({ placement: z.enum(['per_block', 'per_element']), units: PosInt }).strict(),
    sparse_add: z.object({ lanes: PosInt }).strict(),
    mac_array: z.object({ macs_per_cycle: PosInt }).strict(),
    actions: z
      .object({
        unpack_weight: Actions,
        select_block: Actions,
        rom_lookup: Actions,
        hif_convert: Actions,
        scale_multiply: Actions,
        mac: Actions,
        output_scale: Actions,
        sparse_add: Actions,
        fp8_unpack: Actions,
        action_sources: z.string().min(3),
      })
      .strict(),
  })
  .strict();

export type HwConfig = z.infer<typeof HwConfigSchema>;

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
    sram_model: z
      .object({
        description: z.string().optional(),
        e_fixed_pj: Sourced,
        e_array_pj: Sourced,
        write_over_read: Sourced,
        leak_pw_per_bit_45nm: Sourced,
        array_efficiency_min: Sourced,
        array_efficiency_step: Sourced,
        array_efficiency_max: Sourced,
      })
      .strict(),
  })
  .strict();

export type Technology = z.infer<typeof TechnologySchema>;
