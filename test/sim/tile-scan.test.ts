// The tile scan: the stream the unpacker and selection mux see, split into tiles and lane groups.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { TileScan } from '../../sim/datapath/tile-scan.js';
import { cfg, work } from '../helpers/sim.js';

describe('tile scan', () => {
  it('splits a layer with partial blocks into lane groups with routes, block ends and bytes', () => {
    const t = synthesize({ dist: 'gaussian', rows: 3, cols: 40, seed: 1 }); // g=16: blocks 16,16,8 per row
    const q = quantize(t, 'sop4', { pair: ['NF4', 'DD4'] });
    const c = cfg('sop-hif', { 'unpacker.lanes': 8, 'weight_buffer.tile_bytes': 16 });
    const w = work(q, c);
    expect(w.routes).toEqual([1, 2]); // NF4 in the ROM, DD4 in the LUT
    expect(w.tileWeights % 8).toBe(0);
    let weights = 0;
    let lut = 0;
    let rom = 0;
    let ends = 0;
    let starts = 0;
    let lutStarts = 0;
    let bits = 0;
    const scan = new TileScan(8, 3, [1, 2]);
    for (let k = 0; k < w.tiles; k++) {
      scan.scan(w, k);
      scan.scanGroups();
      let tileLut = 0;
      for (let g = 0; g < scan.groups; g++) {
        const d = scan.group(g);
        weights += d.weights;
        lut += d.routed[2];
        rom += d.routed[1];
        tileLut += d.routed[2];
        ends += d.blocksEnding;
        expect(d.routed[1] + d.routed[2]).toBe(d.weights);
        expect(d.tabled).toBe(d.weights);
      }
      expect(scan.tile.routed[2]).toBe(tileLut);
      starts += scan.tile.blocksStarting;
      lutStarts += scan.tile.startingRouted[2];
      bits += scan.tile.bytes * 8;
    }
    expect(weights).toBe(120);
    expect(ends).toBe(9);
    expect(starts).toBe(9);
    // weights routed to the LUT: the lengths of the blocks whose selection bit picks DD4
    let want = 0;
    let wantStarts = 0;
    for (let b = 0; b < 9; b++)
      if (q.sel![b] === 1) {
        want += b % 3 === 2 ? 8 : 16;
        wantStarts++;
      }
    expect(lut).toBe(want);
    expect(rom).toBe(120 - want);
    expect(lutStarts).toBe(wantStarts);
    expect(bits).toBeGreaterThanOrEqual(120 * 4 + 9 * 8);
  });
});
