// llama.cpp importance matrices, read from files built here byte by byte from the formats as llama.cpp writes
// them (tools/imatrix: the legacy .dat and the GGUF form), and used as activation statistics end to end.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readActivationStats } from '../../quant/io/activations.js';
import { hfName, readImatrix } from '../../quant/io/imatrix.js';
import { sopsim } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'imatrix-'));

/** Little-endian bytes, appended piece by piece. */
class Bytes {
  private parts: Buffer[] = [];
  i32(v: number) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.parts.push(b); return this; }
  u32(v: number) { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.parts.push(b); return this; }
  u64(v: number) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.parts.push(b); return this; }
  f32(vs: number[]) { const b = Buffer.alloc(4 * vs.length); vs.forEach((v, i) => b.writeFloatLE(v, 4 * i)); this.parts.push(b); return this; }
  raw(b: Buffer | string) { this.parts.push(Buffer.from(b)); return this; }
  str(s: string) { return this.u64(Buffer.byteLength(s)).raw(s); } // a GGUF string: u64 length, bytes
  get length() { return this.parts.reduce((a, b) => a + b.length, 0); }
  pad(to: number) { return this.raw(Buffer.alloc((to - (this.length % to)) % to)); }
  done() { return Buffer.concat(this.parts); }
}

/** The legacy .dat: entries of (name, ncall, values = mean square x ncall), then the chunk count and the dataset. */
function legacyDat(entries: Array<{ name: string; ncall: number; meanSquares: number[] }>): Buffer {
  const b = new Bytes().i32(entries.length);
  for (const e of entries) b.i32(e.name.length).raw(e.name).i32(e.ncall).i32(e.meanSquares.length).f32(e.meanSquares.map((m) => m * e.ncall));
  return b.i32(10).i32(9).raw('calib.txt').done();
}

/** A GGUF v3 imatrix: metadata (general.type, datasets, chunk count/size), then <name>.in_sum2 / .counts / .in_sum tensors, 32-byte aligned. */
function ggufImatrix(entries: Array<{ name: string; sums: number[]; count: number; matrices?: number }>, generalType = 'imatrix'): Buffer {
  const tensors: Array<{ name: string; dims: number[]; data: number[] }> = [];
  for (const e of entries) {
    const m = e.matrices ?? 1;
    tensors.push({ name: `${e.name}.in_sum2`, dims: [e.sums.length / m, m], data: e.sums });
    tensors.push({ name: `${e.name}.counts`, dims: [1, m], data: Array(m).fill(e.count) });
    tensors.push({ name: `${e.name}.in_sum`, dims: [e.sums.length / m, m], data: e.sums.map(() => 0.5) });
  }
  const b = new Bytes().raw('GGUF').u32(3).u64(tensors.length).u64(4);
  b.str('general.type').u32(8).str(generalType);
  b.str('imatrix.datasets').u32(9).u32(8).u64(1).str('calib.txt');
  b.str('imatrix.chunk_count').u32(4).u32(10);
  b.str('imatrix.chunk_size').u32(4).u32(512);
  let offset = 0;
  for (const t of tensors) {
    b.str(t.name).u32(t.dims.length);
    for (const d of t.dims) b.u64(d);
    b.u32(0).u64(offset); // F32, offset in the data section
    offset += Math.ceil((4 * t.data.length) / 32) * 32;
  }
  b.pad(32);
  for (const t of tensors) b.f32(t.data).pad(32);
  return b.done();
}

