// Writers for test fixtures: safetensors and .npy images (built by the same code as the fuzz seeds).
import { writeFileSync } from 'node:fs';
import { npyImage, safetensorsImage } from '../../scripts/fuzz/images.js';

export function safetensorsBytes(tensors: Record<string, { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; data: Uint8Array }>): Buffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    off += t.data.length;
  }
  return Buffer.from(safetensorsImage(header, Buffer.concat(Object.values(tensors).map((t) => t.data))));
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function writeSafetensors(path: string, tensors: Parameters<typeof safetensorsBytes>[0]): void {
  writeFileSync(path, safetensorsBytes(tensors));
}

export function npyBytes(shape: number[], values: number[], descr = '<f4', fortran = false): Buffer {
  const header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const data = descr === '<f8' ? Buffer.from(Float64Array.from(values).buffer) : Buffer.from(Float32Array.from(values).buffer);
  return Buffer.from(npyImage(header, data, 1));
}
