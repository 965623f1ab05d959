/**
 * Hashes that partitioners and legacy message sets need, each matching a reference
 * implementation bit for bit: CRC-32 (IEEE, as in zlib and Java's CRC32), murmur2 as the
 * Java client computes it, and 32-bit FNV-1a (Go's hash/fnv, used by Sarama and kafka-go).
 *
 * @module
 */

import { crcSlice16, crcTables } from "./_crc_tables.ts";

const CRC32_TABLES = crcTables(0xedb88320);

/**
 * CRC-32 (IEEE 802.3) of `data`, continuing from `crc` when given.
 *
 * @example
 * ```ts
 * import { crc32 } from "@kafkit/kafkit/protocol";
 * console.log(crc32(new TextEncoder().encode("a"))); // 3904355907
 * ```
 */
export function crc32(data: Uint8Array, crc = 0): number {
  return crcSlice16(CRC32_TABLES, data, crc);
}

/**
 * murmur2 as Kafka's Java client computes it (seed 0x9747b28c), as a signed 32-bit integer.
 * The Java default partitioner takes `(murmur2(key) & 0x7fffffff) % partitions`.
 *
 * @example
 * ```ts
 * import { murmur2 } from "@kafkit/kafkit/protocol";
 * console.log(murmur2(new TextEncoder().encode("21"))); // -973932308
 * ```
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const end4 = length - (length % 4);
  for (let i = 0; i < end4; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The tail bytes, most significant first, as the Java switch falls through.
  switch (length % 4) {
    case 3:
      h ^= data[end4 + 2] << 16;
      h ^= data[end4 + 1] << 8;
      h ^= data[end4];
      h = Math.imul(h, m);
      break;
    case 2:
      h ^= data[end4 + 1] << 8;
      h ^= data[end4];
      h = Math.imul(h, m);
      break;
    case 1:
      h ^= data[end4];
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * 32-bit FNV-1a of `data`, unsigned.
 *
 * @example
 * ```ts
 * import { fnv1a32 } from "@kafkit/kafkit/protocol";
 * console.log(fnv1a32(new TextEncoder().encode("a"))); // 3826002220
 * ```
 */
export function fnv1a32(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}
