// A single-node Slurm cluster of the test's own, on this host: munged on a private socket and key, slurmctld
// and slurmd from a slurm.conf in a temporary folder (proctrack/linuxproc and task/none, which run as root
// without cgroups), on free ports. Nothing of the system's Slurm or munge setup is used or changed.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the cluster cannot start here (a tool missing, not root), or null. */
export function slurmMissing(): string | null {
  for (const tool of ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found (Debian: apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'slurmd must run as root to start jobs as the submitting user';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface Cluster {
  dir: string;
  /** Environment for Slurm's client commands (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  logs(): string;
  stop(): void;
}

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'slurm-'));
  chmodSync(dir, 0o700);
  for (const d of ['state', 'spool', 'munge']) mkdirSync(join(dir, d), { mode: 0o700 });
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(dir, 'munge', 'munge.socket');
  execFileSync('munged', ['--key-file', key, '--socket', socket, '--pid-file', join(dir, 'munge', 'munged.pid'), '--log-file', join(dir, 'munge', 'munged.log'), '--seed-file', join(dir, 'munge', 'munged.seed'), '--force']);
  const host = hostname();
  const cpus = Number(/CPUs=(\d+)/.exec(execFileSync('slurmd', ['-C'], { encoding: 'utf8' }))?.[1] ?? 1);
  const [ctld, slurmd] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=sopsim-test',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctld}`,
      `SlurmdPort=${slurmd}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
      'SchedulerType=sched/builtin',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobCompType=jobcomp/none',
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const daemons: ChildProcess[] = [spawn('slurmctld', ['-D', '-i', '-f', conf], { env, stdio: 'ignore' }), spawn('slurmd', ['-D', '-f', conf], { env, stdio: 'ignore' })];
  const munged = () => Number(readFileSync(join(dir, 'munge', 'munged.pid'), 'utf8'));
  const cluster: Cluster = {
    dir,
    env,
    logs: () => ['slurmctld.log', 'slurmd.log', join('munge', 'munged.log')].map((f) => (existsSync(join(dir, f)) ? `--- ${f}\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}` : '')).join('\n'),
    stop() {
      for (const d of daemons) d.kill('SIGTERM');
      try {
        process.kill(munged(), 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
  // the node is up when sinfo says it is idle
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = spawnSync('sinfo', ['-h', '-N', '-o', '%T'], { env, encoding: 'utf8' });
    if (s.status === 0 && /idle/.test(s.stdout)) return cluster;
    if (Date.now() > deadline) {
      const logs = cluster.logs();
      cluster.stop();
      throw new Error(`the test cluster did not come up in 60 s (sinfo: ${s.stdout.trim() || s.stderr.trim()})\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
