// Every numeric flag is checked where it is read: a value outside its range, not a number, or not whole
// where a count is meant, is one line naming the flag and the range, exit 2 (issue: unchecked numeric flags).
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

const cases: Array<[string, string[], RegExp]> = [
  ['--tokens -1', ['simulate', 'synthetic:gaussian:16x64', '--tokens', '-1'], /--tokens: expected a whole number from 1 to 1000000, got -1/],
  ['--tokens abc', ['replay', 'traces/tiny-2layer.json', '--tokens', 'abc'], /--tokens: expected a whole number/],
  ['--tokens 2.5', ['compare', 'synthetic:gaussian:16x64', '--tokens', '2.5'], /--tokens: expected a whole number/],
  ['sweep --workers abc', ['sweep', 'traces/tiny-2layer.json', '--set', 'lut.capacity_bytes=1024', '-o', '/tmp/never.csv', '--workers', 'abc'], /--workers: expected a whole number from 1 to 256/],
  ['--block 0', ['quantize', 'synthetic:gaussian:16x64', '-s', 'sop4', '--block', '0'], /--block: expected a whole number from 2/],
  ['--neighbours -1', ['quantize', 'synthetic:gaussian:16x64', '-s', 'sop4', '--neighbours', '-1'], /--neighbours: expected a whole number from 0 to 16/],
  ['--search-sample 0', ['quantize', 'synthetic:gaussian:16x64', '-s', 'sop4', '--search-sample', '0'], /--search-sample: expected a whole number from 1/],
  ['--residual-bpw -1', ['quantize', 'synthetic:gaussian:16x64', '-s', 'sop4', '--residual-bpw', '-1'], /--residual-bpw: expected a number from 0 to 16/],
  ['--budget-bpw 1e400', ['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '1e400', '-o', '/tmp/never-dir'], /--budget-bpw: expected a number from 1 to 64/],
];

describe('numeric flags', () => {
  for (const [label, args, message] of cases) {
    it(label, () => {
      const r = sopsim(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
