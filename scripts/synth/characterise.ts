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
import { writeFileAtomic } from '../../quant/packed/atomic.js';
import { arg } from '../bench/reference.js';
import { circuits, fitTreeLevel, type Circuit } from './circuits.js';
import { parseLiberty, portWidths, simulateActivity, type LibCell, type YosysJson } from './gate-sim.js';
import { driver, layerStreams, streamActivities, type Streams } from './stimulus.js';

export const OSU018_LIBERTY = '/usr/share/qflow/tech/osu018/osu018_stdcells.lib';
/**
 * yosys's default ABC mapping script for a liberty library, then ABC's `buffer` with at most 16 fanouts per
 * net: without it a select line drives hundreds of gates with a slew that inflates their internal power (a
 * place-and-route flow would buffer it the same way).
 */
export const ABC_SCRIPT = '+strash;&get,-n;&fraig,-x;&put;scorr;dc2;dretime;strash;&get,-n;&dch,-f;&nf;&put;buffer,-N,16;topo';
/** Clock period of the power analysis: activities are toggles per period, energy = power x period. */
export const PERIOD_NS = 10;

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

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const libraries = new Map<string, Map<string, LibCell>>();

/**
 * Synthesise one circuit and find its dynamic energy per step. Combinational circuits: every net's toggles
 * come from a zero-delay simulation of the mapped netlist on the streams (glitches are not counted), and
 * each cell's energy per output toggle from OpenSTA (internal and switching power of every instance at one
 * toggle per period). Clocked circuits: OpenSTA's own propagation from the input ports' activities.
 */
