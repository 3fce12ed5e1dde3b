// selection_mux (select-bit): one selection per block of a two-book layer.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

const t = synthesize({ dist: 't4', rows: 6, cols: 100, seed: 9 }); // 7 blocks of 16 per row, the last of 4
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });

describe('selection mux', () => {
  it('selection mux: one selection per block of a two-book layer, split by the selection bit', () => {
    const r = runOne(cfg('sop-hif'), sop);
    const toLut = sop.sel!.reduce((s, v) => s + v, 0);
    expect(r.counters.selection_mux.blocks).toBe(42);
    expect(r.counters.selection_mux.to_lut).toBe(toLut);
    expect(r.counters.selection_mux.to_rom).toBe(42 - toLut);
    expect(runOne(cfg('sop-hif'), quantize(t, 'E2M3sUE4M4')).counters.selection_mux.blocks).toBe(0); // one book: no selection
  });
});
