// SRAM energy, leakage and area by capacity, width and node (constants and their sources: technology.json).
//   read  = s_sram(node) · (width/64) · (e_fixed + e_array · sqrt(capacity / 8 KB))      [pJ per access]
//   write = read · write_over_read
//   leak  = bits · leak_per_bit(45 nm) · s_leak(node)                                     [mW]
//   area  = bits · cell(node) / efficiency(capacity)                                      [mm²]

import type { Technology } from '../config/schema.js';

export interface SramFigures {
  read_pj: number;
  write_pj: number;
  leak_mw: number;
  area_mm2: number;
}

export function sramModel(tech: Technology, capacityBytes: number, widthBits: number, nodeNm: number): SramFigures {
  const node = tech.node_scaling[String(nodeNm)];
  if (!node) throw new Error(`node ${nodeNm} nm is not in the technology table (expected one of ${Object.keys(tech.node_scaling).join(', ')})`);
  if (!(capacityBytes > 0) || !(widthBits > 0)) throw new Error('SRAM capacity and width must be positive');
  const m = tech.sram_model;
  const read = node.sram * (widthBits / 64) * (m.e_fixed_pj.value + m.e_array_pj.value * Math.sqrt(capacityBytes / 8192));
  const bits = capacityBytes * 8;
  const doublings = Math.max(0, Math.log2(capacityBytes / 256));
  const eff = Math.min(m.array_efficiency_max.value, m.array_efficiency_min.value + m.array_efficiency_step.value * doublings);
  return {
    read_pj: read,
    write_pj: read * m.write_over_read.value,
    leak_mw: bits * m.leak_pw_per_bit_45nm.value * node.leakage * 1e-9,
    area_mm2: (bits * node.cell_um2) / eff / 1e6,
  };
}
