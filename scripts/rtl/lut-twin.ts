// The LUT arbitration twin: builds rtl/lut_arbiter.sv with Verilator (once per geometry, cached under
// node_modules/.cache/sopsim-rtl) and runs lane groups through it, giving the cycles each group's bank
// arbitration takes in RTL, to hold against sopsim's timing model (sim/lut-sram/conflicts.ts).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayerWork } from '../../sim/datapath/layer-work.js';
import { blockOf } from '../../quant/layer.js';

/** The repository: the nearest folder above this file holding rtl/ (run from source or from dist/). */
const REPO = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'rtl', 'lut_arbiter.sv')) && dirname(d) !== d) d = dirname(d);
  return d;
})();
const SOURCES = ['rtl/lut_arbiter.sv', 'rtl/lut_arbiter_tb.cpp'].map((p) => join(REPO, p));

export interface ArbiterGeometry {
  lanes: number;
  copies: number;
  banks: number;
  ports: number;
  codeBits: number;
}

/** Is Verilator on the PATH? */
export function haveVerilator(): boolean {
  try {
    execFileSync('verilator', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Build the twin for a geometry (or reuse the cached build); returns the executable. */
export function buildArbiter(g: ArbiterGeometry): string {
  const key = createHash('sha256')
    .update(SOURCES.map((p) => readFileSync(p, 'utf8')).join('\0'))
    .update(JSON.stringify(g))
    .digest('hex')
    .slice(0, 16);
  const dir = join(REPO, 'node_modules', '.cache', 'sopsim-rtl', `lut-arbiter-${key}`);
  const bin = join(dir, 'Vlut_arbiter');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const params = [`-GLANES=${g.lanes}`, `-GCOPIES=${g.copies}`, `-GBANKS=${g.banks}`, `-GPORTS=${g.ports}`, `-GCODE_BITS=${g.codeBits}`];
  execFileSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-O2', '-Wall', '-Wno-fatal', ...params, '--top-module', 'lut_arbiter', ...SOURCES, '-Mdir', tmp], { stdio: 'ignore' });
  mkdirSync(dirname(dir), { recursive: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process built it first
  }
  return bin;
}

/**
 * The lane groups of a layer as the twin takes them: per group, each lane's code when its block is decoded
 * by the LUT (route `lutRoute`), else -1. Groups of a repeated slice are the slice's.
 */
export function laneGroups(work: LayerWork, lanes: number, lutRoute: number): Int32Array[] {
  const q = work.layer;
  const n = q.geom.rows * q.geom.cols;
  const groups: Int32Array[] = [];
  for (let i0 = 0; i0 < n; i0 += lanes) {
    const g = new Int32Array(Math.min(lanes, n - i0)).fill(-1);
    for (let l = 0; l < g.length; l++) {
      const i = i0 + l;
      if (work.blockRoute[blockOf(q.geom, i)] === lutRoute) g[l] = q.codes[i];
    }
    groups.push(g);
  }
  return groups;
}

/** Run groups through a built twin: the cycles each took and the requests it granted. */
export function runArbiter(bin: string, groups: Int32Array[]): { cycles: number[]; grants: number[] } {
  const input = groups.map((g) => Array.from(g).join(' ')).join('\n') + '\n';
  const out = execFileSync(bin, [], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  const cycles: number[] = [];
  const grants: number[] = [];
  for (const line of out.trim().split('\n')) {
    if (line.startsWith('total')) continue;
    const [c, g] = line.split(' ').map(Number);
    cycles.push(c);
    grants.push(g);
  }
  return { cycles, grants };
}