export function synthesise(c: Circuit, streams: Streams, liberty = OSU018_LIBERTY): SynthResult {
  const dir = mkdtempSync(join(tmpdir(), 'sopsim-synth-'));
  try {
    writeFileSync(join(dir, 'top.v'), c.verilog);
    const script = [
      'read_verilog top.v',
      'synth -top top -flatten',
      `dfflibmap -liberty ${liberty}`,
      `abc -liberty ${liberty} -script ${ABC_SCRIPT}`,
      'opt_clean -purge',
      'splitnets -ports',
      'opt_clean -purge',
      'insbuf',
      'rename -enumerate',
      `tee -q -o stat.txt stat -liberty ${liberty}`,
      'write_verilog -noattr -noexpr net.v',
      'write_json net.json',
    ].join('; ');
    run('yosys', ['-q', '-p', script], dir);
    const stat = readFileSync(join(dir, 'stat.txt'), 'utf8');
    const area = Number(/Chip area for module '\\top': ([\d.]+)/.exec(stat)?.[1]);
    const cells = Number(/Number of cells:\s+(\d+)/.exec(stat)?.[1]);
    const clock = c.clocked ? `create_clock -name clk -period ${PERIOD_NS} [get_ports clk]` : `create_clock -name clk -period ${PERIOD_NS}`;
    const head = [
      `read_liberty ${liberty}`,
      'read_verilog net.v',
      'link_design top',
      clock,
      'set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]',
      'set_output_delay 0 -clock clk [all_outputs]',
    ];
    let energy: number;
    let leakW: number;
    if (c.clocked) {
      const acts = Object.entries(c.ports).map(([p, d]) => `set_power_activity -input_ports [get_ports ${p}*] -activity ${d === 'const' ? 0 : 0.5}`);
      writeFileSync(join(dir, 'power.tcl'), [...head, ...acts, 'report_power -digits 8', 'exit'].join('\n'));
      const rep = run('sta', ['power.tcl'], dir);
      const m = /^Sequential\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(rep);
      if (!Number.isFinite(area) || !m) throw new Error(`${c.name}: could not read yosys area or OpenSTA power:\n${stat}\n${rep}`);
      energy = (Number(m[1]) + Number(m[2])) * PERIOD_NS * 1e-9 * 1e12;
      leakW = Number(m[3]);
    } else {
      let lib = libraries.get(liberty);
      if (!lib) libraries.set(liberty, (lib = parseLiberty(readFileSync(liberty, 'utf8'))));
      const json = JSON.parse(readFileSync(join(dir, 'net.json'), 'utf8')) as YosysJson;
      const sim = simulateActivity(json, lib, streams.steps, driver(streams, c.ports, portWidths(json)));
      const toggles = new Map<string, number[]>();
      for (const p of sim.pins) {
        const inst = p.pin.slice(0, p.pin.lastIndexOf('/'));
        if (!toggles.has(inst)) toggles.set(inst, []);
        toggles.get(inst)!.push(p.activity);
      }
      writeFileSync(join(dir, 'power.tcl'), [...head, 'set_power_activity -global -activity 1 -duty 0.5', 'report_power -digits 8', 'report_power -instances [get_cells *] -digits 8', 'exit'].join('\n'));
      const rep = run('sta', ['power.tcl'], dir);
      const m = /^Combinational\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(rep);
      if (!Number.isFinite(area) || !m) throw new Error(`${c.name}: could not read yosys area or OpenSTA power:\n${stat}\n${rep}`);
      leakW = Number(m[3]);
      energy = 0;
      let seen = 0;
      for (const line of rep.split('\n')) {
        const r = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(_\d+_)\s*$/.exec(line);
        if (!r) continue;
        const t = toggles.get(r[5]);
        if (!t) continue;
        seen++;
        const perToggle = (Number(r[1]) + Number(r[2])) * PERIOD_NS * 1e-9 * 1e12;
        energy += perToggle * (t.reduce((a, b) => a + b, 0) / t.length);
      }
      if (seen !== toggles.size) throw new Error(`${c.name}: OpenSTA reported ${seen} of ${toggles.size} instances`);
    }
    return { name: c.name, what: c.what, area_um2: area, energy_pj: energy, leakage_nw: leakW * 1e9, cells };
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
  const streams = layerStreams(q);
  const rows = circuits().map((c) => {
    process.stderr.write(`synthesising ${c.name}\n`);
    return synthesise(c, streams, liberty);
  });
  const doc = {
    description: 'Gate-level characterisation of the logic model\'s operators (scripts/synth/circuits.ts): area from yosys on the liberty library, dynamic energy per operation from OpenSTA at the measured input activities. Checked against the logic model by test/sim/logic-synthesis.test.ts.',
    source: {
      command: `node dist/scripts/synth/characterise.js --weights ${weights} --tensor ${tensor}`,
      yosys: version('yosys', '-V'),
      opensta: version('sta', '-version'),
      liberty,
      flow: `yosys: synth -top top -flatten; dfflibmap; abc -liberty -script ${ABC_SCRIPT}; stat -liberty. Combinational circuits: toggles of every net from a zero-delay simulation of the mapped netlist on the streams (scripts/synth/gate-sim.ts), energy per toggle of every instance from OpenSTA report_power -instances at one toggle per period. Registers: OpenSTA report_power from the ports' activities`,
      clock_period_ns: PERIOD_NS,
      streams: { steps: streams.steps, measured_on: `${weights} tensor ${tensor}, sop4 with HIF8 entries: the weights of its first rows in order`, activations: `seeded standard normal values in BF16 (seed ${streams.seed}), aligned per block of 16 for the HIF path`, accumulators: `fed back from the output, cleared every ${streams.every} steps (a row)`, toggles_per_bit: streamActivities(streams) },
    },
    fits: { tree_level: { ...fitTreeLevel(rows.map((r) => ({ ...r, energy_pj: Number(r.energy_pj.toPrecision(6)) }))), note: 'energy per um2 of the mux_Nx8 series = a + b log2(N) (pJ per um2); a select-tree cell of depth L costs 1 + (L - 1) b / (a + b) plain muxes: technology.json logic.tree_level' } },
    columns: ['name', 'area_um2', 'energy_pj', 'leakage_nw', 'cells', 'what'],
    rows: rows.map((r) => [r.name, r.area_um2, Number(r.energy_pj.toPrecision(6)), Number(r.leakage_nw.toPrecision(6)), r.cells, r.what]),
  };
  writeFileAtomic(out, JSON.stringify(doc, null, 1) + '\n');
  process.stderr.write(`wrote ${out}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
