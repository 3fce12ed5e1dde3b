// The quantizer's commands end to end: round, codebooks, quantize, inspect, and their errors.
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { f32Bytes, npyBytes, safetensorsBytes } from '../helpers/files.js';
import { CLI, sopsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-'));
const st = join(dir, 'w.safetensors');
writeFileSync(
  st,
  safetensorsBytes({
    'a.weight': { dtype: 'F32', shape: [8, 64], data: f32Bytes(Array.from({ length: 512 }, (_, i) => Math.sin(i * 1.7) * 0.05)) },
    'b.weight': { dtype: 'F32', shape: [4, 32], data: f32Bytes(Array.from({ length: 128 }, (_, i) => Math.cos(i) * 0.1)) },
    'norm': { dtype: 'F32', shape: [64], data: f32Bytes(Array(64).fill(1)) },
  }),
);

/** A failing command: exit 2, one line on stderr naming `what`, nothing on stdout. */
function expectOneLineError(r: ReturnType<typeof sopsim>, what: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length).toBe(1);
  expect(lines[0]).toMatch(what);
}

describe('sopsim round', () => {
  it('prints the nearest representable value per line (RNE, saturating)', () => {
    const r = sopsim(['round', '--format', 'E4M3'], '0.3\n17\n19\n1000\n-0.001\n');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['0.3125', '16', '20', '448', '-0.001953125']);
    expect(sopsim(['round', '-f', 'e2m1'], '5\n2.5\n7\n').stdout.trim().split('\n')).toEqual(['4', '2', '6']);
  });
  it('rejects an unknown format and a non-number', () => {
    expectOneLineError(sopsim(['round', '--format', 'E9M9Q'], '1\n'), /unknown number format 'E9M9Q'/);
    expectOneLineError(sopsim(['round', '--format', 'E4M3'], '1\nabc\n'), /stdin line 2: 'abc' is not a number/);
  });
});

describe('sopsim codebooks', () => {
  it('--json lists NF4, BOF4, Split87, SH4 with 16 levels each', () => {
    const r = sopsim(['codebooks', '--json']);
    expect(r.code).toBe(0);
    const books = JSON.parse(r.stdout) as Array<{ name: string; levels: number[] }>;
    expect(books.map((b) => b.name)).toEqual(['NF4', 'BOF4', 'Split87', 'SH4']);
    for (const b of books) expect(b.levels.length).toBe(16);
  });
});

describe('sopsim quantize', () => {
  it('--json prints the report fields, and for sop4 the pair and shares', () => {
    const r = sopsim(['quantize', 'synthetic:gaussian:32x256:3', '--scheme', 'sop4', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    for (const k of ['tensor', 'scheme', 'shape', 'bpw', 'mse', 'rel_rmse', 'sqnr_db', 'acos', 'pair', 'share']) expect(o).toHaveProperty(k);
    expect(o.shape).toEqual([32, 256]);
    expect(o.pair.length).toBe(2);
  });
  it('without --tensor reports every 2-D tensor, one JSON per line', () => {
    const r = sopsim(['quantize', st, '--scheme', 'E2M3sUE4M4', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.tensor)).toEqual(['a.weight', 'b.weight']);
    expect(lines[0].bpw_block).toBe(6.5);
  });
  it('writes a .sopw that inspect validates', () => {
    const out = join(dir, 'a.sopw');
    const q = sopsim(['quantize', st, '-t', 'a.weight', '-s', 'sop4', '-o', out, '--json']);
    expect(q.code).toBe(0);
    const i = sopsim(['inspect', out, '--json']);
    expect(i.code).toBe(0);
    const o = JSON.parse(i.stdout);
    expect(o.valid).toBe(true);
    expect(o.header.scheme).toBe('sop4');
    expect(o.checksums.map((c: { name: string }) => c.name)).toEqual(['tables', 'selection', 'scales', 'indices', 'residuals']);
    const human = sopsim(['inspect', out]);
    expect(human.stdout).toMatch(/element \+ block field 4\.5\)/);
  });
});

describe('bad input: one line naming the file and the problem, exit 2, nothing written', () => {
  const out = (name: string) => join(dir, name);
  it('truncated safetensors', () => {
    const p = out('trunc.safetensors');
    const good = safetensorsBytes({ w: { dtype: 'F32', shape: [4, 16], data: f32Bytes(Array(64).fill(0.5)) } });
    writeFileSync(p, good.subarray(0, good.length - 10));
    expectOneLineError(sopsim(['quantize', p, '-s', 'sop4', '-o', out('t1.sopw')]), /trunc\.safetensors: .*(truncated|outside)/);
    expect(existsSync(out('t1.sopw'))).toBe(false);
  });
  it('corrupt .npy', () => {
    const p = out('bad.npy');
    writeFileSync(p, npyBytes([4, 16], Array(64).fill(0.5)).subarray(0, 90));
    expectOneLineError(sopsim(['quantize', p, '-s', 'nvfp4', '-o', out('t2.sopw')]), /bad\.npy: /);
    expect(existsSync(out('t2.sopw'))).toBe(false);
  });
  it('unknown tensor', () => {
    expectOneLineError(sopsim(['quantize', st, '-t', 'zzz', '-s', 'sop4', '-o', out('t3.sopw')]), /w\.safetensors: no tensor named 'zzz'/);
    expect(existsSync(out('t3.sopw'))).toBe(false);
  });
  it('tensor that is not 2-D', () => {
    expectOneLineError(sopsim(['quantize', st, '-t', 'norm', '-s', 'sop4']), /tensor 'norm' is not 2-D/);
  });
  it('unknown scheme', () => {
    expectOneLineError(sopsim(['quantize', st, '-s', 'fp5', '-o', out('t4.sopw')]), /unknown scheme 'fp5'/);
    expect(existsSync(out('t4.sopw'))).toBe(false);
  });
  it('unknown scale format', () => {
    expectOneLineError(sopsim(['quantize', st, '-t', 'a.weight', '-s', 'E2M3sUQ4M4']), /unknown scheme/);
    expectOneLineError(sopsim(['quantize', st, '-t', 'a.weight', '-s', 'sop4', '--scale', 'XYZ']), /unknown number format 'XYZ'/);
  });
  it('missing file', () => {
    expectOneLineError(sopsim(['quantize', out('nothing.safetensors'), '-s', 'sop4']), /nothing\.safetensors: no such file/);
  });
  it('corrupt .sopw for inspect', () => {
    const p = out('c.sopw');
    writeFileSync(p, Buffer.from('SOPW\x01\x00\x00\x00\xff\xff\x00\x00garbage'));
    expectOneLineError(sopsim(['inspect', p]), /c\.sopw: truncated \.sopw file/);
  });
  it('leaves no temporary files behind', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the sopsim binary', () => {
  it('is executable, so `npx sopsim` runs it', () => {
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });
});

describe('help', () => {
  it('every subcommand has --help', () => {
    for (const c of ['quantize', 'inspect', 'round', 'codebooks', 'demo']) {
      const r = sopsim([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Options:/);
    }
  });
});
