// The README's three uses, run as written: every command of the blocks marked `<!-- readme-test: use-N -->`,
// in order, from a fresh folder beside the bundled checkpoint (examples/stories260K), `npx sopsim` being this build.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'dist', 'scripts', 'cli', 'sopsim.js');

/** The commands of each marked block, in README order. */
function readmeUses(): Array<{ use: string; commands: string[] }> {
  const text = readFileSync(join(REPO, 'README.md'), 'utf8');
  return [...text.matchAll(/<!-- readme-test: (use-\d+) -->\n```sh\n([\s\S]*?)```/g)].map((m) => ({
    use: m[1],
    commands: m[2].split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')),
  }));
}

describe("the README's three uses, from a real checkpoint", () => {
  const uses = readmeUses();
  const dir = mkdtempSync(join(tmpdir(), 'readme-'));
  symlinkSync(join(REPO, 'examples'), join(dir, 'examples'));
  symlinkSync(join(REPO, 'traces'), join(dir, 'traces'));

  it('the README marks three uses, each of sopsim commands', () => {
    expect(uses.map((u) => u.use)).toEqual(['use-1', 'use-2', 'use-3']);
    for (const u of uses) for (const c of u.commands) expect(c, u.use).toMatch(/^npx sopsim [a-z-]+ /);
  });

  for (const u of uses)
    it(`${u.use}: every command runs as written`, () => {
      for (const c of u.commands) {
        const r = spawnSync('sh', ['-c', c.replace(/^npx sopsim /, `"${process.execPath}" "${CLI}" `)], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
        expect(r.status, `${c}\n${r.stderr}`).toBe(0);
      }
    }, 300_000);

  it('and they write what the README says', () => {
    const csv = (f: string) => parse(readFileSync(join(dir, f), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    // 1: one total row, SOP against FP8 on the same 35 layers
    const c = csv('sop4-vs-fp8.csv');
    expect(c).toHaveLength(1);
    expect(c[0].baseline).toBe('fp8-e4m3');
    expect(Number(c[0].weights_decoded)).toBe(5 * (64 * 64 * 2 + 32 * 64 * 2 + 172 * 64 * 3));
    // 2: the model at 5 bpw, every layer replayed beside the baseline
    const m = JSON.parse(readFileSync(join(dir, 'q', 'manifest.json'), 'utf8'));
    expect(m.layers).toHaveLength(35);
    expect(m.achieved_bpw).toBeLessThanOrEqual(5);
    expect(m.architecture.num_hidden_layers).toBe(5);
    expect(csv('replay.csv').map((r) => r.row).filter((r) => r === 'layer')).toHaveLength(35);
    // 3: ten points, the 64 B LUT infeasible (it cannot hold the FP6 table), the rest run; one SVG and PNG per chart
    const s = csv('lut.csv');
    expect(s).toHaveLength(10);
    expect(s.filter((r) => r.status.startsWith('infeasible')).map((r) => r['lut.capacity_bytes'])).toEqual(['64', '64']);
    const svgs = readdirSync(join(dir, 'figures')).filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThanOrEqual(10);
    expect(readdirSync(join(dir, 'figures')).filter((f) => f.endsWith('.png'))).toHaveLength(svgs.length);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/<figure id="manifest-error-bpw">/);
  }, 60_000);
});
