// The registry: implementations chosen by name from the hw-config, unknown names refused, and a new
// implementation added from outside the core (here, from this test) without editing it.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import type { Block, BlockEnv, Demand } from '../../sim/core/block.js';
import { blockKinds, implementations, registerBlock } from '../../sim/core/registry.js';
import { logicAction } from '../../sim/energy/actions.js';
import { intMult, parseOperand } from '../../sim/energy/logic.js';
import type { MacArray } from '../../sim/mac-array/mac-array.js';
import { cfg, runOne, variantCfg } from '../helpers/sim.js';

describe('block registry', () => {
  it('every block kind has a contract and at least one implementation', () => {
    const kinds = blockKinds();
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['weight_fetch', 'weight_buffer', 'unpacker', 'lut_sram', 'mac_array', 'scale_multiplier']));
    for (const k of kinds) {
      expect(k.contract.length).toBeGreaterThan(20);
      expect(implementations(k.kind).length).toBeGreaterThan(0);
    }
    expect(implementations('scale_multiplier').map((d) => d.impl).sort()).toEqual(['per-block', 'per-element']);
  });
  it('an unknown implementation is refused with the file, the key and the registered names', () => {
    expect(() => cfg('sop-hif', { 'lut.impl': 'magic' })).toThrow(/sop-hif\.json: field 'lut\.impl': unknown implementation "magic" \(registered: banked-sram\)/);
    expect(() => variantCfg('sop-hif', (d) => delete d.mac_array.impl)).toThrow(/field 'mac_array\.impl': missing \(registered: mac-grid, lut-products\)/);
  });
  it('a block the datapath does not have, a required block missing, an unknown datapath', () => {
    expect(() => variantCfg('fp8-e4m3', (d) => (d.lut = { impl: 'banked-sram' }))).toThrow(/field 'lut': not a block of datapath 'fp8'/);
    expect(() => variantCfg('sop-hif', (d) => delete d.lut)).toThrow(/field 'lut': datapath 'sop' needs this block/);
    expect(() => cfg('sop-hif', { datapath: 'quantum' })).toThrow(/field 'datapath': unknown datapath 'quantum' \(expected one of sop, fp8/);
  });
  it('a new implementation registered outside the core runs in a datapath by its name', () => {
    // a MAC array that takes twice the cycles of mac-grid at the same throughput setting
    const Schema = z.object({ impl: z.literal('test-half-rate'), macs_per_cycle: z.number().int().positive(), activation: z.string(), accumulator: z.string(), max_block: z.number() }).strict();
    // what other blocks ask of a MAC array (the activation buffer its activation format, ...)
    class HalfRate implements MacArray {
      readonly activation = parseOperand('bf16');
      readonly accumulator = parseOperand('fp32');
      weightOperand() {
        return parseOperand('e4m3');
      }
      blockSum() {
        return this.accumulator;
      }
      readonly component = 'mac_array';
      readonly impl = 'test-half-rate';
      readonly stall = 'mac' as const;
      private readonly h: number;
      constructor(private readonly conf: z.infer<typeof Schema>, private readonly env: BlockEnv) {
        this.h = env.counters.define('mac_array', 'macs', '', 'multiply-accumulates');
      }
      charge(d: Demand): void {
        this.env.counters.add(this.h, d.weights * d.tokens);
      }
      groupCycles(d: Demand): number {
        return Math.ceil((2 * d.weights * d.tokens) / this.conf.macs_per_cycle);
      }
      groupBound(): number {
        return 2;
      }
      actions() {
        return [logicAction(this.env.cfg, 'mac_array', 'mac', this.h, intMult(8, 8), 'an 8 x 8 multiply')];
      }
    }
    registerBlock({ kind: 'mac_array', impl: 'test-half-rate', summary: 'half-rate MACs (a test)', schema: Schema, create: (c, env) => new HalfRate(c, env) });
    const q = quantize(synthesize({ dist: 'gaussian', rows: 1, cols: 128, seed: 3 }), 'e4m3-pot');
    const r = runOne(cfg('fp8-e4m3', { 'mac_array.impl': 'test-half-rate', 'mac_array.macs_per_cycle': 64 }), q);
    expect(r.counters.mac_array.macs).toBe(128);
    expect(r.stall_cycles.mac).toBe(2); // 2 groups of 2 cycles where mac-grid at 64 MACs/cycle takes 1
    expect(r.cycles).toBe(205 + 4 + 6);
  });
});
