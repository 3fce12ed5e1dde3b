// Writes examples/stories260K/ — llama2.c's stories260K (MIT, Andrej Karpathy) as a Hugging Face checkpoint
// ships: two safetensors shards, model.safetensors.index.json and config.json — from the single-file
// safetensors with Hugging Face names. Run: node dist/scripts/examples/stories260k.js <in.safetensors> <out dir>
// (the bundled copy was made from ../shared/data/stories260K.safetensors; the tensors' bytes are copied as they are).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  process.stderr.write('usage: node dist/scripts/examples/stories260k.js <stories260K.safetensors> <out dir>\n');
  process.exit(2);
}
const bytes = readFileSync(input);
const n = Number(bytes.readBigUInt64LE(0));
const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
const data = bytes.subarray(8 + n);
const names = Object.keys(header).filter((k) => k !== '__metadata__');

// shard 1: the embedding and blocks 0-2; shard 2: blocks 3-4 and the final norm (as a 2-shard export splits)
const shardOf = (name: string) => (/^model\.layers\.[34]\.|^model\.norm\./.test(name) ? 2 : 1);
const shardName = (s: number) => `model-0000${s}-of-00002.safetensors`;
const weightMap: Record<string, string> = {};
let totalSize = 0;
for (const s of [1, 2]) {
  const mine = names.filter((k) => shardOf(k) === s).sort();
  const head: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const parts: Buffer[] = [];
  let offset = 0;
  for (const k of mine) {
    const e = header[k];
    const piece = data.subarray(e.data_offsets[0], e.data_offsets[1]);
    head[k] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + piece.length] };
    parts.push(piece);
    offset += piece.length;
    totalSize += piece.length;
    weightMap[k] = shardName(s);
  }
  let json = JSON.stringify(head);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // the data starts 8-byte aligned
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, shardName(s)), Buffer.concat([len, Buffer.from(json), ...parts]));
}
const sorted = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(join(out, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sorted }, null, 2) + '\n');
// the architecture llama2.c's stories260K was trained with (dim 64, hidden 172, 5 layers, 8 heads, 4 KV heads, vocabulary 512)
const config = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 172,
  num_hidden_layers: 5,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  vocab_size: 512,
  max_position_embeddings: 512,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  torch_dtype: 'float32',
};
writeFileSync(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
process.stdout.write(`${names.length} tensors in 2 shards, index and config.json -> ${out}\n`);
