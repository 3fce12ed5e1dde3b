// Write a file so that readers never see half of it: write a temporary sibling, then rename. What the path
// already is decides how: a symbolic link is followed (its target is replaced, the link stays), a device,
// FIFO or socket is written through (never replaced by a regular file: -o /dev/null stays /dev/null), and a
// directory is refused. Failures name the file and say why in words.

import { BadValueError } from '../io/tensor.js';
import { closeSync, lstatSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
};

/** The error of a failed write, one line naming the file. */
export function writeError(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const msg = `${path}: cannot write: ${(code && REASONS[code]) ?? (e as Error)?.message ?? String(e)}`;
  return code ? new BadValueError(msg) : new Error(msg); // the system refusing the file is bad input; anything else a bug
}

const statOf = (f: (p: string) => Stats, p: string): Stats | null => {
  try {
    return f(p);
  } catch {
    return null;
  }
};

/** Where a write to `path` lands: the path itself, or the end of its chain of symbolic links. */
function writeTarget(path: string): { target: string; stat: Stats | null } {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    const l = statOf(lstatSync, target);
    if (!l?.isSymbolicLink()) return { target, stat: l };
    target = resolve(dirname(target), readlinkSync(target));
  }
  throw new BadValueError(`${path}: cannot write: too many symbolic links`);
}

/** Write a whole file so that readers never see half of it (AtomicStream in one piece). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const out = new AtomicStream(path);
  out.write(data);
  out.commit();
}

/**
 * A file written piece by piece and appearing whole: pieces go to a temporary sibling (or straight through a
 * device or FIFO), renamed into place by commit(); abort() removes it. For outputs too large to hold.
 */
export class AtomicStream {
  private fd: number;
  private readonly tmp: string | null;
  private readonly target: string;

  constructor(private readonly path: string) {
    const { target, stat } = writeTarget(path);
    if (stat?.isDirectory()) throw new BadValueError(`${path}: cannot write: it is a folder (expected a file name)`);
    this.target = target;
    this.tmp = stat && !stat.isFile() ? null : `${target}.${process.pid}.tmp`;
    try {
      this.fd = openSync(this.tmp ?? target, 'w');
    } catch (e) {
      throw writeError(path, e);
    }
  }

  write(data: string | Uint8Array): void {
    try {
      writeFileSync(this.fd, data); // the whole piece, however many writes it takes
    } catch (e) {
      this.abort();
      throw writeError(this.path, e);
    }
  }

  commit(): void {
    try {
      closeSync(this.fd);
      if (this.tmp) renameSync(this.tmp, this.target);
    } catch (e) {
      if (this.tmp) rmSync(this.tmp, { force: true });
      throw writeError(this.path, e);
    }
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    if (this.tmp) rmSync(this.tmp, { force: true });
  }
}

/**
 * Refuse, before any work, an output whose folder does not exist or is not a folder (so a long run is not
 * thrown away at the end); what writeFileAtomic would say then.
 */
export function checkOutputPath(path: string): void {
  const dir = statOf(lstatSync, dirname(resolve(path)));
  if (!dir) throw new BadValueError(`${path}: cannot write: ${REASONS.ENOENT}`);
  if (!dir.isDirectory() && !dir.isSymbolicLink()) throw new BadValueError(`${path}: cannot write: ${REASONS.ENOTDIR}`);
}

/** Is a process of this id running (a signal 0 reaches it, or it exists but is not ours)? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the staging folders `<out>.<tag>-<pid>` that runs killed without cleaning up (SIGKILL) left beside
 * `out`: those whose process no longer runs. A running one is another run's and is left alone.
 */
export function removeStaleStaging(out: string, tag: string): string[] {
  const dir = dirname(resolve(out));
  const prefix = `${basename(out.replace(/\/+$/, ''))}.${tag}-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(n.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

/**
 * Claim `out` for this run: `<out>.lock` holds the pid of the run writing it. A second run is refused while
 * the first runs (one line, exit 2), so two runs never replace each other's output; a lock whose process is
 * gone (killed) is taken over. Returns the release (also done when the process exits).
 */
export function lockOutput(out: string): () => void {
  const lock = `${out.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      const release = () => {
        try {
          if (readFileSync(lock, 'utf8') === String(process.pid)) rmSync(lock, { force: true });
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw writeError(lock, e);
      let pid = NaN;
      try {
        pid = Number(readFileSync(lock, 'utf8'));
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new BadValueError(`${out}: another sopsim run (pid ${pid}) is writing it; wait for it to finish or choose another output (${lock} holds its pid)`);
      rmSync(lock, { force: true }); // left by a run that no longer runs
    }
  }
  throw new BadValueError(`${out}: cannot claim ${lock}`);
}
