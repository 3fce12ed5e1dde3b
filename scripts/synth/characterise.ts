// Gate-level characterisation of the logic model's operators: each circuit of scripts/synth/circuits.ts is
// synthesised with yosys onto a liberty standard-cell library (by default the open OSU 0.18 um library of
// Debian's qflow-tech-osu018), and its power is computed by OpenSTA with the input switching activity
// measured on a real weight stream (the HIF8 entries and 4-bit codes one unpacker lane sees). The table
// is written as data (hw-configs/synth-osu018.json) with the tools, library and activities in its header.
//
//   node dist/scripts/synth/characterise.js [--weights FILE|synthetic:...] [--tensor NAME] [--out FILE] [--liberty FILE]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openWeights } from '../../quant/io/load.js';
import { quantize } from '../../quant/schemes/index.js';
import type { QuantizedLayer } from '../../quant/layer.js';
import { writeFileAtomic } from '../../quant/packed/atomic.js';
import { arg } from '../bench/reference.js';
import { circuits, type Circuit, type PortActivity } from './circuits.js';

export const OSU018_LIBERTY = '/usr/share/qflow/tech/osu018/osu018_stdcells.lib';
/** Clock period of the power analysis: activities are toggles per period, energy = power x period. */
export const PERIOD_NS = 10;

export interface Activities {
  weight: number;
  code: number;
  random: number;
  zero: number;
}

export interface SynthResult {
  name: string;
  what: string;
  area_um2: number;
  /** Dynamic energy per operation (per clock period at the activities), pJ. */
  energy_pj: number;
  leakage_nw: number;
  cells: number;
}

/** Are yosys and OpenSTA (`sta`) on the PATH, and the liberty file present? */
export function haveTools(liberty = OSU018_LIBERTY): boolean {
  try {
    execFileSync('yosys', ['-V'], { stdio: 'ignore' });
    execFileSync('sta', ['-version'], { stdio: 'ignore' });
    return existsSync(liberty);
  } catch {
    return false;
  }
}

/** Mean toggles per bit per step of a sequence of `bits`-bit words. */
function toggleRate(words: Int32Array, bits: number): number {
  let t = 0;
  const mask = 2 ** bits - 1;
  for (let i = 1; i < words.length; i++) {
    let x = (words[i] ^ words[i - 1]) & mask;
    while (x) {
      t += x & 1;
      x >>>= 1;
    }
  }
  return words.length > 1 ? t / ((words.length - 1) * bits) : 0;
}

/**
 * Activities of one unpacker lane (every `lanes`-th weight of the stream): its 4-bit codes and the 8-bit
 * HIF entries they read. Random data toggles each bit with probability 1/2.
 */
