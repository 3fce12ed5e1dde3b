// Blocks along the output dimension (AdaDim's per-input-channel grouping), for every block scheme: the layer
// is W^T quantized along its rows, decoded and measured in the layer's own orientation.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../quant/io/synthetic.js';
import type { Tensor2D } from '../../quant/io/tensor.js';
import { bitsAccount, decodeLayer, decodeLogical } from '../../quant/layer.js';
import { measure } from '../../quant/measure.js';
import { decodeSopw } from '../../quant/packed/sopw-decode.js';
import { encodeSopw } from '../../quant/packed/sopw.js';
import { quantize } from '../../quant/schemes/index.js';
import { sopsim } from '../helpers/cli.js';

const t = synthesize({ dist: 't4', rows: 24, cols: 80, seed: 21 });
/** W^T, written out here rather than taken from the quantizer. */
const transposeOf = (x: Tensor2D): Tensor2D => {
  const data = new Float32Array(x.rows * x.cols);
  for (let o = 0; o < x.rows; o++) for (let i = 0; i < x.cols; i++) data[i * x.rows + o] = x.data[o * x.cols + i];
  return { name: x.name, rows: x.cols, cols: x.rows, data };
};

describe('--group-dim out', () => {
  for (const scheme of ['sop4', 'E2M3sUE4M4', 'nvfp4', 'mxfp4', 'int4', 'lo-bcq', 'fgmp']) {
    it(`${scheme}: the transposed weights quantized along their rows, decoded back in [out, in] order`, () => {
      const q = quantize(t, scheme, { groupDim: 'out' });
      const ref = quantize(transposeOf(t), scheme);
      expect(q.transposed).toBe(true);
      expect([q.geom.rows, q.geom.cols]).toEqual([80, 24]); // stored [in, out]: blocks run along the outputs
      expect(bitsAccount(q)).toEqual(bitsAccount(ref));
      const stored = decodeLayer(q);
      expect(Array.from(stored)).toEqual(Array.from(decodeLayer(ref)));
      const w = decodeLogical(q);
      for (let o = 0; o < 24; o++) for (let i = 0; i < 80; i++) expect(w[o * 80 + i]).toBe(stored[i * 24 + o]);
      // measured in the layer's orientation: the same figures as against W^T in the stored one
      const m = measure(t, q);
      expect(m.shape).toEqual([24, 80]);
      expect(m.mse).toBeCloseTo(measure(transposeOf(t), ref).mse, 15);
    });
  }

  it('the packed file says so (group_dim) and reads back bit for bit', () => {
    const q = quantize(t, 'sop4', { groupDim: 'out' });
    const f = decodeSopw(encodeSopw(q));
    expect(f.header.group_dim).toBe('out');
    expect(f.layer.transposed).toBe(true);
    expect(Array.from(decodeLogical(f.layer))).toEqual(Array.from(decodeLogical(q)));
    expect(decodeSopw(encodeSopw(quantize(t, 'sop4'))).header.group_dim).toBeUndefined();
  });

  it('hand-worked: one input channel 100x the rest crushes every input-dimension block it is in; along the outputs it has blocks of its own', () => {
    const rows = 32;
    const cols = 64;
    const data = new Float32Array(rows * cols);
    let x = 7;
    for (let k = 0; k < data.length; k++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      data[k] = ((x >> 8) % 2 ? 1 : -1) * (0.5 + ((x >> 9) % 8) / 16) * (k % cols === 5 ? 100 : 1);
    }
    const w: Tensor2D = { name: 'outlier-channel', rows, cols, data };
    // error on the ordinary weights only (the outlier channel is large in both)
    const ordinaryErr = (q: ReturnType<typeof quantize>) => {
      const d = decodeLogical(q);
      let e = 0;
      for (let k = 0; k < data.length; k++) if (k % cols !== 5) e += (d[k] - data[k]) ** 2;
      return e;
    };
    const inn = quantize(w, 'sop4');
    const out = quantize(w, 'sop4', { groupDim: 'out' });
    expect(ordinaryErr(out)).toBeLessThan(ordinaryErr(inn) / 10);
    // auto keeps the better one, by the activation-weighted error when statistics say the outlier channel matters little
    const a = new Float64Array(cols).fill(1);
    a[5] = 0.01;
    const auto = quantize(w, 'sop4', { groupDim: 'auto', activations: a });
    expect(auto.transposed).toBe(true);
    expect(auto.info.group_dim).toBe('out');
  });

  it('on the command line: --group-dim auto reports its choice; sparse residuals need blocks along the input', () => {
    const r = sopsim(['quantize', 'synthetic:t4:32x64:3', '-s', 'sop4', '--group-dim', 'auto', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(['in', 'out']).toContain(JSON.parse(r.stdout).group_dim);
    const o = JSON.parse(sopsim(['quantize', 'synthetic:t4:32x64:3', '-s', 'nvfp4', '--group-dim', 'out', '--json']).stdout);
    expect([o.group_dim, o.shape]).toEqual(['out', [32, 64]]); // the layer's own shape
    // the packed layer finds its source for the FP8 baseline (its source is [out, in], the layer stored [in, out])
    const dir = mkdtempSync(join(tmpdir(), 'group-dim-'));
    const f = join(dir, 'out.sopw');
    expect(sopsim(['quantize', 'synthetic:t4:32x64:3', '-s', 'sop4', '--group-dim', 'out', '-o', f]).code).toBe(0);
    const c = sopsim(['compare', f, '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).not.toMatch(/not using it|not found/);
    const bad = sopsim(['quantize', 'synthetic:t4:32x64:3', '-s', 'sop4', '--group-dim', 'out', '--residual-bpw', '0.1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--residual-bpw: sparse residuals are kept for blocks along the input dimension only/);
  });
});
