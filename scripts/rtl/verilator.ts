// Building sopsim's RTL twin with Verilator: each top module (and its testbench) is built once per source
// content and parameter set, cached under node_modules/.cache/sopsim-rtl, and reused by every run.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the nearest folder above this file holding rtl/ (run from source or from dist/). */
export const REPO = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'rtl', 'lut_arbiter.sv')) && dirname(d) !== d) d = dirname(d);
  return d;
})();

/** How to get Verilator, for messages. */
export const INSTALL_VERILATOR = 'Verilator is needed for the RTL twin: install it (Debian/Ubuntu: apt-get install verilator; macOS: brew install verilator) and put it on the PATH';

/** Is Verilator on the PATH? */
export function haveVerilator(): boolean {
  try {
    execFileSync('verilator', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Build a top module with its C++ testbench (files under rtl/), or reuse the cached build; returns the
 * executable. `params` override the top module's parameters.
 */
export function buildTwin(top: string, files: string[], params: Record<string, number> = {}): string {
  const sources = files.map((p) => join(REPO, 'rtl', p));
  const key = createHash('sha256')
    .update(sources.map((p) => readFileSync(p, 'utf8')).join('\0'))
    .update(JSON.stringify(params))
    .digest('hex')
    .slice(0, 16);
  const dir = join(REPO, 'node_modules', '.cache', 'sopsim-rtl', `${top}-${key}`);
  const bin = join(dir, `V${top}`);
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const g = Object.entries(params).map(([k, v]) => `-G${k}=${v}`);
  try {
    execFileSync('verilator', ['--cc', '--exe', '--build', '-j', '4', '-O2', '-Wall', '-Wno-fatal', '--x-initial', 'fast', ...g, '--top-module', top, ...sources, '-Mdir', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`verilator could not build ${top}: ${err.split('\n').find((l) => l.includes('%Error')) ?? err.trim().split('\n')[0] ?? 'unknown error'}`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process built it first
  }
  return bin;
}
