// A table-driven CRC engine shared by CRC-32C (record batches) and CRC-32 (gzip trailers and
// legacy messages): slice-by-8, eight table lookups per 8 input bytes instead of one per
// byte, reading aligned 32-bit words where the host is little-endian. Tables and words are
// Int32Array: Bun's engine slows down badly on Uint32Array reads of values >= 2^31 (they leave
// the small-integer fast path), and XOR only needs the bits.

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Eight 256-entry tables for a reflected polynomial; table k advances k more zero bytes. */
export function sliceBy8Tables(reversedPolynomial: number): Int32Array[] {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reversedPolynomial : c >>> 1;
    t[0][n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k][n] = (t[k - 1][n] >>> 8) ^ t[0][t[k - 1][n] & 0xff];
  }
  return t;
}

/** The CRC of `data` with the given tables, continuing from `crc`. */
export function crcSlice8(tables: Int32Array[], data: Uint8Array, crc: number): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
  let c = ~crc;
  let i = 0;
  const n = data.length;
  if (LITTLE_ENDIAN && n >= 64) {
    for (; (data.byteOffset + i) & 3; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    const words = new Int32Array(data.buffer, data.byteOffset + i, (n - i) >>> 2);
    const pairs = words.length & ~1;
    for (let w = 0; w < pairs; w += 2) {
      const a = c ^ words[w];
      const b = words[w + 1];
      c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
        t3[b & 0xff] ^ t2[(b >>> 8) & 0xff] ^ t1[(b >>> 16) & 0xff] ^ t0[b >>> 24];
    }
    i += pairs * 4;
  }
  const end8 = n - ((n - i) % 8);
  for (; i < end8; i += 8) {
    const a = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[data[i + 4]] ^ t2[data[i + 5]] ^ t1[data[i + 6]] ^ t0[data[i + 7]];
  }
  for (; i < n; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
