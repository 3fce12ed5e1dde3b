// Byte images of the input formats, built from their parts: the fuzz targets' seed files and the tests'
// fixtures are made the same way.

/** A safetensors file: 8-byte little-endian header length, the JSON header, the data section. */
export function safetensorsImage(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A .npy file (version 1: 2-byte header length, 2-3: 4-byte), its header text padded to 64 bytes with a newline. */
export function npyImage(headerText: string, data: Uint8Array, major = 1): Uint8Array {
  let header = headerText;
  const pre = major === 1 ? 10 : 12;
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + header.length + data.length);
  out.set(Buffer.from('\x93NUMPY', 'latin1'), 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(data, pre + header.length);
  return out;
}
