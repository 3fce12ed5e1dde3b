// The paper's headline claims on every linear layer of real trained weights (stories260K).
// Reads ../shared/data (or $SOPSIM_DATA); skipped, visibly, when the data is absent.
import { describe, expect, it } from 'vitest';
import { openWeights } from '../../quant/io/load.js';
import { measure } from '../../quant/measure.js';
import { quantize } from '../../quant/schemes/index.js';
import { HAVE_STORIES, STORIES } from '../helpers/data.js';

describe.skipIf(!HAVE_STORIES)('stories260K (real weights, from ../shared/data)', () => {
  const src = HAVE_STORIES ? openWeights(STORIES) : null;
  const linear = src ? src.tensors().filter((n) => /_proj\.weight$/.test(n)) : [];
  const gains: number[] = [];

  it('has the 35 linear layers of a 5-layer Llama (q, k, v, o, gate, up, down)', () => {
    expect(linear.length).toBe(35);
  });

  for (const name of linear) {
    it(`${name}: E2M3sUE4M4 < e4m3-pot in MSE; sop4 beats nvfp4 and nf4-b64 by >= 1 dB`, () => {
      const t = src!.read(name);
      const fp8 = measure(t, quantize(t, 'e4m3-pot'));
      const fp6 = measure(t, quantize(t, 'E2M3sUE4M4'));
      expect(fp6.mse).toBeLessThan(fp8.mse);
      const sop = measure(t, quantize(t, 'sop4'));
      const nv = measure(t, quantize(t, 'nvfp4'));
      const nf = measure(t, quantize(t, 'nf4-b64'));
      expect(sop.bpw_block).toBe(nv.bpw_block); // 4.5, or a little more where 172 columns end in a partial block
      expect(sop.bpw_block).toBeLessThanOrEqual(nf.bpw_block);
      expect(sop.sqnr_db - nv.sqnr_db).toBeGreaterThanOrEqual(1);
      expect(sop.sqnr_db - nf.sqnr_db).toBeGreaterThanOrEqual(1);
      gains.push(Math.min(sop.sqnr_db - nv.sqnr_db, sop.sqnr_db - nf.sqnr_db));
    });
  }

  it('sop4 gains >= 1.5 dB on average over the stronger 4.5-bpw reference', () => {
    expect(gains.length).toBe(linear.length);
    expect(gains.reduce((a, b) => a + b, 0) / gains.length).toBeGreaterThanOrEqual(1.5);
  });

  it('E2M3sUE4M4 over FP8: +1.05 dB plain (--neighbours 0, the paper\'s figure), about +2.2 dB with the ±2-code scale search', () => {
    const all = src!.tensors();
    let plain = 0;
    let searched = 0;
    for (const name of all) {
      const t = src!.read(name);
      const fp8 = measure(t, quantize(t, 'e4m3-pot')).sqnr_db;
      const p0 = measure(t, quantize(t, 'E2M3sUE4M4', { neighbours: 0 })).sqnr_db;
      plain += p0 - fp8;
      searched += measure(t, quantize(t, 'E2M3sUE4M4')).sqnr_db - fp8;
      if (name === 'model.embed_tokens.weight') expect(p0).toBeLessThan(fp8); // the one tensor the plain scheme loses
    }
    expect(all.length).toBe(36);
    expect(plain / all.length).toBeCloseTo(1.05, 1);
    expect(searched / all.length).toBeCloseTo(2.19, 1);
  }, 60_000);
});
