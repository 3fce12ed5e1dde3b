// Findings of the independent attack and audit (issue "every input fails cleanly and every figure is what it
// says"), one regression test each, for the findings fixed so far.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sopsim } from '../helpers/cli.js';
import { REPO } from '../helpers/data.js';
import { spawnSync } from 'node:child_process';
import { f32Bytes, writeSafetensors } from '../helpers/files.js';
import { openSafetensors, readSafetensor } from '../../quant/io/safetensors.js';
import { readNpy } from '../../quant/io/npy.js';
import { npyImage } from '../../scripts/fuzz/images.js';
import { removeStaleStaging } from '../../quant/packed/atomic.js';
import { sopwImage } from '../../quant/packed/sopw.js';
import { MAX_STEPS } from '../../sim/trace/trace.js';
import { crc32 } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'audit-'));
const values = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.05);

describe('compare and replay --baseline check the source tensor against the layer', () => {
  it('a source replaced by a tensor of another shape is not used: the FP8 side decodes the layer itself', () => {
    const src = join(dir, 'w.safetensors');
    writeSafetensors(src, { w: { dtype: 'F32', shape: [32, 64], data: f32Bytes(values(32 * 64, 1)) } });
    const sopw = join(dir, 'w.sopw');
    expect(sopsim(['quantize', src, '-t', 'w', '-s', 'sop4', '-o', sopw]).code).toBe(0);
    writeSafetensors(src, { w: { dtype: 'F32', shape: [64, 172], data: f32Bytes(values(64 * 172, 2)) } });
    const r = sopsim(['compare', sopw, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/w\.sopw: its source .*w\.safetensors tensor 'w' is 64x172, the layer 32x64; not using it/);
    const o = JSON.parse(r.stdout);
    expect(o.baseline.weights_decoded).toBe(32 * 64);
    expect(o.ratio.energy_pj.total).toBeGreaterThan(0.4);
  });
});

describe('LUT residency follows the layer, not its display name', () => {
  it('two different sop4 layers named alike each load their own DD4 table; a repeated pass finds its tables resident', () => {
    const trace = (passes: number, names: [string, string]) => {
      const p = join(dir, `t-${passes}-${names.join('-')}.json`);
      writeFileSync(p, JSON.stringify({ format: 'sopsim-trace', version: 1, name: 't', passes, layers: [
        { name: names[0], weights: 'synthetic:t4:64x256:1', scheme: 'sop4' },
        { name: names[1], weights: 'synthetic:t4:64x256:2', scheme: 'sop4' },
      ] }));
      const r = sopsim(['simulate', p, '--json', '--set', 'lut.replicas=1']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).counters.lut_sram as Record<string, number>;
    };
    const distinct = trace(1, ['a', 'b']);
    expect(distinct.reloads).toBeGreaterThanOrEqual(2); // both layers' pairs hold a DD4 table
    const alike = trace(1, ['same', 'same']);
    expect(alike.reloads).toBe(distinct.reloads);
    expect(alike.writes).toBe(distinct.writes);
    // a second pass of the same two steps: every table is still resident (8 KB holds both)
    const twice = trace(2, ['same', 'same']);
    expect(twice.reloads).toBe(distinct.reloads);
    expect(twice.hits).toBeGreaterThan(distinct.hits);
  });
});

describe('outputs: links are followed, devices written through, never replaced', () => {
  const q = (out: string) => sopsim(['quantize', 'synthetic:t4:16x64:1', '-s', 'sop4', '-o', out]);
  it('a symbolic link keeps pointing at its target, which receives the file', () => {
    const target = join(dir, 'real.sopw');
    const link = join(dir, 'link.sopw');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    expect(q(link).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target).subarray(0, 4).toString()).toBe('SOPW');
  });
  it('/dev/null stays a device; /dev/full reports the full disk in one line, exit 2', () => {
    expect(q('/dev/null').code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    if (existsSync('/dev/full')) {
      const r = q('/dev/full');
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/\/dev\/full: cannot write: no space left on the device/);
      expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    }
  });
  it('a folder, or a file in a missing folder, is refused naming the path', () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    expect(q(folder).stderr).toMatch(/folder: cannot write: it is a folder/);
    const r = q(join(dir, 'missing', 'x.sopw'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\/x\.sopw: cannot write: its folder does not exist/);
  });
});

