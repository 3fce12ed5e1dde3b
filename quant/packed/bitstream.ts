// LSB-first bit packing of fixed-width unsigned fields (element codes, block fields, selection bits).

export function packBits(values: ArrayLike<number>, width: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * width) / 8));
  if (width === 8) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  if (width <= 24) {
    // fields gather in a 32-bit accumulator that spills whole bytes: the same bytes as the bit loop below
    const mask = (1 << width) - 1;
    let acc = 0;
    let held = 0;
    let o = 0;
    for (let i = 0; i < values.length; i++) {
      acc |= (values[i] & mask) << held;
      held += width;
      while (held >= 8) {
        out[o++] = acc & 255;
        acc >>>= 8;
        held -= 8;
      }
    }
    if (held > 0) out[o] = acc & 255;
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

/** Fields of differing widths (widths[i] bits for values[i]), LSB first, one after another. */
export function packBitsMixed(values: ArrayLike<number>, widths: ArrayLike<number>): Uint8Array {
  let total = 0;
  for (let i = 0; i < widths.length; i++) total += widths[i];
  const out = new Uint8Array(Math.ceil(total / 8));
  let bit = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i] >>> 0;
    let left = widths[i];
    while (left > 0) {
      const off = bit & 7;
      const take = Math.min(left, 8 - off);
      out[bit >> 3] |= (v & ((1 << take) - 1)) << off;
      v >>>= take;
      left -= take;
      bit += take;
    }
  }
  return out;
}

/** The inverse of packBitsMixed. */
export function unpackBitsMixed(bytes: Uint8Array, widths: ArrayLike<number>, out: Uint8Array | Uint16Array | Uint32Array): void {
  let bit = 0;
  for (let i = 0; i < widths.length; i++) {
    let v = 0;
    let got = 0;
    while (got < widths[i]) {
      const off = bit & 7;
      const take = Math.min(widths[i] - got, 8 - off);
      v |= ((bytes[bit >> 3] >> off) & ((1 << take) - 1)) << got;
      got += take;
      bit += take;
    }
    out[i] = v >>> 0;
  }
}
