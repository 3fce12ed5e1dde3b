// The logic model against gate-level synthesis: the committed characterisation table
// (hw-configs/synth-osu018.json, made by scripts/synth/characterise.ts with yosys and OpenSTA on the OSU
// 0.18 um library) holds the model's relative areas and energies across widths. With yosys, OpenSTA and
// the library installed, a live synthesis must reproduce the committed table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKED_RATIOS, circuits } from '../../scripts/synth/circuits.js';
import { OSU018_LIBERTY, haveTools, synthesise, type Activities } from '../../scripts/synth/characterise.js';
import { area45 } from '../../sim/energy/logic.js';
import { loadTechnology } from '../../sim/config/load.js';
import { REPO } from '../helpers/data.js';

const doc = JSON.parse(readFileSync(join(REPO, 'hw-configs/synth-osu018.json'), 'utf8')) as { source: { activities: Activities }; columns: string[]; rows: unknown[][] };
const col = (n: string) => doc.columns.indexOf(n);
const synth = Object.fromEntries(doc.rows.map((r) => [r[0] as string, { area: r[col('area_um2')] as number, energy: r[col('energy_pj')] as number }]));
const tech = loadTechnology(join(REPO, 'hw-configs/technology.json'));
const model = Object.fromEntries(circuits().map((c) => [c.name, area45(tech.logic, c.model)]));
const TOOLS = haveTools();
if (!TOOLS) console.warn(`[skip] live synthesis: yosys, OpenSTA (sta) or ${OSU018_LIBERTY} not found (Debian: apt-get install yosys opensta qflow-tech-osu018)`);

/**
 * The model's energy is proportional to switched cell area. Synthesis agrees across multiplier and adder
 * widths; it finds deep mux trees and the floating-point alignment and normalisation logic of the BF16
 * path switching more per um2 than the arithmetic arrays (docs/MODEL.md §8, "Logic"): those energy ratios
 * are held to the bounds measured today so the gap cannot silently widen, and named in the docs.
 */
const ENERGY_WITHIN_25 = new Set(['mult_4x8/mult_8x8', 'mult_16x16/mult_8x8', 'add_32/add_8']);
const ENERGY_KNOWN_GAP: Record<string, [number, number]> = { 'mux_64x8/mux_16x8': [0.55, 0.75], 'mac_bf16/mac_hif8': [0.22, 0.35] };

describe('logic model against synthesis (OSU 0.18 um, yosys + OpenSTA)', () => {
  for (const [a, b] of CHECKED_RATIOS) {
    const key = `${a}/${b}`;
    it(`${key}: relative area within 25 %`, () => {
      const m = model[a] / model[b];
      const s = synth[a].area / synth[b].area;
      expect(m / s).toBeGreaterThan(0.75);
      expect(m / s).toBeLessThan(1.25);
    });
    it(`${key}: relative energy ${ENERGY_WITHIN_25.has(key) ? 'within 25 %' : 'within its measured gap'}`, () => {
      const r = model[a] / model[b] / (synth[a].energy / synth[b].energy);
      const [lo, hi] = ENERGY_WITHIN_25.has(key) ? [0.75, 1.25] : ENERGY_KNOWN_GAP[key];
      expect(r).toBeGreaterThan(lo);
      expect(r).toBeLessThan(hi);
    });
  }
  it('wider operands cost more in both, and the HIF MAC less than the BF16 MAC', () => {
    for (const m of [model, Object.fromEntries(Object.entries(synth).map(([k, v]) => [k, v.area]))]) {
      expect(m.mult_4x8).toBeLessThan(m.mult_8x8);
      expect(m.mult_8x8).toBeLessThan(m.mult_16x16);
      expect(m.mux_16x8).toBeLessThan(m.mux_64x8);
      expect(m.mac_hif8).toBeLessThan(m.mac_bf16);
    }
  });
  it('the clock share of a flip-flop in the technology table is the measured idle / active register energy', () => {
    expect(tech.logic.clock_per_dff.value).toBeCloseTo(synth.reg_32_idle.energy / synth.reg_32_active.energy, 2);
  });
  it.skipIf(!TOOLS)('a live synthesis reproduces the committed table (multipliers, mux tree, HIF MAC)', () => {
    for (const c of circuits().filter((x) => ['mult_4x8', 'mult_8x8', 'mux_16x8', 'mac_hif8'].includes(x.name))) {
      const r = synthesise(c, doc.source.activities);
      expect(r.area_um2, c.name).toBeCloseTo(synth[c.name].area, 6);
      expect(r.energy_pj / synth[c.name].energy, c.name).toBeCloseTo(1, 3);
    }
  }, 120_000);
});
