// Headless Chromium for page tests: Debian's `chromium` package, installed here when absent (as root with
// apt-get, as CI runs). Without root or apt the page tests are skipped, and say so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Make sure Chromium is installed; returns a reason when it cannot be. */
export function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return `${CHROMIUM} not found and not root: cannot apt-get install chromium`;
  if (spawnSync('which', ['apt-get']).status !== 0) return `${CHROMIUM} not found and no apt-get`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'ignore', env });
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env });
  if (r.status !== 0 || !existsSync(CHROMIUM)) throw new Error(`apt-get install chromium failed (exit ${r.status})`);
  return null;
}

/** Launch flags for a closed network, from the machine notes: no background connections, no sandbox as root. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
