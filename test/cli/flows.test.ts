// The three flows users come for: replay traces, sweep parameters (sharded and merged), report in HTML.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { sopsim } from '../helpers/cli.js';
import { REPO } from '../helpers/data.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureChromium } from '../helpers/chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'flows-'));
const BIG = join(REPO, 'traces', 'llama-7b-decode.json');
const TINY = join(REPO, 'traces', 'tiny-2layer.json');
const SIZES = '256,512,1024,2048,4096,8192,16384,32768,65536';

describe('bundled traces and replay', () => {
  it('the tiny trace replays layer by layer with totals, on SOP+HIF and FP8', () => {
    const r = sopsim(['replay', TINY, '--baseline', 'fp8-e4m3', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.layers.length).toBe(14);
    expect(o.baseline.layers.length).toBe(14);
    const sum = o.layers.reduce((s: number, l: { cycles: number }) => s + l.cycles, 0);
    expect(sum).toBe(o.total.cycles);
    expect(o.layers.map((l: { scheme: string }) => l.scheme)).toContain('E2M3sUE4M4');
    expect(o.ratio.energy_pj.total).toBeLessThan(1);
  });
  it('the 32-layer 4096-hidden trace is 224 layers and about 6.5 billion weights', () => {
    const r = sopsim(['simulate', BIG, '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.layers).toBe(224);
    expect(o.weights_decoded).toBe(32 * (4 * 4096 * 4096 + 3 * 4096 * 11008));
  });
  it('bad traces fail naming the field', () => {
    const t = join(dir, 'bad.json');
    writeFileSync(t, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 'x', synthetic_model: { model: 'llama-7b', scheme: 'fp5' } }));
    const r = sopsim(['replay', t]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: field 'synthetic_model\.scheme': unknown scheme 'fp5'/);
    writeFileSync(t, JSON.stringify({ format: 'sopsim-trace', version: 2, name: 'x', layers: [] }));
    expect(sopsim(['replay', t]).stderr).toMatch(/field 'version'/);
  });
});

describe('sweeps', () => {
  const full = join(dir, 'lut.csv');
  let rows: Array<Record<string, string>> = [];
  beforeAll(() => {
    const r = sopsim(['sweep', BIG, '--set', `lut.capacity_bytes=${SIZES}`, '--out', full]);
    expect(r.code).toBe(0);
    rows = parse(readFileSync(full, 'utf8'), { columns: true });
  });
  it('9 LUT SRAM sizes on the 32-layer trace: one row per point, reloads never rise with capacity', () => {
    expect(rows.length).toBe(9);
    expect(rows.map((r) => Number(r['lut.capacity_bytes']))).toEqual(SIZES.split(',').map(Number));
    for (let i = 1; i < rows.length; i++) expect(Number(rows[i].lut_reloads)).toBeLessThanOrEqual(Number(rows[i - 1].lut_reloads));
    for (const k of ['cycles', 'stall_lut_reload', 'dram_bytes', 'energy_total_pj', 'energy_pj_per_weight', 'ratio_energy_total', 'baseline_cycles']) expect(rows[0]).toHaveProperty(k);
    // at the bundled 8 KB the 64 lane copies fit; at 256 B three copies serve 64 lanes and the groups wait
    expect(Number(rows[5].ratio_energy_total)).toBeGreaterThan(0.5);
    expect(Number(rows[5].ratio_energy_total)).toBeLessThan(0.8);
    expect(Number(rows[0].stall_lut_port)).toBeGreaterThan(0);
    expect(Number(rows[5].stall_lut_port)).toBe(0);
    expect(Number(rows[0].ratio_energy_total)).toBeGreaterThan(Number(rows[5].ratio_energy_total));
  });
  it('shards merged give exactly the unsharded CSV', () => {
    const parts = [0, 1, 2].map((i) => {
      const p = join(dir, `shard${i}.csv`);
      expect(sopsim(['sweep', BIG, '--set', `lut.capacity_bytes=${SIZES}`, '--out', p, '--shard', `${i}/3`, '--workers', '1']).code).toBe(0);
      return p;
    });
    const merged = join(dir, 'merged.csv');
    expect(sopsim(['merge', parts[2], parts[0], parts[1], '--out', merged]).code).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(full, 'utf8'));
    const r = sopsim(['merge', parts[0], parts[1], '--out', join(dir, 'partial.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/points missing: 2, 5, 8/);
  });
  it('the cartesian product of several --set axes', () => {
    const p = join(dir, 'grid.csv');
    expect(sopsim(['sweep', TINY, '--set', 'lut.replicas=1,8', '--set', 'unpacker.lanes=32,64', '--out', p, '--baseline', 'none']).code).toBe(0);
    const g = parse(readFileSync(p, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(g.map((r) => `${r['lut.replicas']}/${r['unpacker.lanes']}`)).toEqual(['1/32', '1/64', '8/32', '8/64']);
    expect(Number(g[1].stall_lut_port)).toBeGreaterThan(0);
  });
  it('bad input: unknown --set path, non-numeric value, malformed trace: exit 2, no CSV', () => {
    const out = join(dir, 'never.csv');
    let r = sopsim(['sweep', TINY, '--set', 'lut.size=1,2', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--set lut\.size: no field 'lut\.size'/);
    r = sopsim(['sweep', TINY, '--set', 'lut.capacity_bytes=256,big', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lut\.capacity_bytes'?: .*expected number.*big/);
    const bad = join(dir, 'malformed.json');
    writeFileSync(bad, '{"format": "sopsim-trace", "version": 1, "name": "x", "layers": [{"tokens": -1, "sopw": "a.sopw"}]}');
    r = sopsim(['sweep', bad, '--set', 'lut.capacity_bytes=256', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/malformed\.json: field 'layers\.0\.tokens'/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('HTML report in headless Chromium', () => {
  const skip = (() => {
    try {
      return ensureChromium();
    } catch (e) {
      return `chromium install failed: ${(e as Error).message}`;
    }
  })();
  if (skip) console.warn(`[skip] HTML report test: ${skip}`);
  it.skipIf(!!skip)('loads with no console error and draws every chart', async () => {
    const model = join(dir, 'model');
    expect(sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--out', model]).code).toBe(0);
    const replay = join(dir, 'replay.csv');
    expect(sopsim(['replay', join(model, 'trace.json'), '--baseline', 'fp8-e4m3', '--csv', replay]).code).toBe(0);
    const sweep = join(dir, 'r-sweep.csv');
    expect(sopsim(['sweep', TINY, '--set', 'lut.capacity_bytes=256,1024,4096', '--out', sweep]).code).toBe(0);
    const html = join(dir, 'report.html');
    const r = sopsim(['report', sweep, replay, join(model, 'manifest.json'), '-o', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/WARN/); // Vega-Lite warns of a spec it had to change (a log axis here)
    const text = readFileSync(html, 'utf8');
    // static: nothing runs, nothing is fetched (booleans: a failure would print the whole page)
    expect(/<script/i.test(text)).toBe(false);
    expect(/(src|href)="https?:/i.test(text)).toBe(false);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${html}`);
      // every chart: an SVG with its marks laid out at a real size, and a table of its numbers underneath
      const figures = await page.evaluate(() =>
        [...document.querySelectorAll('figure')].map((f) => {
          const svg = f.querySelector('svg')!;
          const box = svg.getBoundingClientRect();
          return { id: f.id, w: box.width, h: box.height, marks: svg.querySelectorAll('path, line, rect, circle').length, rows: f.querySelectorAll('tbody tr').length };
        }),
      );
      expect(figures.map((f) => f.id)).toEqual([
        'sweep-ratio-energy', 'sweep-ratio-cycles', 'sweep-energy-total', 'sweep-energy-on-chip', 'sweep-energy-lut',
        'sweep-on-chip-blocks', 'sweep-stalls', 'sweep-lut-reloads', 'sweep-area', 'per-layer-layers-energy', 'manifest-error-bpw',
      ]);
      for (const f of figures) {
        expect(f.w, f.id).toBeGreaterThan(200);
        expect(f.h, f.id).toBeGreaterThan(150);
        expect(f.marks, f.id).toBeGreaterThan(5);
        expect(f.rows, f.id).toBeGreaterThan(0);
      }
      if (process.env.SOPSIM_SCREENSHOTS) for (const f of figures) await page.locator(`#${f.id}`).screenshot({ path: join(process.env.SOPSIM_SCREENSHOTS, `${f.id}.png`) });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
