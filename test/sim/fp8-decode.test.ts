// fp8_decode (field-split): number formats decoded without a table.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

const t = synthesize({ dist: 't4', rows: 6, cols: 100, seed: 9 }); // 7 blocks of 16 per row, the last of 4
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });

describe('fp8 decode', () => {
  it('direct decode: FP8 weights on the SOP datapath skip the tables', () => {
    const r = runOne(cfg('sop-hif'), quantize(t, 'e4m3-pot'));
    expect(r.counters.fp8_decode.decodes).toBe(600);
    expect(r.counters.hif_output.conversions).toBe(0);
    expect(r.counters.lut_sram.reads).toBe(0);
  });
});
