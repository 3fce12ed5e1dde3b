// Run the built CLI (dist/, made by `npm test`'s tsc step) as a user would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './data.js';

export const CLI = join(REPO, 'dist', 'scripts', 'cli', 'sopsim.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI; `env` adds to (or overrides) this process's environment. */
export function sopsim(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', cwd: REPO, env: { ...process.env, ...env, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
