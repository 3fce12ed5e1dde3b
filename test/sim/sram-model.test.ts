// The SRAM model: the CACTI 7 table and its interpolation, checked against CACTI runs left out of the
// grid (test/golden/sram-cacti-holdout.json, made by scripts/cacti/grid.ts), and what ports and banks cost.
import { existsSync, readFileSync } from 'node:fs';
import { fitAnchors } from '../../sim/energy/logic.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTechnology, sramModelOf } from '../../sim/config/load.js';
import { runCacti } from '../../sim/energy/cacti.js';
import { SramTable } from '../../sim/energy/sram-model.js';
import { REPO } from '../helpers/data.js';
import { sopsim } from '../helpers/cli.js';

const techPath = join(REPO, 'hw-configs', 'technology.json');
const table = SramTable.load(join(REPO, 'hw-configs', 'sram-cacti.json'));
const holdout = JSON.parse(readFileSync(join(REPO, 'test/golden/sram-cacti-holdout.json'), 'utf8')) as { columns: string[]; points: number[][] };
const col = (name: string) => holdout.columns.indexOf(name);
const CACTI = process.env.SOPSIM_CACTI && existsSync(process.env.SOPSIM_CACTI) ? process.env.SOPSIM_CACTI : null;
if (!CACTI) console.warn('[skip] live CACTI comparisons: set SOPSIM_CACTI to a CACTI 7 binary built from HewlettPackard/cacti');

/** The largest ratio (either way) between the table's figure and CACTI's on the held-out points in a range. */
function worst(figure: string, keep: (p: number[]) => boolean): { ratio: number; at: number[] | null; n: number } {
  let ratio = 1;
  let at: number[] | null = null;
  let n = 0;
  for (const p of holdout.points.filter(keep)) {
    const q = { capacityBytes: p[0], widthBits: p[1], ports: p[2], banks: p[3], nodeNm: p[4] };
    const got = table.figures(q)[figure as 'read_pj'];
    const want = p[col(figure)];
    const r = Math.max(got / want, want / got);
    n++;
    if (r > ratio) {
      ratio = r;
      at = p;
    }
  }
  return { ratio, at, n };
}

