/**
 * Kafka UUIDs (topic ids, directory ids) as strings in Kafka's own text form: the 16 bytes
 * in URL-safe base64 without padding, 22 characters, as the broker and its tools print them.
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** The all-zero UUID, Kafka's "no id". */
export const ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA";

/** Formats 16 bytes starting at `offset` as a Kafka UUID string. */
export function uuidToString(bytes: Uint8Array, offset = 0): string {
  let out = "";
  // 15 bytes make 20 characters; the 16th byte makes the last 2.
  for (let i = offset; i < offset + 15; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] +
      ALPHABET[n & 63];
  }
  const last = bytes[offset + 15];
  return out + ALPHABET[last >> 2] + ALPHABET[(last & 3) << 4];
}

/**
 * Parses a Kafka UUID string into `out` at `offset`. Throws a `TypeError` naming the value
 * when it is not 22 base64url characters.
 */
export function uuidToBytes(
  uuid: string,
  out: Uint8Array = new Uint8Array(16),
  offset = 0,
): Uint8Array {
  if (uuid.length !== 22) {
    throw new TypeError(`invalid UUID "${uuid}": expected 22 base64url characters`);
  }
  const digit = (i: number): number => {
    const c = uuid.charCodeAt(i);
    const v = c < 128 ? VALUES[c] : -1;
    if (v < 0) throw new TypeError(`invalid UUID "${uuid}": bad character at ${i}`);
    return v;
  };
  for (let i = 0, o = offset; i < 20; i += 4, o += 3) {
    const n = (digit(i) << 18) | (digit(i + 1) << 12) | (digit(i + 2) << 6) | digit(i + 3);
    out[o] = n >> 16;
    out[o + 1] = (n >> 8) & 255;
    out[o + 2] = n & 255;
  }
  const tail = digit(21);
  if (tail & 15) throw new TypeError(`invalid UUID "${uuid}": trailing bits set`);
  out[offset + 15] = (digit(20) << 2) | (tail >> 4);
  return out;
}
