// Fast mode on the full 32-layer trace agrees with event mode on the layers both run: a seeded sample of
// the trace's layers is replayed in both modes, and every per-layer counter must match.
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { runLayers } from '../../sim/datapath/report.js';
import { resolveSteps } from '../../sim/trace/steps.js';
import { REPO } from '../helpers/data.js';
import { cfg } from '../helpers/sim.js';

describe('event mode = fast mode on sampled layers of the 32-layer decoder trace', () => {
  const steps = resolveSteps(join(REPO, 'traces', 'llama-7b-decode.json'), {});
  const rng = seedrandom('sample-layers');
  const picks = [0, 6, ...Array.from({ length: 3 }, () => Math.floor(rng() * steps.length))].sort((a, b) => a - b);
  for (const [hw, sets] of [
    ['sop-hif', {}],
    ['sop-hif', { 'lut.capacity_bytes': 512 }],
  ] as Array<[string, Record<string, number>]>) {
    it(`${hw} ${JSON.stringify(sets)}: layers ${picks.join(', ')}`, () => {
      const c = cfg(hw, sets);
      const works = picks.map((i) => buildLayerWork(steps[i].layer(), c, steps[i].tokens, steps[i].name, steps[i].rows));
      const fast = runLayers(c, works, { mode: 'fast' });
      const event = runLayers(c, works, { mode: 'event' });
      expect(event.total.weights_decoded).toBeGreaterThan(5e7);
      event.layers.forEach((l, i) => expect(l.counters, `layer ${picks[i]}`).toEqual(fast.layers[i].counters));
    }, 120_000);
  }
});