describe('SRAM model (CACTI 7 table)', () => {
  const inRange = (p: number[]) => p[0] >= 256 && p[1] >= 64 && p[1] <= 256 && p[4] >= 22 && p[4] <= 45;
  it('read energy within 1.25x of CACTI on held-out configurations (256 B-1 MB, 64-256-bit ports, 1-2 ports, 1-4 banks, 22-45 nm)', () => {
    const w = worst('read_pj', inRange);
    expect(w.n).toBeGreaterThan(50);
    expect(w.ratio, `worst at ${JSON.stringify(w.at)}`).toBeLessThan(1.25);
  });
  it('write energy, leakage, area and access time stay near CACTI too', () => {
    for (const [f, bound] of [['write_pj', 1.25], ['leak_mw', 1.5], ['area_mm2', 1.5], ['access_ns', 1.5]] as const) {
      const w = worst(f, inRange);
      expect(w.ratio, `${f}: worst at ${JSON.stringify(w.at)}`).toBeLessThan(bound);
    }
  });
  it('gives CACTI\'s own figures at grid points', () => {
    const doc = JSON.parse(readFileSync(join(REPO, 'hw-configs', 'sram-cacti.json'), 'utf8')) as { columns: string[]; points: number[][] };
    for (const p of doc.points.filter((_, i) => i % 97 === 0)) {
      const r = table.figures({ capacityBytes: p[0], widthBits: p[1], ports: p[2], banks: p[3], nodeNm: p[4] });
      expect(r.read_pj / p[doc.columns.indexOf('read_pj')]).toBeCloseTo(1, 9);
      expect(r.area_mm2 / p[doc.columns.indexOf('area_mm2')]).toBeCloseTo(1, 9);
    }
  });
  it('a second port costs energy and area; at 45 nm, banks cut a large array\'s access energy and add area', () => {
    const q = { capacityBytes: 262144, widthBits: 64, ports: 1, banks: 1, nodeNm: 45 };
    const one = table.figures(q);
    const two = table.figures({ ...q, ports: 2 });
    expect(two.read_pj).toBeGreaterThan(one.read_pj);
    expect(two.area_mm2).toBeGreaterThan(one.area_mm2);
    const banked = table.figures({ ...q, banks: 4 });
    expect(banked.read_pj).toBeLessThan(one.read_pj);
    expect(banked.area_mm2).toBeGreaterThan(one.area_mm2);
  });
  it('more ports than the table holds are copies of 2-port arrays: same access energy, area and leakage per copy', () => {
    const m = sramModelOf(techPath, loadTechnology(techPath));
    const q = { capacityBytes: 4096, widthBits: 64, ports: 2, banks: 1, nodeNm: 22 };
    const two = m.figures(q);
    const eight = m.figures({ ...q, ports: 8 });
    expect(eight.read_pj).toBe(two.read_pj);
    expect(eight.area_mm2).toBeCloseTo(4 * two.area_mm2, 12);
    expect(eight.source).toMatch(/4 copies of 2-port arrays/);
  });
  it('says how it got each figure: interpolated, or a flip-flop array where CACTI has no organisation', () => {
    const m = sramModelOf(techPath, loadTechnology(techPath));
    expect(m.figures({ capacityBytes: 4096, widthBits: 64, ports: 1, banks: 1, nodeNm: 22 }).source).toMatch(/a grid point/);
    expect(m.figures({ capacityBytes: 5000, widthBits: 64, ports: 1, banks: 1, nodeNm: 28 }).source).toMatch(/interpolated between \d+ grid points/);
    expect(m.figures({ capacityBytes: 17, widthBits: 8, ports: 2, banks: 4, nodeNm: 22 }).source).toMatch(/flip-flop array/); // one 16-entry HIF8 table
    expect(m.figures({ capacityBytes: 192, widthBits: 256, ports: 1, banks: 1, nodeNm: 22 }).source).toMatch(/flip-flop array/); // 6 words of 256 bits
  });
  it('a flip-flop array costs more to read with more entries and wider words, and its area grows with its bits', () => {
    const m = sramModelOf(techPath, loadTechnology(techPath));
    const f = (capacityBytes: number, widthBits: number) => m.figures({ capacityBytes, widthBits, ports: 1, banks: 1, nodeNm: 45 });
    // 16 entries x 8 bits: a read switches a 15-mux tree of depth 4 per bit (each mux weighted by
    // 1 + tree_level x 3), a write captures 8 flip-flops, at the logic model's energy per um2 of (45 nm) cell area
    const tech = loadTechnology(techPath).logic;
    const k = fitAnchors(tech).k;
    expect(f(16, 8).read_pj).toBeCloseTo(8 * 15 * 1.862 * (1 + 3 * tech.tree_level.value) * k, 12);
    expect(f(16, 8).write_pj).toBeCloseTo(8 * 4.522 * k, 12);
    expect(f(32, 8).read_pj).toBeGreaterThan(f(16, 8).read_pj);
    expect(f(48, 12).read_pj).toBeGreaterThan(f(32, 8).read_pj); // 32 entries either way, wider words
    expect(f(32, 8).area_mm2).toBeGreaterThan(f(16, 8).area_mm2);
    expect(f(16, 8).area_mm2).toBeCloseTo((128 * 4.522 + 8 * 15 * 1.862) / 1e6, 12);
  });
  it.skipIf(!CACTI)('matches a live CACTI run at held-out points (SOPSIM_CACTI)', () => {
    for (const p of holdout.points.slice(0, 4)) {
      const r = runCacti(CACTI!, { capacityBytes: p[0], widthBits: p[1], ports: p[2], banks: p[3], nodeNm: p[4] });
      expect(r.read_pj / p[col('read_pj')]).toBeCloseTo(1, 6);
    }
  });
  it('sopsim sram-model --json prints every figure and its source; sizes take suffixes; bad values exit 2', () => {
    const r = sopsim(['sram-model', '--capacity', '8K', '--width', '64', '--node', '45', '--ports', '2', '--banks', '2', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(Object.keys(o).sort()).toEqual(['access_ns', 'area_mm2', 'cycle_ns', 'leak_mw', 'read_pj', 'source', 'write_pj']);
    expect(o.read_pj).toBeCloseTo(table.figures({ capacityBytes: 8192, widthBits: 64, ports: 2, banks: 2, nodeNm: 45 }).read_pj, 9);
    const bad = sopsim(['sram-model', '--capacity', '-5', '--width', '8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--capacity: expected a size in bytes/);
    expect(sopsim(['sram-model', '--capacity', '4K', '--width', '8', '--ports', '0']).stderr).toMatch(/--ports: expected a whole number from 1 to 1024, got 0/);
    const noCacti = sopsim(['sram-model', '--capacity', '4K', '--width', '8', '--cacti', '/nonexistent/cacti']);
    expect(noCacti.code).toBe(2);
    expect(noCacti.stderr).toMatch(/--cacti \/nonexistent\/cacti: no such file/);
  });
});
