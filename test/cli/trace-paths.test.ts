// A trace's file paths are relative to the trace's folder, whatever they are called: only the
// `synthetic:` and `synthetic-model:` descriptors are not files (issue: a file named synthetic*.npy was
// looked up in the working directory).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSyntheticSource } from '../../quant/io/load.js';
import { sopsim } from '../helpers/cli.js';
import { npyBytes } from '../helpers/files.js';

describe('trace paths', () => {
  it('a weights file named synthetic-*.npy beside the trace is read from the trace\'s folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sopsim-trace-'));
    writeFileSync(join(dir, 'synthetic-weights.npy'), npyBytes([16, 64], Array.from({ length: 1024 }, (_, i) => Math.sin(i) / 10)));
    const trace = join(dir, 'trace.json');
    writeFileSync(trace, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 't', tokens: 1, layers: [{ name: 'a', weights: 'synthetic-weights.npy', scheme: 'sop4' }] }));
    const r = sopsim(['replay', trace, '--json']); // run from the repository, where no such file is
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).total.weights_decoded).toBe(1024);
  });
  it('only the descriptor prefixes are synthetic sources', () => {
    expect(isSyntheticSource('synthetic:gaussian:16x64')).toBe(true);
    expect(isSyntheticSource('synthetic-model:tiny:1')).toBe(true);
    expect(isSyntheticSource('synthetic-weights.npy')).toBe(false);
    expect(isSyntheticSource('synthetic')).toBe(false);
  });
});
