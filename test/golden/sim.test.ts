// Every counter and energy line of the bundled traces and the test configurations equals the committed
// golden record (scripts/golden/sim-golden.ts). A block that no longer exists in a datapath may drop
// lines whose count was zero; any other difference is a change of the model and fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simGolden } from '../../scripts/golden/sim-golden.js';
import { REPO } from '../helpers/data.js';

/** Differences between two records, reading an absent leaf as zero. */
function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if ((isObj(a) || isObj(b)) && (a === undefined || b === undefined)) return diff(a ?? {}, b ?? {}, path, out);
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
    return;
  }
  const zero = (v: unknown) => v === undefined || v === 0 || (Array.isArray(v) && v[0] === 0);
  if (a === undefined || b === undefined) {
    if (!zero(a) || !zero(b)) out.push(`${path}: ${JSON.stringify(a)} vs golden ${JSON.stringify(b)}`);
    return;
  }
  if (!Object.is(a, b)) out.push(`${path}: ${JSON.stringify(a)} vs golden ${JSON.stringify(b)}`);
}

describe('golden record of the simulator', () => {
  const golden = JSON.parse(readFileSync(join(REPO, 'test/golden/sim.json'), 'utf8')) as Record<string, unknown>;
  const now = simGolden();
  it('has the same cases', () => expect(Object.keys(now).sort()).toEqual(Object.keys(golden).sort()));
  for (const key of Object.keys(golden)) {
    it(key, () => {
      const out: string[] = [];
      diff(now[key], golden[key], '', out);
      expect(out.slice(0, 20)).toEqual([]);
    });
  }
});
