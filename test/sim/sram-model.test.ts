// The SRAM size/width model against the published figures it was fitted to, and its shape.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTechnology } from '../../sim/config/load.js';
import { sramModel } from '../../sim/energy/sram-model.js';
import { REPO } from '../helpers/data.js';
import { sopsim } from '../helpers/cli.js';

const tech = loadTechnology(join(REPO, 'hw-configs', 'technology.json'));

describe('SRAM model', () => {
  it('reproduces the Horowitz ISSCC 2014 45 nm cache energies (64-bit access) it was fitted to', () => {
    const within = (x: number, want: number, tol: number) => expect(Math.abs(x / want - 1)).toBeLessThan(tol);
    within(sramModel(tech, 8 * 1024, 64, 45).read_pj, 10, 0.05);
    within(sramModel(tech, 32 * 1024, 64, 45).read_pj, 20, 0.05);
    within(sramModel(tech, 1024 * 1024, 64, 45).read_pj, 100, 0.1);
  });
  it('grows with capacity and width, shrinks with the node; leakage and area grow with bits', () => {
    let prev = sramModel(tech, 256, 32, 22);
    for (let c = 512; c <= 65536; c *= 2) {
      const r = sramModel(tech, c, 32, 22);
      expect(r.read_pj).toBeGreaterThan(prev.read_pj);
      expect(r.leak_mw).toBeGreaterThan(prev.leak_mw);
      expect(r.area_mm2).toBeGreaterThan(prev.area_mm2);
      prev = r;
    }
    expect(sramModel(tech, 4096, 64, 22).read_pj).toBeCloseTo(2 * sramModel(tech, 4096, 32, 22).read_pj, 12);
    expect(sramModel(tech, 4096, 32, 22).read_pj).toBeLessThan(sramModel(tech, 4096, 32, 45).read_pj);
    expect(sramModel(tech, 4096, 32, 22).area_mm2).toBeLessThan(sramModel(tech, 4096, 32, 45).area_mm2);
  });
  it('stays in a plausible band for 256 B to 64 KB (per-bit read energy between 2 and 600 fJ at 22-45 nm)', () => {
    for (const node of [22, 45])
      for (let c = 256; c <= 65536; c *= 4) {
        const perBit = sramModel(tech, c, 64, node).read_pj / 64;
        expect(perBit).toBeGreaterThan(0.002);
        expect(perBit).toBeLessThan(0.6);
      }
  });
  it('rejects an unknown node', () => {
    expect(() => sramModel(tech, 1024, 8, 5)).toThrow(/node 5 nm is not in the technology table/);
  });
  it('sopsim sram-model --json prints the four figures', () => {
    const r = sopsim(['sram-model', '--capacity', '8192', '--width', '64', '--node', '45', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(Object.keys(o).sort()).toEqual(['area_mm2', 'leak_mw', 'read_pj', 'write_pj']);
    expect(o.read_pj).toBeCloseTo(10, 6);
    const bad = sopsim(['sram-model', '--capacity', '-5', '--width', '8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--capacity: expected a positive number/);
  });
});
