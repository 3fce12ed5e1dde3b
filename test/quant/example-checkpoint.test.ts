// The bundled checkpoint (examples/stories260K) holds exactly the single-file stories260K's tensors, and its
// config.json describes them.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAgainstConfig, readModelConfig } from '../../quant/io/checkpoint.js';
import { linearLayers, openWeights } from '../../quant/io/load.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'stories260K');
const SINGLE = join(REPO, '..', 'shared', 'data', 'stories260K.safetensors');
const noSingle = !existsSync(SINGLE);
if (noSingle) console.warn(`[skip] example checkpoint against the single file: ${SINGLE} is absent`);

describe('examples/stories260K', () => {
  it('config.json matches the shards: 5 blocks, hidden 64, intermediate 172', () => {
    const src = openWeights(EXAMPLE);
    const names = linearLayers(src);
    expect(names).toHaveLength(35);
    const c = readModelConfig(EXAMPLE)!;
    expect(c).toMatchObject({ num_hidden_layers: 5, hidden_size: 64, intermediate_size: 172, num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 512 });
    expect(() => checkAgainstConfig(c, names.map((n) => ({ name: n, cols: src.shape(n)[1] })))).not.toThrow();
    expect(src.fileOf!('model.layers.4.mlp.up_proj.weight')).toMatch(/model-00002-of-00002\.safetensors$/);
  });

  it.skipIf(noSingle)('holds the single file\'s tensors bit for bit', () => {
    const a = openWeights(EXAMPLE);
    const b = openWeights(SINGLE);
    expect(a.tensors()).toEqual(b.tensors());
    for (const n of b.tensors()) expect(Buffer.from(a.read(n).data.buffer).equals(Buffer.from(b.read(n).data.buffer)), n).toBe(true);
  });
});
