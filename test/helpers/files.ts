// Writers for test fixtures: safetensors and .npy images built byte by byte.
import { writeFileSync } from 'node:fs';

export function safetensorsBytes(tensors: Record<string, { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; data: Uint8Array }>): Buffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    parts.push(t.data);
    off += t.data.length;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, ...parts]);
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function writeSafetensors(path: string, tensors: Parameters<typeof safetensorsBytes>[0]): void {
  writeFileSync(path, safetensorsBytes(tensors));
}

export function npyBytes(shape: number[], values: number[], descr = '<f4', fortran = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = descr === '<f8' ? Buffer.from(Float64Array.from(values).buffer) : Buffer.from(Float32Array.from(values).buffer);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}