describe('llama.cpp importance matrices', () => {
  it('GGUF names map to the checkpoint names', () => {
    expect(hfName('blk.0.attn_q.weight')).toBe('model.layers.0.self_attn.q_proj');
    expect(hfName('blk.31.attn_output.weight')).toBe('model.layers.31.self_attn.o_proj');
    expect(hfName('blk.7.ffn_down.weight')).toBe('model.layers.7.mlp.down_proj');
    expect(hfName('output.weight')).toBe('lm_head');
    expect(hfName('model.layers.0.mlp.up_proj.weight')).toBe('model.layers.0.mlp.up_proj');
  });

  it('the legacy .dat: RMS = sqrt(value / ncall) per channel', () => {
    const f = join(dir, 'a.dat');
    writeFileSync(f, legacyDat([{ name: 'blk.0.ffn_up.weight', ncall: 10, meanSquares: [4, 0.25, 0, 9] }, { name: 'blk.0.attn_k.weight', ncall: 3, meanSquares: [1, 16] }]));
    const m = readImatrix(f);
    expect([...m.get('model.layers.0.mlp.up_proj')!]).toEqual([2, 0.5, 0, 3]);
    expect([...m.get('model.layers.0.self_attn.k_proj')!]).toEqual([1, 4]);
    // without the optional trailer (older files) it reads the same
    writeFileSync(f, legacyDat([{ name: 'blk.0.ffn_up.weight', ncall: 10, meanSquares: [4, 1] }]).subarray(0, 4 + 4 + 20 + 8 + 8));
    expect([...readImatrix(f).get('model.layers.0.mlp.up_proj')!]).toEqual([2, 1]);
  });

  it('GGUF: RMS = sqrt(in_sum2 / counts) per channel; metadata of every type skipped', () => {
    const f = join(dir, 'a.gguf');
    writeFileSync(f, ggufImatrix([{ name: 'blk.1.attn_v.weight', sums: [40, 10, 0, 2.5], count: 10 }, { name: 'output.weight', sums: [64], count: 4 }]));
    const s = readActivationStats(f);
    expect([...s.layers.get('model.layers.1.self_attn.v_proj')!]).toEqual([2, 1, 0, 0.5]);
    expect([...s.layers.get('lm_head')!]).toEqual([4]);
  });

  it('bad files: one line naming what is wrong', () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['model.gguf', ggufImatrix([{ name: 'blk.0.attn_q.weight', sums: [1], count: 1 }], 'model'), /general\.type is 'model': a GGUF model, not an importance matrix/],
      ['moe.gguf', ggufImatrix([{ name: 'blk.0.ffn_up_exps.weight', sums: [1, 2, 3, 4], count: 1, matrices: 2 }]), /2 matrices \(expert weights\)/],
      ['cut.gguf', ggufImatrix([{ name: 'blk.0.attn_q.weight', sums: [1, 2], count: 1 }]).subarray(0, 60), /truncated or not an imatrix/],
      ['cut.dat', legacyDat([{ name: 'blk.0.ffn_up.weight', ncall: 1, meanSquares: [1, 2, 3] }]).subarray(0, 30), /truncated or not an imatrix/],
      ['neg.dat', legacyDat([{ name: 'blk.0.ffn_up.weight', ncall: 1, meanSquares: [1, -2] }]), /channel 1 has mean square -2/],
      ['zero.dat', new Bytes().i32(0).done(), /entry count 0/],
    ];
    for (const [name, bytes, re] of cases) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      expect(() => readImatrix(f), name).toThrow(re);
    }
  });

  it('quantize-model takes an imatrix as --stats (every linear layer of the model, by its GGUF name)', () => {
    // synthetic-model:tiny: 2 layers, hidden 256, intermediate 688
    const entries = [];
    for (let l = 0; l < 2; l++)
      for (const [t, cols] of [['attn_q', 256], ['attn_k', 256], ['attn_v', 256], ['attn_output', 256], ['ffn_gate', 256], ['ffn_up', 256], ['ffn_down', 688]] as const)
        entries.push({ name: `blk.${l}.${t}.weight`, sums: Array.from({ length: cols }, (_, i) => (i % 37 === 0 ? 400 : 1) * 512), count: 512 });
    const f = join(dir, 'tiny.gguf');
    writeFileSync(f, ggufImatrix(entries));
    const r = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--stats', f, '--out', join(dir, 'q'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).layers).toHaveLength(14);
    const missing = join(dir, 'half.gguf');
    writeFileSync(missing, ggufImatrix(entries.slice(0, 7)));
    const bad = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--stats', missing, '--out', join(dir, 'q2')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/half\.gguf: no statistics for layer 'model\.layers\.1\.self_attn\.q_proj/);
  }, 120_000);
});
