// Shared CLI plumbing: one-line errors (exit 2 for bad input, 1 for a bug), JSON vs human output, colour only on a TTY.

import chalk from 'chalk';
import { availableParallelism } from 'node:os';
import { BadValueError, InputError, oneLine, printable } from '../../quant/io/tensor.js';
import { ConfigError } from '../../sim/config/errors.js';

export class UsageError extends Error {}

/**
 * Is this error about what the user gave (exit 2) rather than a bug in sopsim (exit 1)? Bad input is a usage,
 * config or input error, a value sopsim cannot take, or the system refusing a file (ENOENT, EACCES, ENOSPC...).
 */
export function isBadInput(e: unknown): boolean {
  if (e instanceof UsageError || e instanceof ConfigError || e instanceof InputError || e instanceof BadValueError) return true;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * Print a one-line error and exit: 2 for bad input, 1 for an internal error (a bug: the line says so and asks
 * for a report). DEBUG=1 prints the stack.
 */
export function fail(e: unknown): never {
  const err = e as Error;
  const msg = oneLine((err?.message ?? String(e)).split('\n')[0]);
  const bad = isBadInput(e);
  if (bad) process.stderr.write(`${chalk.red('sopsim: error:')} ${msg}\n`);
  else process.stderr.write(`${chalk.red('sopsim: internal error:')} ${msg} (a bug in sopsim: please report it with the command that caused it; DEBUG=1 shows where)\n`);
  if (process.env.DEBUG && err?.stack) process.stderr.write(err.stack + '\n');
  process.exit(bad ? 2 : 1);
}

/** Run a command body, turning any thrown error into a clean exit. */
export async function run(body: () => void | Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    fail(e);
  }
}

/** A tensor name as a file name: every run of characters other than letters, digits, '.', '_', '-' becomes '_'. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Format a number compactly for tables. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(digits - 1);
  return Number(x.toFixed(digits)).toString();
}

/**
 * A figure in plain positional notation with `digits` significant digits (no exponent, so a column of energies
 * reads as one kind of number): 1311612.3 -> 1311612, 44754.98555 -> 44755.0, 0.5747 -> 0.574700, 3e-5 -> 0.0000300000.
 */
export function plain(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const lead = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x))) + 1; // digits before the point (<= 0 below 1)
  return x.toFixed(Math.min(20, Math.max(0, digits - lead)));
}

/** A plain aligned text table (first row is the header). */
export function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map((c) => printable(c ?? '')));
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
      return i === 0 ? chalk.bold(line) : line;
    })
    .join('\n');
}

/** JSON with stable key order and non-finite numbers as strings (JSON has no Infinity). */
export function toJson(x: unknown): string {
  return JSON.stringify(snakeKeys(x), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** A lower-camel key (elementBits, pjEach) in snake case; any other key (NF4, DD4, a tensor's name) as it is. */
export function snakeKey(k: string): string {
  return /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+$/.test(k) ? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : k;
}

/** Every JSON output speaks snake_case: the keys of internal records are renamed on the way out. */
function snakeKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(snakeKeys);
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[snakeKey(k)] = snakeKeys(v);
  return out;
}

/**
 * Turn SIGINT / SIGTERM into a clean stop for the duration of a long run: `stop` cleans up and says how far
 * the run got, then the process exits 130 (SIGINT) or 143 (SIGTERM). Returns the function that disarms it.
 */
export function onInterrupt(stop: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    disarm();
    try {
      stop(signal);
    } catch (e) {
      process.stderr.write(`sopsim: error while stopping: ${(e as Error).message.split('\n')[0]}\n`);
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const disarm = () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return disarm;
}

/** Let pending signals and I/O run between the steps of a synchronous loop. */
export const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

export type ProgressMode = 'bar' | 'lines' | 'none';
export const PROGRESS_CHOICES = ['auto', 'bar', 'lines', 'none'];

/** `--progress` resolved: auto is a bar on a terminal and nothing otherwise. */
export function progressMode(option: string): ProgressMode {
  return option === 'auto' ? (process.stderr.isTTY ? 'bar' : 'none') : (option as ProgressMode);
}

interface NumberOptionSpec {
  min: number;
  max: number;
  whole?: boolean;
  default?: number;
  demandOption?: boolean;
  alias?: string;
}

/**
 * A numeric option checked where yargs reads it: a whole number (or any finite number) within
 * [min, max], else a one-line usage error naming the flag and the range (exit 2).
 */
export function numberOption(flag: string, describe: string, o: NumberOptionSpec & ({ default: number } | { demandOption: true })): { type: 'number'; describe: string; coerce: (v: unknown) => number };
export function numberOption(flag: string, describe: string, o: NumberOptionSpec): { type: 'number'; describe: string; coerce: (v: unknown) => number | undefined };
export function numberOption(flag: string, describe: string, o: NumberOptionSpec) {
  const whole = o.whole ?? true;
  const check = (v: unknown): number | undefined => {
    if (v === undefined) return undefined;
    const x = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(x) || (whole && !Number.isInteger(x)) || x < o.min || x > o.max)
      throw new UsageError(`--${flag}: expected ${whole ? 'a whole number' : 'a number'} from ${o.min} to ${o.max}, got ${JSON.stringify(v)}`);
    return x;
  };
  return { type: 'number' as const, describe, coerce: check, ...(o.default !== undefined ? { default: o.default } : {}), ...(o.demandOption ? { demandOption: true } : {}), ...(o.alias ? { alias: o.alias } : {}) };
}

/**
 * The one parallelism knob: --workers N on every command that runs in parallel (sweep points, quantize-model
 * layers, quantize's block-parallel scale search), defaulting to SOPSIM_WORKERS, else the cores.
 */
export function defaultWorkers(): number {
  const env = Number(process.env.SOPSIM_WORKERS);
  return Number.isInteger(env) && env >= 1 ? Math.min(env, 256) : Math.min(availableParallelism(), 256);
}
