// The README's Slurm recipe, run for real: the sharded sweep as an array job (scripts/slurm/lut-sweep.sbatch)
// on a single-node cluster this test starts, then the merge as a job depending on it; the merged CSV is
// byte-identical to the unsharded sweep, with more shards than points (so one shard is empty).

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';
import { slurmMissing, startCluster, type Cluster } from '../helpers/slurm.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const missing = slurmMissing();
if (missing) console.warn(`[skip] Slurm cluster test: ${missing}`);

describe.skipIf(!!missing)('a sharded sweep as a Slurm array job', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 90_000);
  afterAll(() => cluster?.stop());

  it('sbatch --wait of the array, then the merge job: byte-identical to the unsharded sweep', () => {
    const shards = join(cluster.dir, 'shards');
    const sets = '--set lut.capacity_bytes=1K,4K,16K';
    const sbatch = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync('sbatch', ['--wait', '--parsable', '--chdir', REPO, '--output', join(cluster.dir, 'job-%A_%a.out'), ...args], { env: { ...cluster.env, ...env }, encoding: 'utf8', timeout: 300_000 });
      expect(r.status, `${r.stderr}\n${cluster.logs()}\n${readdirSync(cluster.dir).filter((f) => f.startsWith('job-')).map((f) => readFileSync(join(cluster.dir, f), 'utf8')).join('\n')}`).toBe(0);
      return r.stdout.trim().split(';')[0];
    };
    // four shards for three points: one task has nothing to run and writes a header-only CSV
    // (the job takes the submitting environment: --export's own list would split SETS at its commas)
    const array = sbatch(['--array=0-3', '--cpus-per-task=1', '--export', 'ALL', 'scripts/slurm/lut-sweep.sbatch'], { TRACE: 'traces/tiny-2layer.json', SETS: sets, OUT: shards });
    expect(readdirSync(shards).sort()).toEqual(['lut-0.csv', 'lut-1.csv', 'lut-2.csv', 'lut-3.csv']);
    expect(readFileSync(join(shards, 'lut-3.csv'), 'utf8')).toBe('point,points\n');
    const merged = join(cluster.dir, 'lut.csv');
    sbatch(['--dependency', `afterok:${array}`, '--wrap', `npx sopsim merge ${shards}/lut-*.csv -o ${merged}`]);
    const whole = join(cluster.dir, 'whole.csv');
    expect(sopsim(['sweep', 'traces/tiny-2layer.json', ...sets.split(' '), '-o', whole, '--workers', '1']).code).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  }, 400_000);
});
