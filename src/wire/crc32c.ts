/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches.
 *
 * @module
 */

import { crcSlice16, crcTables } from "./_crc_tables.ts";

const TABLES = crcTables(0x82f63b78);

/**
 * The CRC-32C of `data`, continuing from `crc` (the result of an earlier call over the
 * preceding bytes) when given.
 *
 * @example
 * ```ts
 * import { crc32c } from "@kafkit/kafkit/protocol";
 * console.log(crc32c(new TextEncoder().encode("123456789")).toString(16)); // e3069283
 * ```
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  return crcSlice16(TABLES, data, crc);
}
