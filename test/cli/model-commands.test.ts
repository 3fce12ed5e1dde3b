// quantize-model and stats end to end: outputs, the trace they write, and bad input.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWeights } from '../../quant/io/load.js';
import { sopsim } from '../helpers/cli.js';
import { f32Bytes, writeSafetensors } from '../helpers/files.js';

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

describe('checkpoints as they ship: shards, an index, a folder', () => {
  it('a two-shard checkpoint quantized as a folder and through its index gives the single file\'s layers and choices under one global budget', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const names = ['model.layers.0.self_attn.q_proj.weight', 'model.layers.0.mlp.up_proj.weight', 'model.layers.1.self_attn.q_proj.weight', 'model.layers.1.mlp.up_proj.weight'];
    const tensors = Object.fromEntries(names.map((n, i) => [n, { dtype: 'F32' as const, shape: [32, 64], data: f32Bytes(Array.from({ length: 32 * 64 }, (_, k) => Math.sin(k * 0.37 + i) * (1 + (k % 7 === 0 ? 4 * i : 0)) * 0.02)) }]));
    writeSafetensors(join(dir, 'single.safetensors'), tensors);
    const ck = join(dir, 'ckpt');
    mkdirSync(ck);
    const half = (a: number, b: number) => Object.fromEntries(names.slice(a, b).map((n) => [n, tensors[n]]));
    writeSafetensors(join(ck, 'model-00001-of-00002.safetensors'), half(0, 2));
    writeSafetensors(join(ck, 'model-00002-of-00002.safetensors'), half(2, 4));
    writeFileSync(join(ck, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: Object.fromEntries(names.map((n, i) => [n, `model-0000${i < 2 ? 1 : 2}-of-00002.safetensors`])) }));
    writeFileSync(join(ck, 'config.json'), JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 32000 }));
    const run = (input: string[], out: string) => {
      const r = sopsim(['quantize-model', ...input, '--budget-bpw', '5', '--out', join(dir, out), '--json', '--workers', '1']);
      expect(r.code, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout);
      return { layers: m.layers.map((l: { layer: string; choice: string; bpw: number }) => [l.layer, l.choice, l.bpw]), bpw: m.achieved_bpw, architecture: m.architecture, stderr: r.stderr };
    };
    const single = run([join(dir, 'single.safetensors')], 'a');
    const folder = run([ck], 'b');
    const index = run([join(ck, 'model.safetensors.index.json')], 'c');
    const shards = run([join(ck, 'model-00001-of-00002.safetensors'), join(ck, 'model-00002-of-00002.safetensors')], 'd');
    expect(single.layers.map((l: string[]) => l[0])).toEqual(names);
    for (const r of [folder, index, shards]) {
      expect(r.layers).toEqual(single.layers);
      expect(r.bpw).toBe(single.bpw);
      // config.json beside the checkpoint: read, checked against the weights, printed and recorded
      expect(r.architecture).toMatchObject({ model_type: 'llama', architectures: ['LlamaForCausalLM'], num_hidden_layers: 2, hidden_size: 64, num_key_value_heads: 4 });
      expect(r.stderr).toMatch(/config\.json: llama \(LlamaForCausalLM\), 2 layers, hidden 64, intermediate 32, 4 heads, vocabulary 32000/);
    }
    expect(single.architecture).toBeNull();
    // each packed layer names the shard that holds its weights, relative to the output: move both, the baseline still finds them
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    renameSync(ck, join(moved, 'ckpt'));
    renameSync(join(dir, 'b'), join(moved, 'b'));
    const rp = sopsim(['replay', join(moved, 'b', 'trace.json'), '--baseline', 'fp8-e4m3', '--json']);
    expect(rp.code, rp.stderr).toBe(0);
    expect(rp.stderr).not.toMatch(/not found|no source/i);
    expect(JSON.parse(rp.stdout).baseline.total.weights_decoded).toBe(4 * 32 * 64);
    renameSync(join(moved, 'ckpt'), ck);
    // a config.json of another model is refused, naming the field
    writeFileSync(join(ck, 'config.json'), JSON.stringify({ hidden_size: 64, intermediate_size: 32, num_hidden_layers: 32 }));
    const other = sopsim(['quantize-model', ck, '--budget-bpw', '5', '--out', join(dir, 'e')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/config\.json: field 'num_hidden_layers': 32, but the weights hold 2 decoder blocks/);
    const mixed = sopsim(['quantize-model', join(ck, 'model-00001-of-00002.safetensors'), join(dir, 'x.npy'), '--budget-bpw', '5', '--out', join(dir, 'f')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/x\.npy: several weight files must all be safetensors shards/);
    // an index pointing at a missing shard, or a tensor in two shards, is one line naming the file
    writeFileSync(join(ck, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { [names[0]]: 'gone.safetensors' } }));
    const bad = sopsim(['quantize', join(ck, 'model.safetensors.index.json'), '-s', 'sop4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/model\.safetensors\.index\.json: shard 'gone\.safetensors' \(of tensor 'model\.layers\.0\.self_attn\.q_proj\.weight'\) not found beside the index/);
  }, 120_000);
});

describe('F8_E4M3 safetensors', () => {
  it('are read as OCP E4M3 values (PyTorch float8_e4m3fn): 0x38 = 1, 0xC0 = -2, 0x7E = 448', () => {
    const dir = mkdtempSync(join(tmpdir(), 'f8-'));
    const codes = new Uint8Array(16 * 32).map((_, i) => [0x38, 0xc0, 0x7e, 0x01][i % 4]);
    const f = join(dir, 'f8.safetensors');
    writeSafetensors(f, { w: { dtype: 'F8_E4M3' as 'F32', shape: [16, 32], data: codes } });
    const t = openWeights(f).read('w');
    expect(Array.from(t.data.subarray(0, 4))).toEqual([1, -2, 448, 2 ** -9]);
    expect(sopsim(['quantize', f, '-s', 'e4m3-pot', '--json']).code).toBe(0);
  });
});

describe('one layer policy in every command', () => {
  it('quantize, simulate and quantize-model take the linear layers, leave out embeddings and lm_head, and say so; --tensor runs one anyway', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const m = (seed: number) => ({ dtype: 'F32' as const, shape: [16, 64], data: f32Bytes(Array.from({ length: 16 * 64 }, (_, k) => Math.sin(k * 0.7 + seed) * 0.02)) });
    const f = join(dir, 'm.safetensors');
    writeSafetensors(f, { 'model.embed_tokens.weight': m(1), 'model.layers.0.self_attn.q_proj.weight': m(2), 'model.norm.weight': { dtype: 'F32', shape: [64], data: f32Bytes(Array(64).fill(1)) }, 'lm_head.weight': m(3) });
    for (const args of [['quantize', f, '-s', 'sop4', '--json'], ['simulate', f, '--json']]) {
      const r = sopsim(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/2 tensors left out by the layer policy \(embeddings, norms, lm_head\): model\.embed_tokens\.weight, lm_head\.weight/);
    }
    expect(sopsim(['quantize', f, '-s', 'sop4', '--json']).stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(sopsim(['simulate', f, '--json']).stdout).layers).toBe(1);
    expect(JSON.parse(sopsim(['simulate', f, '-t', 'lm_head.weight', '--json']).stdout).layers).toBe(1);
  });
});
