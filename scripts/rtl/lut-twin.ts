// The LUT arbitration twin: rtl/lut_arbiter.sv built with Verilator (one build for every geometry) runs
// lane groups, giving the cycles each group's bank arbitration takes in RTL, to hold against sopsim's
// timing model (sim/lut-sram/conflicts.ts).

import { execFileSync } from 'node:child_process';
import type { LayerWork } from '../../sim/datapath/layer-work.js';
import { blockOf } from '../../quant/layer.js';
import { buildTwin } from './verilator.js';

export { haveVerilator } from './verilator.js';

export interface ArbiterGeometry {
  lanes: number;
  copies: number;
  banks: number;
  ports: number;
}

/** The arbiter's testbench (built once, cached). */
export function buildArbiter(): string {
  return buildTwin('lut_arbiter', ['twin_pkg.sv', 'lut_arbiter.sv', 'lut_arbiter_tb.cpp']);
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
export function runArbiter(bin: string, g: ArbiterGeometry, groups: Int32Array[]): { cycles: number[]; grants: number[] } {
  const input = `${g.lanes} ${g.copies} ${g.banks} ${g.ports}\n` + groups.map((g) => Array.from(g).join(' ')).join('\n') + '\n';
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
