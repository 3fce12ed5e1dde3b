// hw-configs: the bundled ones load; bad ones fail naming the file, the field and what was expected;
// every timing and energy constant states its source.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHwConfig, loadTechnology, sectionOf } from '../../sim/config/load.js';
import { buildLayerWork } from '../../sim/datapath/layer-work.js';
import { synthesize } from '../../quant/io/synthetic.js';
import { quantize } from '../../quant/schemes/index.js';
import { HW, copyTechnology } from '../helpers/sim.js';
import { REPO } from '../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'hw-'));
copyTechnology(dir);

function variant(name: string, edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(readFileSync(HW('sop-hif'), 'utf8'));
  edit(doc);
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

describe('bundled hw-configs', () => {
  for (const n of ['sop-hif', 'sop-bf16lut', 'fp8-e4m3', 'nvfp4-native', 'mx-native', 'lo-bcq', 'fgmp', 'lut-tensor-core', 'olive']) {
    it(`${n} loads and validates`, () => {
      const c = loadHwConfig(HW(n));
      expect(c.hw.name).toBe(n);
    });
  }
  it('every timing and energy constant names a source', () => {
    const sourced = (o: unknown, path: string, out: string[]) => {
      if (o && typeof o === 'object') {
        const rec = o as Record<string, unknown>;
        if ('value' in rec) {
          expect(typeof rec.source, `${path}.source`).toBe('string');
          expect((rec.source as string).length, path).toBeGreaterThan(10);
          out.push(path);
        }
        for (const [k, v] of Object.entries(rec)) sourced(v, `${path}.${k}`, out);
      }
    };
    const found: string[] = [];
    for (const n of ['sop-hif', 'sop-bf16lut', 'fp8-e4m3', 'nvfp4-native', 'mx-native', 'lo-bcq', 'fgmp', 'lut-tensor-core', 'olive', 'technology']) sourced(JSON.parse(readFileSync(join(REPO, 'hw-configs', `${n}.json`), 'utf8')), n, found);
    expect(found.length).toBeGreaterThan(20);
    const tech = loadTechnology(join(REPO, 'hw-configs', 'technology.json'));
    for (const s of Object.values(tech.node_scaling)) expect(s.source.length).toBeGreaterThan(10);
    // the SRAM table names the tool, the command and the CACTI input that made it
    const sram = JSON.parse(readFileSync(join(REPO, 'hw-configs', tech.sram_table), 'utf8'));
    expect(sram.source.tool).toMatch(/CACTI 7/);
    expect(sram.source.command).toMatch(/scripts\/cacti\/grid/);
    expect(sram.source.input_file.join('\n')).toMatch(/-cache type "ram"/);
  });
});

describe('bad configs name file, field and expectation', () => {
  it('a tile smaller than one lane group, or lanes that overrun the tile', () => {
    expect(() => loadHwConfig(HW('sop-hif'), [['weight_buffer.tile_bytes', 1]])).toThrow(/sop-hif\.json: field 'weight_buffer\.tile_bytes': 1 B cannot hold one lane group \(64 lanes x 8 bits = 64 B\); expected at least 64/);
    expect(() => loadHwConfig(HW('sop-hif'), [['unpacker.lanes', 1e6]])).toThrow(/field 'weight_buffer\.tile_bytes': 8192 B cannot hold one lane group \(1000000 lanes/);
  });
  it('weight-buffer ports that cannot take the DRAM in and the unpacker out', () => {
    expect(() => loadHwConfig(HW('sop-hif'), [['weight_buffer.ports', 1]])).toThrow(/field 'weight_buffer\.ports': 1 port\(s\) of 256 bits move 32 B a cycle, but the DRAM writes 32 B a cycle and the unpacker reads up to 32; expected ports x width_bits \/ 8 >= 64/);
    // a slower DRAM needs less: 16 GB/s at 1 GHz in and out fit one 256-bit port
    expect(() => loadHwConfig(HW('sop-hif'), [['weight_buffer.ports', 1], ['weight_fetch.gb_per_s', 16]])).not.toThrow();
  });
  it('LUT banks beyond a table\'s entries', () => {
    const c = loadHwConfig(HW('sop-hif'), [['lut.banks', 32], ['lut.replicas', 1]]);
    const q = quantize(synthesize({ dist: 't4', rows: 4, cols: 64, seed: 1 }), 'sop4', { pair: ['NF4', 'DD4'] });
    expect(() => buildLayerWork(q, c, 1)).toThrow(/field 'lut\.banks': 32 banks for layer '.*', whose table DD4 has 16 entries; expected at most 16/);
  });
  it('a negative port count', () => {
    const p = variant('neg', (d) => (d.lut.ports = -1));
    expect(() => loadHwConfig(p)).toThrow(/neg\.json: field 'lut\.ports': .*(positive|>0|greater).*got -1/i);
  });
  it('a missing section', () => {
    const p = variant('missing', (d) => delete d.mac_array);
    expect(() => loadHwConfig(p)).toThrow(/missing\.json: field 'mac_array'/);
  });
  it('a constant without its source', () => {
    const p = variant('nosrc', (d) => (d.clock_ghz = 1));
    expect(() => loadHwConfig(p)).toThrow(/nosrc\.json: field 'clock_ghz'/);
  });
  it('an unknown LUT output format', () => {
    const p = variant('lutfmt', (d) => (d.lut.output = 'fp9'));
    expect(() => loadHwConfig(p)).toThrow(/field 'lut\.output': expected hif<N>/);
  });
  it('an unknown operand format', () => {
    const p = variant('fmt', (d) => (d.mac_array.activation = 'quantum8'));
    expect(() => loadHwConfig(p)).toThrow(/fmt\.json: field 'mac_array\.activation': expected a number format/);
  });
  it('a node the technology table lacks', () => {
    const p = variant('node', (d) => (d.node_nm = 3));
    expect(() => loadHwConfig(p)).toThrow(/node\.json: field 'node_nm': 3 nm is not in/);
  });
  it('an unknown field (typo)', () => {
    const p = variant('typo', (d) => (d.lut.capacity_byte = 5));
    expect(() => loadHwConfig(p)).toThrow(/typo\.json: field 'lut'.*capacity_byte/);
  });
  it('overrides: a numeric path sets values, an unknown path is named', () => {
    const c = loadHwConfig(HW('sop-hif'), [['lut.capacity_bytes', 8192], ['weight_fetch.latency_ns', 300]]);
    expect(sectionOf<{ capacity_bytes: number }>(c, 'lut_sram')!.capacity_bytes).toBe(8192);
    expect(sectionOf<{ latency_ns: { value: number } }>(c, 'weight_fetch')!.latency_ns.value).toBe(300);
    expect(() => loadHwConfig(HW('sop-hif'), [['lut.capacity', 1]])).toThrow(/--set lut\.capacity: no field 'lut\.capacity'/);
    expect(() => loadHwConfig(HW('sop-hif'), [['lut.capacity_bytes', 'big']])).toThrow(/field 'lut\.capacity_bytes'/);
    // inherited names and list internals are not config fields
    expect(() => loadHwConfig(HW('sop-hif'), [['__proto__.toString', 1]])).toThrow(/no field '__proto__'/);
    expect(() => loadHwConfig(HW('sop-hif'), [['constructor.name', 'x']])).toThrow(/no field 'constructor'/);
    expect(() => loadHwConfig(HW('sop-hif'), [['codebook_rom.codebooks.length', 0]])).toThrow(/'codebook_rom\.codebooks' is a list, not a section/);
    expect(() => loadHwConfig(HW('sop-hif'), [['weight_fetch.dram', 'constructor']])).toThrow(/unknown DRAM 'constructor'/);
    expect(({} as Record<string, unknown>).toString).toBe(Object.prototype.toString);
  });
  it('unreadable and non-JSON files', () => {
    expect(() => loadHwConfig(join(dir, 'none.json'))).toThrow(/none\.json: cannot read file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "name": ');
    expect(() => loadHwConfig(bad)).toThrow(/bad\.json: not valid JSON/);
  });
});