describe('safetensors files are held to the format', () => {
  // a raw image: 8-byte header length, the header text as given, the data
  const image = (header: string, data: Uint8Array) => {
    const h = Buffer.from(header, 'utf8');
    const out = Buffer.alloc(8 + h.length + data.length);
    out.writeBigUInt64LE(BigInt(h.length), 0);
    h.copy(out, 8);
    Buffer.from(data).copy(out, 8 + h.length);
    const p = join(dir, `st-${Math.abs(hash(header))}.safetensors`);
    writeFileSync(p, out);
    return p;
  };
  const hash = (s: string) => [...s].reduce((a, c) => (a * 31 + c.charCodeAt(0)) | 0, 7);
  const t = (name: string, from: number, to: number) => `"${name}": {"dtype": "F32", "shape": [1, ${(to - from) / 4}], "data_offsets": [${from}, ${to}]}`;
  const data = f32Bytes([1, 2, 3, 4]);
  it('overlapping tensors, holes, bytes after the last tensor and duplicate names are refused, naming them', () => {
    expect(() => openSafetensors(image(`{${t('a', 0, 16)}, ${t('b', 8, 16)}}`, data))).toThrow(/tensors 'a' and 'b' overlap/);
    expect(() => openSafetensors(image(`{${t('a', 0, 4)}, ${t('b', 8, 16)}}`, data))).toThrow(/bytes 4-8 of the data section belong to no tensor \(a hole before 'b'/);
    expect(() => openSafetensors(image(`{${t('a', 0, 8)}}`, data))).toThrow(/bytes 8-16 of the data section belong to no tensor \(after the last/);
    expect(() => openSafetensors(image(`{${t('a', 0, 8)}, ${t('a', 8, 16)}}`, data))).toThrow(/tensor "a" is named twice/);
    expect(() => openSafetensors(image(` {${t('a', 0, 16)}}`, data))).toThrow(/expected it to begin with '\{'/);
    // trailing spaces are the format's own padding
    expect(openSafetensors(image(`{${t('a', 0, 16)}}    `, data)).names).toEqual(['a']);
  });
  it('tensors named __proto__ or constructor are tensors like any other; an absent name is named as absent', () => {
    const f = openSafetensors(image(`{${t('__proto__', 0, 8)}, ${t('constructor', 8, 16)}}`, data));
    expect(f.names.sort()).toEqual(['__proto__', 'constructor']);
    expect(Array.from(readSafetensor(f, '__proto__').data)).toEqual([1, 2]);
    expect(Array.from(readSafetensor(f, 'constructor').data)).toEqual([3, 4]);
    const g = openSafetensors(image(`{${t('w', 0, 16)}}`, data));
    expect(() => readSafetensor(g, 'constructor')).toThrow(/no tensor named 'constructor'/);
  });
});

describe('.npy headers are read as numpy reads them', () => {
  const npy = (header: string, major = 1, minor = 0, pad = true) => {
    const img = Buffer.from(npyImage(header, f32Bytes(Array.from({ length: 16 * 32 }, (_, i) => i)), major));
    if (!pad) {
      // rewrite the header region with NUL padding instead of spaces
      const start = major === 1 ? 10 : 12;
      const len = major === 1 ? img.readUInt16LE(8) : img.readUInt32LE(8);
      Buffer.from(header + '\0'.repeat(len - header.length)).copy(img, start);
    }
    img[7] = minor;
    const p = join(dir, `h-${Math.random().toString(36).slice(2)}.npy`);
    writeFileSync(p, img);
    return p;
  };
  const good = "{'descr': '<f4', 'fortran_order': False, 'shape': (16, 32), }";
  it('a well-formed header reads; a field name that mimics the keys inside a structured descr does not fool it', () => {
    expect(readNpy(npy(good)).rows).toBe(16);
    const sneaky = "{'descr': [('x', '<f4'), (\"'descr': '<f4', 'fortran_order': True, 'shape': (16, 32)\", '<f4')], 'fortran_order': False, 'shape': (8,), }";
    expect(() => readNpy(npy(sneaky))).toThrow(/descr is not a type string \(structured arrays are not supported\)/);
  });
  it('headers numpy refuses are refused: no dict, NUL padding, version 1.9, fortran_order 1, extra keys', () => {
    expect(() => readNpy(npy("['descr', '<f4']"))).toThrow(/corrupt \.npy header: expected a dict/);
    expect(() => readNpy(npy(good, 1, 0, false))).toThrow(/corrupt \.npy header: unexpected text after the dict/);
    expect(() => readNpy(npy(good, 1, 9))).toThrow(/unsupported \.npy version 1\.9/);
    expect(() => readNpy(npy("{'descr': '<f4', 'fortran_order': 1, 'shape': (16, 32), }"))).toThrow(/fortran_order is not True or False/);
    expect(() => readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (16, 32), 'x': 1}"))).toThrow(/expected the keys descr, fortran_order and shape/);
    expect(() => readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (16, -32), }"))).toThrow(/is not a tuple of non-negative integers/);
  });
});

describe('merge takes only points of one sweep', () => {
  it('refuses point 7 of 3, point -1, "abc", 0.5 and rows of another hw-config, naming the file, row and field', () => {
    const csv = (rows: string[]) => {
      const p = join(dir, `m-${Math.random().toString(36).slice(2)}.csv`);
      writeFileSync(p, ['point,points,lut.replicas,hw,cycles', ...rows].join('\n') + '\n');
      return p;
    };
    const ok = csv(['0,3,8,sop-hif,10', '1,3,16,sop-hif,9']);
    const merge = (...files: string[]) => sopsim(['merge', ...files, '--out', join(dir, 'merged.csv'), '--allow-missing']);
    expect(merge(ok).code).toBe(0);
    for (const [row, msg] of [
      ['7,3,8,sop-hif,1', /row 2: field 'point': expected a whole number from 0 to 2, got '7'/],
      ['-1,3,8,sop-hif,1', /field 'point': expected a whole number from 0 to 2, got '-1'/],
      ['abc,3,8,sop-hif,1', /field 'point': .* got 'abc'/],
      ['0.5,3,8,sop-hif,1', /field 'point': .* got '0\.5'/],
      ['2,x,8,sop-hif,1', /field 'points': expected a whole number of at least 1, got 'x'/],
    ] as Array<[string, RegExp]>) {
      const r = merge(csv([row]));
      expect(r.code, row).toBe(2);
      expect(r.stderr, row).toMatch(msg);
    }
    const other = merge(ok, csv(['2,3,8,fp8-e4m3,1']));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/row 2: field 'hw': 'fp8-e4m3', but the sweep being merged ran on 'sop-hif'/);
  });
});

describe('--resume takes only a CSV of the same sweep', () => {
  it('refuses a CSV from another hw-config or with another baseline before running any point', () => {
    const trace = join(process.cwd(), 'traces', 'tiny-2layer.json');
    const out = join(dir, 'resume.csv');
    expect(sopsim(['sweep', trace, '--set', 'lut.replicas=8,16', '--out', out, '--workers', '1']).code).toBe(0);
    const other = sopsim(['sweep', trace, '--hw', 'sop-bf16lut', '--set', 'lut.replicas=8,16', '--out', out, '--resume', '--workers', '1']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/resume\.csv: point 0 ran on hw-config 'sop-hif', this sweep on 'sop-bf16lut'/);
    const nobase = sopsim(['sweep', trace, '--set', 'lut.replicas=8,16', '--out', out, '--resume', '--baseline', 'none', '--workers', '1']);
    expect(nobase.code).toBe(2);
    expect(nobase.stderr).toMatch(/point 0 was run with a baseline, this sweep with --baseline none/);
  });
});

describe('an output in a missing folder fails before any work', () => {
  it('sweep, simulate --csv and quantize -o say so at once, in one line, exit 2, and write nothing', () => {
    const missing = join(dir, 'no-such-folder', 'x.csv');
    const trace = join(process.cwd(), 'traces', 'tiny-2layer.json');
    for (const args of [
      ['sweep', trace, '--set', 'lut.replicas=8,16', '--out', missing],
      ['simulate', 'synthetic:t4:16x64:1', '--csv', missing],
      ['quantize', 'synthetic:t4:16x64:1', '-s', 'sop4', '-o', missing],
    ]) {
      const r = sopsim(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr.trim().split('\n'), args[0]).toHaveLength(1);
      expect(r.stderr, args[0]).toMatch(/no-such-folder\/x\.csv: cannot write: its folder does not exist/);
      expect(r.stdout, args[0]).not.toMatch(/points? in|cycles|SQNR/);
    }
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});

describe('quantize --out DIR writes every tensor or none', () => {
  it('a tensor holding a NaN stops the run with nothing in DIR; two names for one file are refused up front', () => {
    const src = join(dir, 'nan.safetensors');
    const bad = values(16 * 64, 3);
    bad[100] = NaN;
    writeSafetensors(src, { a: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 4)) }, b: { dtype: 'F32', shape: [16, 64], data: f32Bytes(bad) } });
    const out = join(dir, 'nan-out');
    const r = sopsim(['quantize', src, '-s', 'sop4', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tensor 'b': element 100 is not a finite/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('nan-out'))).toEqual([]);
    const clash = join(dir, 'clash.safetensors');
    writeSafetensors(clash, { 'x/y': { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 5)) }, x_y: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 6)) } });
    const c = sopsim(['quantize', clash, '-s', 'sop4', '--out', join(dir, 'clash-out')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/tensors 'x\/y' and 'x_y' would both be written to x_y\.sopw/);
    expect(existsSync(join(dir, 'clash-out'))).toBe(false);
    // and a good run puts every file in place
    const good = join(dir, 'good-out');
    writeSafetensors(join(dir, 'good.safetensors'), { a: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 7)) }, b: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 8)) } });
    expect(sopsim(['quantize', join(dir, 'good.safetensors'), '-s', 'sop4', '--out', good]).code).toBe(0);
    expect(readdirSync(good).sort()).toEqual(['a.sopw', 'b.sopw']);
  });
});

