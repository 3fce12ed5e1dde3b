// Nothing lost, nothing different: interrupted sweeps and model runs leave no partial files and say how far
// they got, --resume finishes a sweep byte-identical to an uninterrupted one, the same inputs give the same
// bytes across worker counts, and work too large for memory is refused up front with the size it needs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, sopsim } from '../helpers/cli.js';
import { REPO } from '../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'robust-'));
const TINY = join(REPO, 'traces', 'tiny-2layer.json');
const BIG = join(REPO, 'traces', 'llama-7b-decode.json');
// 6 points of the 32-layer trace on one worker (seconds each): long enough to interrupt after a few
const SWEEP = ['sweep', BIG, '--set', 'lut.capacity_bytes=256,512,1024,2048,4096,8192', '--workers', '1', '--baseline', 'none'];

/** Start the CLI, send `signal` once stderr shows `when`, and collect how it ended. */
function interrupt(args: string[], when: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    let sent = false;
    p.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        p.kill(signal);
      }
    });
    p.stdout.resume();
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

const leftovers = (d: string) => readdirSync(d).filter((f) => /\.tmp/.test(f));

describe('interrupted sweeps and --resume', () => {
  it('SIGINT keeps the finished points (whole rows, atomically), says how far it got; --resume finishes to the same bytes', async () => {
    const full = join(dir, 'full.csv');
    expect(sopsim([...SWEEP, '-o', full]).code).toBe(0);
    const out = join(dir, 'cut.csv');
    const r = await interrupt([...SWEEP, '-o', out, '--progress', 'lines'], /point \d+ done, 2\//, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted by SIGINT after \d+ new points?; \d+ finished points saved to .*cut\.csv \(run again with --resume to finish\)/);
    const kept = readFileSync(out, 'utf8').trim().split('\n');
    expect(kept.length - 1).toBeGreaterThanOrEqual(2);
    expect(kept.length - 1).toBeLessThan(6);
    // every kept row is exactly the uninterrupted run's row for that point
    const fullLines = readFileSync(full, 'utf8').trim().split('\n');
    expect(kept[0]).toBe(fullLines[0]);
    for (const line of kept.slice(1)) expect(fullLines).toContain(line);
    expect(leftovers(dir)).toEqual([]);
    const done = sopsim([...SWEEP, '-o', out, '--resume']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`\\(${kept.length - 1} kept from the earlier run\\)`));
    expect(readFileSync(out).equals(readFileSync(full))).toBe(true);
  }, 300_000);

  it('SIGTERM stops it the same way (exit 143)', async () => {
    const out = join(dir, 'term.csv');
    const r = await interrupt([...SWEEP, '-o', out, '--progress', 'lines'], /point \d+ done, 1\//, 'SIGTERM');
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/interrupted by SIGTERM after \d+ new points?; \d+ finished points saved/);
    expect(leftovers(dir)).toEqual([]);
  }, 300_000);

  it('--resume refuses a CSV from another sweep, naming the point and the value', () => {
    const other = join(dir, 'other.csv');
    expect(sopsim(['sweep', TINY, '--set', 'lut.capacity_bytes=256,512', '-o', other]).code).toBe(0);
    const r = sopsim(['sweep', TINY, '--set', 'lut.capacity_bytes=1024,2048', '-o', other, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(r.stderr).toMatch(/other\.csv: point 0 was swept with lut\.capacity_bytes=256, this sweep has lut\.capacity_bytes=1024/);
  });
});

describe('interrupted quantize-model', () => {
  it('SIGINT removes its temporary directory, leaves --out alone and says how far it got', async () => {
    const out = join(dir, 'model');
    const r = await interrupt(['quantize-model', 'synthetic-model:small', '--budget-bpw', '5', '--out', out, '--workers', '1', '--progress', 'lines'], /menus 1\//, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted by SIGINT in the menus pass after \d+ of 28 layers; nothing written to/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('model'))).toEqual([]);
  }, 120_000);
});

describe('the same inputs give the same bytes', () => {
  it('sweep CSV on one worker and on two; replay JSON and quantize output run twice', () => {
    const a = join(dir, 'w1.csv');
    const b = join(dir, 'w2.csv');
    const sets = ['--set', 'lut.capacity_bytes=256,1024,4096', '--set', 'lut.replicas=1,4'];
    expect(sopsim(['sweep', TINY, ...sets, '-o', a, '--workers', '1']).code).toBe(0);
    expect(sopsim(['sweep', TINY, ...sets, '-o', b, '--workers', '2']).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const j1 = sopsim(['replay', TINY, '--baseline', 'fp8-e4m3', '--json']).stdout;
    const j2 = sopsim(['replay', TINY, '--baseline', 'fp8-e4m3', '--json']).stdout;
    expect(j1.length).toBeGreaterThan(100);
    expect(j1).toBe(j2);
    const s1 = join(dir, 'a.sopw');
    const s2 = join(dir, 'b.sopw');
    expect(sopsim(['quantize', 'synthetic:t4:64x256:3', '--scheme', 'sop4', '-o', s1]).code).toBe(0);
    expect(sopsim(['quantize', 'synthetic:t4:64x256:3', '--scheme', 'sop4', '-o', s2]).code).toBe(0);
    expect(readFileSync(s1).equals(readFileSync(s2))).toBe(true);
  });
});

describe('the same bytes whatever the thread count', () => {
  it('quantize on one thread and on two (block-parallel scale search) writes the same .sopw', () => {
    const a = join(dir, 't1.sopw');
    const b = join(dir, 't2.sopw');
    const args = (o: string) => ['quantize', 'synthetic:t4:256x2048:4', '-s', 'sop4', '-o', o];
    expect(sopsim(args(a), undefined, { SOPSIM_WORKERS: '1' }).code).toBe(0);
    expect(sopsim(args(b), undefined, { SOPSIM_WORKERS: '2' }).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    // the same knob as a flag (it wins over the environment)
    const c = join(dir, 't3.sopw');
    expect(sopsim([...args(c), '--workers', '3'], undefined, { SOPSIM_WORKERS: '1' }).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(true);
  });
});

describe('limits', () => {
  it('a layer too large for the memory budget is refused up front with the size it needs', () => {
    const r = sopsim(['quantize', 'synthetic:gaussian:100000x100000', '--scheme', 'sop4', '-o', join(dir, 'huge.sopw')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(r.stderr).toMatch(/needs about 149\.0 GiB of memory, over the .* limit \(set SOPSIM_MAX_MEMORY to raise it\)/);
    expect(existsSync(join(dir, 'huge.sopw'))).toBe(false);
  });
  it('SOPSIM_MAX_MEMORY lowers the budget: a trace whose slices do not fit is refused before any work', () => {
    const t = join(dir, 'wide.json');
    writeFileSync(t, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 'wide', synthetic_model: { model: 'L1-H4096-I11008', slice_rows: 0 } }));
    const s = sopsim(['replay', t], undefined, { SOPSIM_MAX_MEMORY: '64M' });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/wide\.json: a 11008x4096 slice of synthetic_model L1-H4096-I11008 needs about 688\.0 MiB of memory, over the 64\.0 MiB limit/);
  });
  it('quantize-model refuses up front a model whose layers would not fit on its workers', () => {
    const out = join(dir, 'big-model');
    const s = sopsim(['quantize-model', 'synthetic-model:L1-H4096-I11008', '--budget-bpw', '5', '--out', out, '--workers', '2'], undefined, { SOPSIM_MAX_MEMORY: '256M' });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/synthetic-model:L1-H4096-I11008: quantizing 2 layers of up to 11008x4096 at once needs about 1\.3 GiB of memory, over the 256\.0 MiB limit/);
    expect(existsSync(out)).toBe(false);
  });
  it('a trace that would expand to millions of steps is refused', () => {
    const t = join(dir, 'many.json');
    writeFileSync(t, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 'many', passes: 100000, synthetic_model: { model: 'tiny' } }));
    const r = sopsim(['replay', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/many\.json: 14 layers x 100000 passes is 1400000 steps, over the limit of 1000000/);
  });
});

