// codebook_rom (fixed-rom) and hif_output (table-output): ROM lookups and conversions.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

const t = synthesize({ dist: 't4', rows: 6, cols: 100, seed: 9 }); // 7 blocks of 16 per row, the last of 4
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });

describe('codebook rom', () => {
  it('ROM and LUT output path: ROM lookups are the NF4 blocks\' weights; every table lookup is converted', () => {
    const r = runOne(cfg('sop-hif'), sop);
    let rom = 0;
    for (let b = 0; b < 42; b++) if (sop.sel![b] === 0) rom += b % 7 === 6 ? 4 : 16;
    expect(r.counters.codebook_rom.lookups).toBe(rom);
    expect(r.counters.hif_output.conversions).toBe(600);
    expect(r.counters.fp8_decode.decodes).toBe(0);
  });
});
