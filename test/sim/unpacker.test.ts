// unpacker (bit-unpacker): every weight once, in lane groups.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { cfg, runOne } from '../helpers/sim.js';

const t = synthesize({ dist: 't4', rows: 6, cols: 100, seed: 9 }); // 7 blocks of 16 per row, the last of 4
const sop = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });

describe('unpacker', () => {
  it('unpacker: every weight once, in groups of at most `lanes`', () => {
    const r = runOne(cfg('sop-hif', { 'unpacker.lanes': 16 }), sop);
    expect(r.counters.unpacker.weights).toBe(600);
    expect(r.counters.unpacker.groups).toBe(r.busy_cycles);
    expect(r.counters.unpacker.groups).toBeGreaterThanOrEqual(Math.ceil(600 / 16));
  });
});
