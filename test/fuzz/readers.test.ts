// Fuzzing every reader of user input (scripts/fuzz/targets.ts): 2 000 generated cases each, from valid seed
// files mutated by fast-check — truncations at every section boundary, flipped bytes, huge or negative
// lengths and offsets, wrong dtypes and shapes, NaN/Inf values, empty tensors, edited JSON headers with
// consistent lengths and checksums. Every case is accepted (and then consistent) or rejected with a one-line
// error naming the file; never an uncaught exception, a hang or a wrong answer. A few rejected cases go
// through the CLI too, which must exit 2 with that one line. The nightly-style campaign runs the same code
// with more cases: node dist/scripts/fuzz/campaign.js --cases 20000.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCampaign, TARGETS, type Target } from '../../scripts/fuzz/targets.js';
import { sopsim } from '../helpers/cli.js';
import { REPO } from '../helpers/data.js';

const CASES = 2000;
const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));

/** The command that reads a file of each kind, as a user would hand it over. */
function cliFor(target: string, file: string): string[] {
  const tiny = join(REPO, 'traces', 'tiny-2layer.json');
  switch (target) {
    case 'safetensors':
    case 'npy':
      return ['quantize', file, '-s', 'sop4'];
    case 'sopw':
      return ['inspect', file];
    case 'trace':
      return ['replay', file];
    case 'hw-config':
      return ['simulate', tiny, '--hw', file];
    case 'stats':
      return ['quantize', 'synthetic:t4:8x8:1', '-s', 'sop4', '--stats', file];
    default:
      return ['quantize', 'synthetic:t4:8x16:1', '-s', 'sop4', '--codebook', file];
  }
}

describe.each(TARGETS.map((t) => [t.name, t] as [string, Target]))('%s reader', (name, target) => {
  it(`${CASES} fuzzed cases: no crash, no hang, no wrong answer; every rejection one line naming the file`, () => {
    const r = runCampaign(target, CASES, 20261123, join(dir, name));
    const report = r.failures.map((f) => `case ${f.index} ${f.kind}: ${JSON.stringify(f.mutation)}\n${f.message}`).join('\n\n');
    expect(report).toBe('');
    expect(r.crashes + r.wrong + r.hangs).toBe(0);
    expect(r.accepted + r.rejected).toBe(CASES);
    // the campaign reaches both outcomes: valid inputs pass, broken ones are caught
    expect(r.accepted).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(CASES / 4);
  });

  it('through the CLI, rejected inputs exit 2 with one line', () => {
    const r = runCampaign(target, 200, 99, join(dir, `${name}-cli`));
    const samples = r.rejectedSamples.slice(0, 4);
    expect(samples.length).toBeGreaterThan(0);
    for (const [i, s] of samples.entries()) {
      const file = join(dir, `${name}-cli`, `cli-${i}-${target.file}`);
      writeFileSync(file, s.bytes);
      const out = sopsim(cliFor(name, file));
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr.trim().split('\n').length, out.stderr).toBe(1);
      expect(out.stderr).toContain(`cli-${i}-${target.file}`);
    }
  });
});
