// Running CACTI 7 (HewlettPackard/cacti, built by the user) for one SRAM: the input file sopsim writes,
// and the figures it reads back. The committed table hw-configs/sram-cacti.json was made this way
// (scripts/cacti/grid.ts); `--cacti PATH` or SOPSIM_CACTI runs it for the exact configuration instead.

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface SramQuery {
  capacityBytes: number;
  /** Bits per access (the port width). */
  widthBits: number;
  /** Read-write ports. */
  ports: number;
  banks: number;
  nodeNm: number;
}

export interface CactiFigures {
  /** Dynamic energy of one read / write access (pJ). */
  read_pj: number;
  write_pj: number;
  /** Leakage of the whole array, every bank (mW). */
  leak_mw: number;
  area_mm2: number;
  access_ns: number;
  cycle_ns: number;
}

/**
 * The CACTI run every figure comes from: a scratch RAM ("cache type ram", no tags, no ECC), one
 * access moves `widthBits` (block size = bus width), ITRS high-performance cells and periphery at
 * 360 K, CACTI's default ED^2 optimisation. Values beyond these lines are CACTI 7's sample defaults.
 */
export const CACTI_SETTINGS = {
  cache_type: 'ram',
  cell_and_periphery: 'itrs-hp',
  temperature_k: 360,
  optimize: 'ED^2',
  ecc: false,
  wire: 'Global_30, semi-global inside and outside mats, conservative projection',
} as const;

export function cactiInput(q: SramQuery): string {
  const cell = CACTI_SETTINGS.cell_and_periphery;
  const lines = [
    `-size (bytes) ${q.capacityBytes}`,
    `-block size (bytes) ${Math.max(1, Math.ceil(q.widthBits / 8))}`,
    '-associativity 1',
    `-read-write port ${q.ports}`,
    '-exclusive read port 0',
    '-exclusive write port 0',
    '-single ended read ports 0',
    `-UCA bank count ${q.banks}`,
    `-technology (u) ${q.nodeNm / 1000}`,
    '-page size (bits) 8192',
    '-burst length 8',
    '-internal prefetch width 8',
    `-Data array cell type - "${cell}"`,
    `-Data array peripheral type - "${cell}"`,
    `-Tag array cell type - "${cell}"`,
    `-Tag array peripheral type - "${cell}"`,
    `-output/input bus width ${q.widthBits}`,
    `-operating temperature (K) ${CACTI_SETTINGS.temperature_k}`,
    `-cache type "${CACTI_SETTINGS.cache_type}"`,
    '-tag size (b) "default"',
    '-access mode (normal, sequential, fast) - "normal"',
    '-design objective (weight delay, dynamic power, leakage power, cycle time, area) 0:0:0:100:0',
    '-deviate (delay, dynamic power, leakage power, cycle time, area) 20:100000:100000:100000:100000',
    '-NUCAdesign objective (weight delay, dynamic power, leakage power, cycle time, area) 100:100:0:0:100',
    '-NUCAdeviate (delay, dynamic power, leakage power, cycle time, area) 10:10000:10000:10000:10000',
    `-Optimize ED or ED^2 (ED, ED^2, NONE): "${CACTI_SETTINGS.optimize}"`,
    '-Cache model (NUCA, UCA)  - "UCA"',
    '-NUCA bank count 0',
    '-Wire signaling (fullswing, lowswing, default) - "Global_30"',
    '-Wire inside mat - "semi-global"',
    '-Wire outside mat - "semi-global"',
    '-Interconnect projection - "conservative"',
    '-Core count 8',
    '-Cache level (L2/L3) - "L3"',
    '-Add ECC - "false"',
    '-Print level (DETAILED, CONCISE) - "DETAILED"',
    '-Print input parameters - "false"',
    '-Force cache config - "false"',
    '-Ndwl 1', '-Ndbl 1', '-Nspd 0', '-Ndcm 1', '-Ndsam1 0', '-Ndsam2 0',
    '-Array Power Gating - "false"', '-WL Power Gating - "false"', '-CL Power Gating - "false"',
    '-Bitline floating - "false"', '-Interconnect Power Gating - "false"', '-Power Gating Performance Loss 0.01',
    // CACTI-IO's off-chip parameters: unused for an on-chip RAM, but CACTI reads them
    '-dram_type "DDR3"', '-io state "WRITE"', '-addr_timing 1.0', '-mem_density 4 Gb', '-bus_freq 800 MHz',
    '-duty_cycle 1.0', '-activity_dq 1.0', '-activity_ca 0.5', '-num_dq 72', '-num_dqs 18', '-num_ca 25',
    '-num_clk 2', '-num_mem_dq 2', '-mem_data_width 8', '-rtt_value 10000', '-ron_value 34', '-tflight_value',
    '-num_bobs 1', '-capacity 80', '-num_channels_per_bob 1', '-first metric "Cost"', '-second metric "Bandwidth"',
    '-third metric "Energy"', '-DIMM model "ALL"', '-mirror_in_bob "F"',
  ];
  return lines.join('\n') + '\n';
}

