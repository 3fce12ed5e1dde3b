// LSB-first bit packing of fixed-width unsigned fields (element codes, block fields, selection bits).

export function packBits(values: ArrayLike<number>, width: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * width) / 8));
  // byte-aligned widths (4-bit indices, 8-bit fields) without the general bit loop; same bytes
  if (width === 8) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  if (width === 4) {
    for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 15) << ((i & 1) << 2);
    return out;
  }
  let bit = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i] >>> 0;
    let left = width;
    while (left > 0) {
      const byte = bit >> 3;
      const off = bit & 7;
      const take = Math.min(left, 8 - off);
      out[byte] |= (v & ((1 << take) - 1)) << off;
      v >>>= take;
      left -= take;
      bit += take;
    }
  }
  return out;
}

export function unpackBits(bytes: Uint8Array, count: number, width: number, out: Uint8Array | Uint16Array | Uint32Array): void {
  if (width === 8) {
    for (let i = 0; i < count; i++) out[i] = bytes[i];
    return;
  }
  if (width === 4) {
    for (let i = 0; i < count; i++) out[i] = (bytes[i >> 1] >> ((i & 1) << 2)) & 15;
    return;
  }
  let bit = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    let got = 0;
    while (got < width) {
      const byte = bit >> 3;
      const off = bit & 7;
      const take = Math.min(width - got, 8 - off);
      v |= ((bytes[byte] >> off) & ((1 << take) - 1)) << got;
      got += take;
      bit += take;
    }
    out[i] = v >>> 0;
  }
}

/** Bytes needed for `count` fields of `width` bits. */
export function packedBytes(count: number, width: number): number {
  return Math.ceil((count * width) / 8);
}