describe('messages keep the one-line, names-the-file promise', () => {
  it('a trace nested 10 000 deep, and a NUL byte in a trace\'s file name', () => {
    const deep = join(dir, 'deep.json');
    const d = 10000;
    writeFileSync(deep, `{"format":"sopsim-trace","version":1,"name":"t","layers":[{"weights":"synthetic:t4:16x64:1","x":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}]}`);
    const r = sopsim(['replay', deep]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deep\.json: nested more than 64 levels deep/);
    const nul = join(dir, 'nul.json');
    writeFileSync(nul, '{"format":"sopsim-trace","version":1,"name":"t","layers":[{"sopw":"a\\u0000b.sopw"}]}');
    const n = sopsim(['replay', nul]);
    expect(n.code).toBe(2);
    expect(n.stderr.trim().split('\n')).toHaveLength(1);
    expect(n.stderr).toMatch(/a\\0b\.sopw: a file name cannot hold a NUL byte/);
  });
});

describe('staging folders of killed runs are cleaned by the next run', () => {
  it('removes <out>.dir-<pid> and <out>.partial-<pid> of processes that no longer run, and leaves a running one\'s', () => {
    const out = join(dir, 'model-out');
    // a pid far above any this machine has given out (Linux pid_max is at most 2^22)
    const dead = 2 ** 22 + 12345;
    for (const n of [`model-out.dir-${dead}`, `model-out.partial-${dead}`, `model-out.dir-${process.pid}`, 'model-out.dir-1']) mkdirSync(join(dir, n), { recursive: true });
    expect(removeStaleStaging(out, 'dir')).toEqual([`model-out.dir-${dead}`]);
    expect(existsSync(join(dir, `model-out.dir-${process.pid}`))).toBe(true); // ours
    expect(existsSync(join(dir, 'model-out.dir-1'))).toBe(true); // pid 1 runs
    // quantize --out DIR cleans its own kind when it runs
    writeSafetensors(join(dir, 'two.safetensors'), { a: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 9)) }, b: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 10)) } });
    expect(sopsim(['quantize', join(dir, 'two.safetensors'), '-s', 'sop4', '--out', out]).code).toBe(0);
    expect(existsSync(join(dir, `model-out.partial-${dead}`))).toBe(false);
  });
});

