// Byte-range access to input files (so a reader takes only the bytes it needs, never a whole model), and
// the memory budget every reader checks before it allocates.

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { InputError } from './tensor.js';

/** Bytes of one input: its size, and any range of it on request. */
export interface ByteSource {
  path: string;
  size: number;
  /** `length` bytes from `offset`; the caller has checked the range lies in [0, size). */
  read(offset: number, length: number): Uint8Array;
}

/** A file, opened for each read (readers make a few large reads, so that costs nothing that matters). */
export function fileBytes(path: string): ByteSource {
  if (path.includes('\0')) throw new InputError(path.replace(/\0/g, '\\0'), 'a file name cannot hold a NUL byte');
  const fail = (e: unknown): never => {
    throw new InputError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  };
  let size = 0;
  try {
    // stat first: opening a FIFO would wait for a writer, a device would read forever
    const kind = statSync(path);
    if (kind.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!kind.isFile()) throw new InputError(path, `not a regular file (a ${kind.isFIFO() ? 'FIFO' : kind.isSocket() ? 'socket' : kind.isCharacterDevice() || kind.isBlockDevice() ? 'device' : 'special file'}); give a file`);
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      size = st.size;
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    fail(e);
  }
  return {
    path,
    size,
    read(offset, length) {
      const out = new Uint8Array(length);
      try {
        const fd = openSync(path, 'r');
        try {
          let got = 0;
          while (got < length) {
            const n = readSync(fd, out, got, length - got, offset + got);
            if (n === 0) throw new InputError(path, `file shrank while reading (${offset + got} of ${offset + length} bytes)`);
            got += n;
          }
        } finally {
          closeSync(fd);
        }
      } catch (e) {
        if (e instanceof InputError) throw e;
        fail(e);
      }
      return out;
    },
  };
}

/** Parse a size such as 512M, 8G, 1.5GiB or a plain byte count. */
export function parseBytes(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(s);
  if (!m) return null;
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}

/** The memory sopsim lets one layer take: SOPSIM_MAX_MEMORY (e.g. 8G), else three quarters of the RAM. */
export function memoryLimit(): number {
  const env = process.env.SOPSIM_MAX_MEMORY;
  if (env !== undefined && env !== '') {
    const b = parseBytes(env);
    if (b === null || b <= 0) throw new InputError('SOPSIM_MAX_MEMORY', `expected a size such as 512M or 8G, got '${env}'`);
    return b;
  }
  return Math.floor(totalmem() * 0.75);
}

export function formatBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(1)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
}

/** Working memory of quantizing one weight: float32 input, codes, per-block state, residual ranking. */
export const QUANTIZE_BYTES_PER_WEIGHT = 16;

/** Refuse, before allocating, work whose memory need exceeds the budget: one line with the size it needs. */
export function checkMemory(source: string, what: string, bytes: number): void {
  const limit = memoryLimit();
  if (!(bytes <= limit))
    throw new InputError(source, `${what} needs about ${formatBytes(bytes)} of memory, over the ${formatBytes(limit)} limit (set SOPSIM_MAX_MEMORY to raise it)`);
}

/** Largest JSON document (trace, hw-config, statistics, codebook) a reader accepts. */
export const MAX_JSON_BYTES = 256 * 2 ** 20;

/** A JSON document from a file: one-line errors naming it when it cannot be read or parsed. */
export function readJsonFile(path: string): unknown {
  const text = readText(path);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, `not valid JSON (${(e as Error).message})`);
  }
  // no document sopsim reads nests deeply; a deep one would exhaust the stack of whatever walks it
  const stack: Array<[unknown, number]> = [[doc, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) throw new InputError(path, `nested more than ${MAX_JSON_DEPTH} levels deep (expected a flat document)`);
    for (const x of Object.values(v as object)) if (x !== null && typeof x === 'object') stack.push([x, depth + 1]);
  }
  return doc;
}

/** Deepest nesting of objects and arrays a JSON document sopsim reads may have. */
export const MAX_JSON_DEPTH = 64;

/** A whole text file (UTF-8), refused up front when it is larger than `maxBytes`. */
export function readText(path: string, maxBytes = MAX_JSON_BYTES): string {
  const src = fileBytes(path);
  if (src.size > maxBytes) throw new InputError(path, `file is ${formatBytes(src.size)}, over the ${formatBytes(maxBytes)} a JSON document may take`);
  return Buffer.from(src.read(0, src.size)).toString('utf8');
}
