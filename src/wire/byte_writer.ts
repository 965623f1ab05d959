/**
 * A growable big-endian byte writer for Kafka's wire types. One request is encoded into one
 * buffer; `reserve`/`patch*` fill in size prefixes after the body is written.
 *
 * @module
 */

import { uuidToBytes } from "./uuid.ts";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Encodes Kafka wire types into a buffer that grows as needed. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  /** Creates a writer with room for `capacity` bytes before it first grows. */
  constructor(capacity = 256) {
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** The bytes written so far: a view into the writer's buffer, not a copy. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Forgets what was written, keeping the buffer for reuse. */
  reset(): void {
    this.#pos = 0;
  }

  /** Makes room for `n` more bytes and returns the position to write them at. */
  #claim(n: number): number {
    const pos = this.#pos;
    const need = pos + n;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, pos));
      this.#buf = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#pos = need;
    return pos;
  }

  /** Skips `n` bytes to be filled in later; returns their position. */
  reserve(n: number): number {
    return this.#claim(n);
  }

  /** Overwrites an int32 at `pos` (for a size prefix written after its body). */
  patchInt32(pos: number, value: number): void {
    this.#view.setInt32(pos, value);
  }

  /** Overwrites a uint32 at `pos` (for a checksum written after its body). */
  patchUint32(pos: number, value: number): void {
    this.#view.setUint32(pos, value);
  }

  /** Writes a signed 8-bit integer. */
  int8(v: number): void {
    const pos = this.#claim(1);
    this.#view.setInt8(pos, v);
  }

  /** Writes a big-endian signed 16-bit integer. */
  int16(v: number): void {
    const pos = this.#claim(2);
    this.#view.setInt16(pos, v);
  }

  /** Writes a big-endian unsigned 16-bit integer. */
  uint16(v: number): void {
    const pos = this.#claim(2);
    this.#view.setUint16(pos, v);
  }

  /** Writes a big-endian signed 32-bit integer. */
  int32(v: number): void {
    const pos = this.#claim(4);
    this.#view.setInt32(pos, v);
  }

  /** Writes a big-endian unsigned 32-bit integer. */
  uint32(v: number): void {
    const pos = this.#claim(4);
    this.#view.setUint32(pos, v);
  }

  /** An int64 from a bigint (the full range). */
  int64(v: bigint): void {
    const pos = this.#claim(8);
    this.#view.setBigInt64(pos, v);
  }

  /** An int64 from a safe-integer number. */
  int64Number(v: number): void {
    const pos = this.#claim(8);
    // Split into high and low words without going through bigint.
    const high = Math.floor(v / 0x1_0000_0000);
    this.#view.setInt32(pos, high);
    this.#view.setUint32(pos + 4, v - high * 0x1_0000_0000);
  }

  /** Writes a big-endian IEEE 754 double. */
  float64(v: number): void {
    const pos = this.#claim(8);
    this.#view.setFloat64(pos, v);
  }

  /** Writes a boolean (one byte, 0 or 1). */
  bool(v: boolean): void {
    const pos = this.#claim(1);
    this.#buf[pos] = v ? 1 : 0;
  }

  /** An unsigned varint (lengths and tags), 0 to 2^32-1. */
  uvarint(v: number): void {
    if (v < 0x80) {
      const pos = this.#claim(1);
      this.#buf[pos] = v;
      return;
    }
    let pos = this.#claim(v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5);
    while (v >= 0x80) {
      this.#buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buf[pos] = v;
  }

  /** A zigzag varint (int32). */
  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** A zigzag varlong from a safe-integer number. */
  varlong(v: number): void {
    if (v >= -0x4000_0000 && v < 0x4000_0000) return this.varint(v);
    // Beyond 31 bits the zigzag value needs 64-bit arithmetic.
    const big = BigInt(v);
    let z = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
    let pos = this.#claim(10);
    while (z >= 0x80n) {
      this.#buf[pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.#buf[pos++] = Number(z);
    this.#pos = pos;
  }

  /** Raw bytes, copied in. */
  raw(bytes: Uint8Array): void {
    const pos = this.#claim(bytes.length);
    this.#buf.set(bytes, pos);
  }

  /** A classic string: int16 length, then UTF-8; null as length -1. */
  string(v: string | null): void {
    if (v === null) return this.int16(-1);
    const lengthAt = this.#claim(2);
    const n = this.#utf8(v);
    if (n > 0x7fff) throw new RangeError(`string of ${n} bytes is too long for an int16 length`);
    this.#view.setInt16(lengthAt, n);
  }

  /** A compact string: unsigned varint length+1, then UTF-8; null as 0. */
  compactString(v: string | null): void {
    if (v === null) return this.uvarint(0);
    if (v.length < 42) {
      // At most 3 bytes per UTF-16 unit, so the length+1 fits a one-byte varint.
      const lengthAt = this.#claim(1);
      const n = this.#utf8(v); // may grow the buffer: index it afterwards
      this.#buf[lengthAt] = n + 1;
      return;
    }
    const bytes = encoder.encode(v);
    this.uvarint(bytes.length + 1);
    this.raw(bytes);
  }

  /** Writes `v` as UTF-8 at the end and returns its byte length. */
  #utf8(v: string): number {
    const start = this.#pos;
    this.#claim(v.length * 3);
    const { written } = encoder.encodeInto(v, this.#buf.subarray(start));
    this.#pos = start + written;
    return written;
  }

  /** Classic bytes: int32 length, then the bytes; null as length -1. */
  bytesField(v: Uint8Array | null): void {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.raw(v);
  }

  /** Compact bytes: unsigned varint length+1, then the bytes; null as 0. */
  compactBytes(v: Uint8Array | null): void {
    if (v === null) return this.uvarint(0);
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  /** A 16-byte UUID from its Kafka string form. */
  uuid(v: string): void {
    const pos = this.#claim(16);
    uuidToBytes(v, this.#buf, pos);
  }

  /** An empty tagged-field section. */
  noTags(): void {
    const pos = this.#claim(1);
    this.#buf[pos] = 0;
  }
}

export { EMPTY as EMPTY_BYTES };