describe('raw weights are quantized for the datapath\'s LUT format in every command', () => {
  it('a sweep on a shift-add LUT runs, as simulate does', () => {
    const doc = JSON.parse(readFileSync(join(process.cwd(), 'hw-configs', 'sop-hif.json'), 'utf8'));
    doc.lut.output = 'hif7sa';
    doc.technology = join(process.cwd(), 'hw-configs', 'technology.json');
    const hw = join(dir, 'hif7sa.json');
    writeFileSync(hw, JSON.stringify(doc));
    const trace = join(process.cwd(), 'traces', 'tiny-2layer.json');
    expect(sopsim(['simulate', trace, '--hw', hw, '--json']).code).toBe(0);
    const out = join(dir, 'hif7sa-sweep.csv');
    const r = sopsim(['sweep', trace, '--hw', hw, '--set', 'lut.replicas=32,64', '--out', out, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

describe('.sopw files are checked for what their CRCs cannot catch', () => {
  // a valid file with its header edited (the header CRC recomputed): CRC-consistent, semantically wrong
  const edited = (src: string, name: string, edit: (h: Record<string, any>) => void, editData?: (d: Uint8Array, h: Record<string, any>) => void): string => {
    const buf = readFileSync(src);
    const hlen = buf.readUInt32LE(8);
    const h = JSON.parse(buf.subarray(12, 12 + hlen).toString('utf8'));
    const data = new Uint8Array(buf.subarray(16 + hlen));
    edit(h);
    if (editData) {
      editData(data, h);
      let off = 0;
      for (const s of h.sections) {
        s.crc32 = crc32(data.subarray(off, off + s.length));
        off += s.length;
      }
    }
    const out = join(dir, name);
    writeFileSync(out, sopwImage(h, [data]));
    return out;
  };
  const made = (scheme: string, name: string, extra: string[] = []) => {
    const p = join(dir, name);
    expect(sopsim(['quantize', 'synthetic:t4:16x64:5', '-s', scheme, '-o', p, ...extra]).code).toBe(0);
    return p;
  };
  const refused = (file: string, pattern: RegExp) => {
    for (const cmd of [['inspect', file], ['inspect', file, '--json'], ['simulate', file]]) {
      const r = sopsim(cmd);
      expect(r.code, `${cmd.join(' ')}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  };
  const indexOf = (h: Record<string, any>) => h.sections.slice(0, h.sections.findIndex((s: { name: string }) => s.name === 'indices')).reduce((a: number, s: { length: number }) => a + s.length, 0);

  it('a NaN code of E4M3, an int book narrower than its codes, E2M1 under 6-bit codes', () => {
    const e4 = made('e4m3-pot', 'e4.sopw');
    refused(edited(e4, 'nan.sopw', () => {}, (d, h) => (d[indexOf(h) + 3] = 0x7f)), /nan\.sopw: section 'indices': weight 3 has code 127, which E4M3 \(books\[0\]\) does not define as a finite level/);
    const i8 = made('int8', 'i8.sopw');
    refused(edited(i8, 'int2.sopw', (h) => (h.books[0].bits = 2)), /int2\.sopw: section 'indices': weight \d+ has code \d+, which/);
    const fp6 = made('E2M3sUE4M4', 'fp6.sopw');
    refused(edited(fp6, 'e2m1.sopw', (h) => (h.books[0].format = 'E2M1')), /e2m1\.sopw: section 'indices': weight \d+ has code \d+, which E2M1/);
  });

  it('a ROM book of 2 levels addressed by codes 2 to 15 is refused, not decoded to zeros', () => {
    const s4 = made('sop4', 's4.sopw', ['--pair', 'NF4,BOF4']);
    const f = edited(s4, 'rom2.sopw', (h) => {
      const rom = h.books.findIndex((b: { kind: string }) => b.kind === 'rom');
      h.books[rom].levels = [-1, 1];
    });
    refused(f, /rom2\.sopw: section 'indices': weight \d+ has code \d+, which (NF4|BOF4) \(books\[\d\]\) does not define as a finite level/);
  });

  it('a tensor scale or a level that makes a weight infinite, and a zero tensor scale', () => {
    const fp6 = made('E2M3sUE4M4', 'fp6b.sopw');
    refused(edited(fp6, 'inf.sopw', (h) => (h.tensor_scale = 1e308)), /inf\.sopw: header: the largest level x block scale x tensor_scale 1e\+308 overflows/);
    refused(edited(fp6, 'zero.sopw', (h) => (h.tensor_scale = 0)), /zero\.sopw: header: field 'tensor_scale': expected a nonzero scale/);
    const s4 = made('sop4', 's4b.sopw', ['--pair', 'NF4,BOF4']);
    refused(edited(s4, 'big.sopw', (h) => (h.books[0].levels = h.books[0].levels.map((v: number) => v * 1e306))), /big\.sopw: header: the largest level/);
  });

  it('header bpw and bits must be what the contents give; books[0].name and scale are checked by the schema', () => {
    const fp6 = made('E2M3sUE4M4', 'fp6c.sopw');
    refused(edited(fp6, 'bpw.sopw', (h) => (h.bpw = 1)), /bpw\.sopw: header: field 'bpw': 1, the layer's contents give 6\.5/);
    refused(edited(fp6, 'bits.sopw', (h) => (h.bits.total += 8)), /bits\.sopw: header: field 'bits\.total'/);
    refused(edited(fp6, 'name.sopw', (h) => (h.books[0].name = 0)), /name\.sopw: header: field 'books\.0\.name'/);
    refused(edited(fp6, 'noscale.sopw', (h) => delete h.scale), /noscale\.sopw: header: field 'scale'/);
    const r = sopsim(['inspect', fp6]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bpw\s+6\.5/);
  });
});

describe('bad input exits 2, a bug exits 1, each in one line', () => {
  it('an internal error says it is a bug and asks for a report, exit 1; bad values exit 2', () => {
    const common = join(REPO, 'dist', 'scripts', 'cli', 'common.js');
    const bug = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(common)}).then((m) => m.fail(new TypeError("Cannot read properties of undefined (reading 'x')")))`], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect(bug.status).toBe(1);
    expect(bug.stderr.trim().split('\n')).toHaveLength(1);
    expect(bug.stderr).toMatch(/^sopsim: internal error: Cannot read properties of undefined \(reading 'x'\) \(a bug in sopsim: please report it/);
    for (const args of [['quantize', 'synthetic:t4:16x64', '-s', 'nope'], ['simulate', 'synthetic:t4:16x64', '--hw', 'sop-hif', '--set', 'lut.output=hif99'], ['quantize', 'synthetic:t4:16x64', '-s', 'sop4', '-o', '/dev/full'], ['nosuchcommand'], []]) {
      const r = sopsim(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^sopsim: error: /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(sopsim([]).stderr).toMatch(/sopsim --help lists them/);
  });
});

describe('special files and control characters', () => {
  it('a FIFO as a layer or technology path is refused at once, not waited on', () => {
    const fifo = join(dir, 'pipe.sopw');
    spawnSync('mkfifo', [fifo]);
    if (!existsSync(fifo)) return; // no mkfifo on this system
    const t0 = Date.now();
    const r = sopsim(['inspect', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipe\.sopw: not a regular file \(a FIFO\); give a file/);
    const hw = join(dir, 'fifo-hw.json');
    const doc = JSON.parse(readFileSync(join(REPO, 'hw-configs', 'sop-hif.json'), 'utf8'));
    doc.technology = fifo;
    writeFileSync(hw, JSON.stringify(doc));
    const s = sopsim(['simulate', 'synthetic:t4:16x64', '--hw', hw]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/not a regular file \(a FIFO\)/);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('ESC and line breaks in layer names are printed as escapes', () => {
    const src = join(dir, 'ctl.safetensors');
    const name = 'evil\u001b[2J\nname';
    writeSafetensors(src, { [name]: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 3)) } });
    const out = join(dir, 'ctl.sopw');
    expect(sopsim(['quantize', src, '-t', name, '-s', 'sop4', '-o', out]).code).toBe(0);
    for (const args of [['inspect', out], ['simulate', out], ['replay', out]]) {
      const r = sopsim(args);
      if (r.code !== 0) continue; // replay takes traces only
      expect(r.stdout, args[0]).not.toMatch(/\u001b/);
      expect(r.stdout).toContain('evil\\x1b[2J\\nname');
    }
  });
});

describe('one output, one writer', () => {
  it('a second quantize-model or quantize --out on an output another run is writing is refused; a dead run\'s claim is taken over', () => {
    const out = join(dir, 'locked-out');
    const sleeper = spawnSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    writeFileSync(`${out}.lock`, String(pid));
    try {
      const r = sopsim(['quantize-model', 'synthetic-model:tiny', '--budget-bpw', '5', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`locked-out: another sopsim run \\(pid ${pid}\\) is writing it`));
      expect(existsSync(out)).toBe(false);
      const two = join(dir, 'two-for-lock.safetensors');
      writeSafetensors(two, { a: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 4)) }, b: { dtype: 'F32', shape: [16, 64], data: f32Bytes(values(16 * 64, 5)) } });
      const q = sopsim(['quantize', two, '-s', 'sop4', '--out', out]);
      expect(q.code).toBe(2);
      expect(q.stderr).toMatch(/another sopsim run/);
    } finally {
      process.kill(pid);
    }
    writeFileSync(`${out}.lock`, '999999'); // a run that no longer runs
    const ok = sopsim(['quantize', join(dir, 'two-for-lock.safetensors'), '-s', 'sop4', '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['a.sopw', 'b.sopw']);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('replay streams per-layer figures: memory does not grow with the steps', () => {
  const layer = join(dir, 'rep.sopw');
  const trace = (n: number) => {
    const p = join(dir, `rep-${n}.json`);
    writeFileSync(p, JSON.stringify({ format: 'sopsim-trace', version: 1, name: `rep${n}`, layers: [{ sopw: 'rep.sopw', repeat: n }] }));
    return p;
  };

  it('JSON and CSV hold every layer, the baseline\'s too, in the same shape as before', () => {
    expect(sopsim(['quantize', 'synthetic:t4:16x64:3', '-s', 'sop4', '-o', layer]).code).toBe(0);
    const csv = join(dir, 'rep.csv');
    const r = sopsim(['replay', trace(300), '--json', '--baseline', 'fp8-e4m3', '--csv', csv]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.layers).toHaveLength(300);
    expect(j.baseline.layers).toHaveLength(300);
    expect(j.total.layers).toBe(300);
    expect(j.layers.reduce((s: number, l: { cycles: number }) => s + l.cycles, 0)).toBe(j.total.cycles);
    expect(j.baseline.layers.reduce((s: number, l: { dram_bytes: number }) => s + l.dram_bytes, 0)).toBe(j.baseline.total.dram_bytes);
    expect(j.ratio.cycles).toBeCloseTo(j.total.cycles / j.baseline.total.cycles, 12);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(302); // header, 300 layers, TOTAL
    const t = sopsim(['replay', trace(300)]);
    expect(t.stdout).toMatch(/\.\.\. 200 more layer executions \(every one in --csv and --json\)/);
  });

  it('the documented maximum, 1 000 000 steps, replays in a 160 MB heap', () => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=160', join(REPO, 'dist', 'scripts', 'cli', 'sopsim.js'), 'replay', trace(MAX_STEPS), '--json'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);
});

describe('quantizer accounting', () => {
  it('a signed scale format pays one sign: E4M3 costs what UE4M3 does, BF16 17 bits, S1E5M5 12 bits a block', () => {
    const bpw = (scale: string) => JSON.parse(sopsim(['quantize', 'synthetic:t4:32x256:4', '-s', 'sop4', '--scale', scale, '--json']).stdout).bpw_block;
    expect(bpw('E4M3')).toBe(bpw('UE4M3'));
    expect(bpw('E4M3')).toBe(4 + 9 / 16);
    expect(bpw('BF16')).toBe(4 + 17 / 16);
    expect(bpw('S1E5M5')).toBe(4 + 12 / 16);
  });

  it('round keeps the sign of zero: -0 and a negative value that rounds to zero print -0 with the sign bit', () => {
    const r = sopsim(['round', '--format', 'FP16', '--code'], '-0\n-1e-9\n0\n');
    expect(r.stdout).toBe('-0\t0x8000\n-0\t0x8000\n0\t0x0000\n');
    expect(sopsim(['round', '--format', 'E4M3'], '-0\n').stdout).toBe('-0\n');
  });

  it('power-of-two per-layer scales cost 8 bits in every scheme (sop4, E2M3sUE4M4, e4m3-pot); NVFP4\'s FP32 scale 32', () => {
    const layerBits = (scheme: string) => JSON.parse(sopsim(['quantize', 'synthetic:t4:32x256:4', '-s', scheme, '--json']).stdout).bits.layer_bits;
    expect(layerBits('E2M3sUE4M4')).toBe(8);
    expect(layerBits('e4m3-pot')).toBe(8);
    expect([8, 8 + 16 * 8 + 8]).toContain(layerBits('sop4'));
    expect(layerBits('nvfp4')).toBe(32);
  });
});

describe('rates and clocks have floors', () => {
  it('a DRAM bandwidth of 1e-320 GB/s or a 1e-320 GHz clock is refused (it made the cycle count infinite)', () => {
    for (const [set, msg] of [['weight_fetch.gb_per_s=1e-320', /weight_fetch\.gb_per_s\.value': expected at least 0\.001 GB\/s/], ['clock_ghz=1e-320', /clock_ghz\.value': expected at least 0\.001 GHz/]] as const) {
      const r = sopsim(['simulate', 'synthetic:t4:16x64', '--set', set]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});