function field(out: string, label: string): number {
  const i = out.indexOf(label);
  if (i < 0) throw new Error(`CACTI output has no '${label}'`);
  const m = /[:\s]\s*([-+0-9.eE]+)/.exec(out.slice(i + label.length, i + label.length + 60));
  if (!m) throw new Error(`CACTI output: no number after '${label}'`);
  return Number(m[1]);
}

/** Figures from CACTI's DETAILED report. */
export function parseCactiOutput(out: string, banks: number): CactiFigures {
  const hw = /Cache height x width \(mm\):\s*([0-9.eE+-]+)\s*x\s*([0-9.eE+-]+)/.exec(out);
  if (!hw) throw new Error('CACTI output has no array height x width (the configuration has no valid organisation)');
  return {
    read_pj: field(out, 'Total dynamic read energy per access (nJ)') * 1000,
    write_pj: field(out, 'Total dynamic write energy per access (nJ)') * 1000,
    leak_mw: field(out, 'Total leakage power of a bank (mW)') * banks,
    area_mm2: Number(hw[1]) * Number(hw[2]),
    access_ns: field(out, 'Access time (ns)'),
    cycle_ns: field(out, 'Cycle time (ns)'),
  };
}

/** One SRAM configuration in words, for sources and errors. */
export function describeSram(q: SramQuery): string {
  return `${q.capacityBytes} B, ${q.widthBits}-bit port, ${q.ports} port(s), ${q.banks} bank(s), ${q.nodeNm} nm`;
}

/** One SRAM configuration as a map key. */
export function sramKey(q: SramQuery): string {
  return `${q.capacityBytes}/${q.widthBits}/${q.ports}/${q.banks}/${q.nodeNm}`;
}

/** CACTI's input file for q in a fresh temporary folder, and how to remove it. */
function inputFile(q: SramQuery): { cfg: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sopsim-cacti-'));
  const cfg = join(dir, 'sram.cfg');
  writeFileSync(cfg, cactiInput(q));
  return { cfg, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

function failed(bin: string, q: SramQuery, e: unknown): Error {
  return new Error(`CACTI (${bin}) failed for ${describeSram(q)}: ${(e as Error).message.split('\n')[0]}`);
}

/** Run the CACTI binary at `bin` for one SRAM (in the binary's folder, where it finds its data files). */
export function runCacti(bin: string, q: SramQuery): CactiFigures {
  const f = inputFile(q);
  try {
    let out: string;
    try {
      out = execFileSync(bin, ['-infile', f.cfg], { cwd: dirname(bin), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    } catch (e) {
      throw failed(bin, q, e);
    }
    return parseCactiOutput(out, q.banks);
  } finally {
    f.dispose();
  }
}

const execFileAsync = promisify(execFile);

/** runCacti without blocking: several runs at once (the grid script). */
export async function runCactiAsync(bin: string, q: SramQuery): Promise<CactiFigures> {
  const f = inputFile(q);
  try {
    let out: string;
    try {
      ({ stdout: out } = await execFileAsync(bin, ['-infile', f.cfg], { cwd: dirname(bin), maxBuffer: 1 << 24, timeout: 300_000 }));
    } catch (e) {
      throw failed(bin, q, e);
    }
    return parseCactiOutput(out, q.banks);
  } finally {
    f.dispose();
  }
}
