// quantize-model and stats end to end: outputs, the trace they write, and bad input.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'qm-'));

describe('sopsim quantize-model', () => {
  it('writes one packed layer per layer, a manifest and a trace the simulator replays', () => {
    const out = join(dir, 'tiny');
    const r = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--synthetic-stats', '1', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.layers.length).toBe(14);
    expect(m.achieved_bpw).toBeLessThanOrEqual(5);
    for (const l of m.layers) {
      for (const k of ['layer', 'choice', 'bpw', 'error', 'acos']) expect(l).toHaveProperty(k);
      expect(existsSync(join(out, l.file))).toBe(true);
    }
    const sim = sopsim(['simulate', join(out, 'trace.json'), '--json']);
    expect(sim.code).toBe(0);
    const o = JSON.parse(sim.stdout);
    expect(o.layers).toBe(14);
    expect(o.weights_decoded).toBe(2 * (4 * 256 * 256 + 3 * 256 * 688));
    expect(o.counters.sparse_add.residuals).toBeGreaterThan(0);
  });
  it('gives byte-identical packed layers and manifest on one worker and on several', () => {
    const a = join(dir, 'w1');
    const b = join(dir, 'w2');
    expect(sopsim(['quantize-model', 'synthetic-model:tiny:3', '--budget-bpw', '5.5', '--out', a, '--workers', '1']).code).toBe(0);
    expect(sopsim(['quantize-model', 'synthetic-model:tiny:3', '--budget-bpw', '5.5', '--out', b, '--workers', '2']).code).toBe(0);
    expect(readFileSync(join(b, 'manifest.json')).equals(readFileSync(join(a, 'manifest.json')))).toBe(true);
    expect(readFileSync(join(b, 'trace.json')).equals(readFileSync(join(a, 'trace.json')))).toBe(true);
    const ma = JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8'));
    for (const l of ma.layers) expect(readFileSync(join(b, l.file)).equals(readFileSync(join(a, l.file)))).toBe(true);
  });
  it('refuses statistics whose shapes do not match the weights: exit 2, nothing written', () => {
    const stats = join(dir, 'bad-stats.json');
    writeFileSync(stats, JSON.stringify({ format: 'sopsim-stats', version: 1, layers: { 'model.layers.0.self_attn.q_proj': [1, 2, 3] } }));
    const out = join(dir, 'never');
    const r = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--stats', stats, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(r.stderr).toMatch(/bad-stats\.json: layer 'model\.layers\.0\.self_attn\.q_proj\.weight': 3 channels, but the weights have 256 input channels/);
    expect(existsSync(out)).toBe(false);
  });
  it('refuses a budget below the cheapest menu entry: exit 2, nothing written', () => {
    const out = join(dir, 'never2');
    const r = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '4.1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--budget-bpw 4\.1: below the cheapest menu entry/);
    expect(existsSync(out)).toBe(false);
  });
  it('refuses to overwrite a non-empty directory without --force', () => {
    const out = join(dir, 'tiny');
    const r = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exists and is not empty/);
  });
});

describe('sopsim stats and quantize --stats', () => {
  it('generates statistics that quantize uses for ACos', () => {
    const p = join(dir, 'st.json');
    expect(sopsim(['stats', 'synthetic-model:tiny', '--seed', '2', '--out', p]).code).toBe(0);
    const r = sopsim(['quantize', 'synthetic-model:tiny', '-t', 'model.layers.0.mlp.up_proj.weight', '-s', 'sop4', '--stats', p, '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.acos).toBeGreaterThan(0.99);
    expect(o.acos).toBeLessThan(1);
    const bad = sopsim(['quantize', 'synthetic:gaussian:8x64', '-s', 'sop4', '--stats', p]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no statistics for layer/);
  });
});