export function measureActivities(q: QuantizedLayer, lanes = 64): Activities {
  const n = q.geom.rows * q.geom.cols;
  const steps = Math.floor(n / lanes);
  const codes = new Int32Array(steps);
  const entries = new Int32Array(steps);
  for (let s = 0; s < steps; s++) {
    const i = s * lanes;
    const row = Math.floor(i / q.geom.cols);
    const block = row * q.geom.blocksPerRow + Math.floor((i % q.geom.cols) / q.geom.block);
    const book = q.books[q.sel ? q.sel[block] : 0];
    codes[s] = q.codes[i];
    entries[s] = book.hif ? book.hif.mantissas[q.codes[i]] : q.codes[i];
  }
  return { weight: toggleRate(entries, 8), code: toggleRate(codes, q.elementBits), random: 0.5, zero: 0 };
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Synthesise one circuit and analyse its power. */
export function synthesise(c: Circuit, act: Activities, liberty = OSU018_LIBERTY): SynthResult {
  const dir = mkdtempSync(join(tmpdir(), 'sopsim-synth-'));
  try {
    writeFileSync(join(dir, 'top.v'), c.verilog);
    const script = [
      'read_verilog top.v',
      'synth -top top -flatten',
      `dfflibmap -liberty ${liberty}`,
      `abc -liberty ${liberty}`,
      'opt_clean -purge',
      'splitnets -ports',
      'opt_clean -purge',
      'insbuf',
      `tee -q -o stat.txt stat -liberty ${liberty}`,
      'write_verilog -noattr -noexpr net.v',
    ].join('; ');
    run('yosys', ['-q', '-p', script], dir);
    const stat = readFileSync(join(dir, 'stat.txt'), 'utf8');
    const area = Number(/Chip area for module '\\top': ([\d.]+)/.exec(stat)?.[1]);
    const cells = Number(/Number of cells:\s+(\d+)/.exec(stat)?.[1]);
    const acts = Object.entries(c.ports).map(([p, a]: [string, PortActivity]) => `set_power_activity -input_ports [get_ports ${p}*] -activity ${act[a]}`);
    const clock = c.clocked ? `create_clock -name clk -period ${PERIOD_NS} [get_ports clk]` : `create_clock -name clk -period ${PERIOD_NS}`;
    const tcl = [
      `read_liberty ${liberty}`,
      'read_verilog net.v',
      'link_design top',
      clock,
      'set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]',
      'set_output_delay 0 -clock clk [all_outputs]',
      ...acts,
      'report_power -digits 8',
      'exit',
    ].join('\n');
    writeFileSync(join(dir, 'power.tcl'), tcl);
    const rep = run('sta', ['power.tcl'], dir);
    const group = c.clocked ? 'Sequential' : 'Combinational';
    const m = new RegExp(`^${group}\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)`, 'm').exec(rep);
    if (!Number.isFinite(area) || !m) throw new Error(`${c.name}: could not read yosys area or OpenSTA power:\n${stat}\n${rep}`);
    const dynamicW = Number(m[1]) + Number(m[2]);
    return { name: c.name, what: c.what, area_um2: area, energy_pj: dynamicW * PERIOD_NS * 1e-9 * 1e12, leakage_nw: Number(m[3]) * 1e9, cells };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function version(cmd: string, flag: string): string {
  return run(cmd, [flag], tmpdir()).split('\n').find((l) => l.trim())!.trim();
}

function main(): void {
  const weights = arg('weights', 'synthetic:t4:256x1024:1');
  const out = arg('out', 'hw-configs/synth-osu018.json');
  const liberty = arg('liberty', OSU018_LIBERTY);
  if (!haveTools(liberty)) {
    process.stderr.write(`characterise: needs yosys, OpenSTA (sta) and ${liberty} (Debian: apt-get install yosys opensta qflow-tech-osu018)\n`);
    process.exit(2);
  }
  const src = openWeights(weights);
  const tensor = arg('tensor', src.tensors()[0]);
  const q = quantize(src.read(tensor), 'sop4', {});
  const act = measureActivities(q);
  const rows = circuits().map((c) => {
    process.stderr.write(`synthesising ${c.name}\n`);
    return synthesise(c, act, liberty);
  });
  const doc = {
    description: 'Gate-level characterisation of the logic model\'s operators (scripts/synth/circuits.ts): area from yosys on the liberty library, dynamic energy per operation from OpenSTA at the measured input activities. Checked against the logic model by test/sim/logic-synthesis.test.ts.',
    source: {
      command: `node dist/scripts/synth/characterise.js --weights ${weights} --tensor ${tensor}`,
      yosys: version('yosys', '-V'),
      opensta: version('sta', '-version'),
      liberty,
      flow: 'yosys: synth -top top -flatten; dfflibmap; abc -liberty; stat -liberty. OpenSTA: report_power, inputs constrained to the clock',
      clock_period_ns: PERIOD_NS,
      activities: { ...act, measured_on: `${weights} tensor ${tensor}, sop4 with HIF8 entries, one lane of 64`, note: 'toggles per bit per operation; activations are not in the weight stream and toggle at random (0.5)' },
    },
    columns: ['name', 'area_um2', 'energy_pj', 'leakage_nw', 'cells', 'what'],
    rows: rows.map((r) => [r.name, r.area_um2, Number(r.energy_pj.toPrecision(6)), Number(r.leakage_nw.toPrecision(6)), r.cells, r.what]),
  };
  writeFileAtomic(out, JSON.stringify(doc, null, 1) + '\n');
  process.stderr.write(`wrote ${out}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
