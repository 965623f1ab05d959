/**
 * A sticky-error reader for Kafka's wire types. After the first underflow or bad length
 * every read returns a neutral value (0, "", an empty array) and `done()` throws one
 * `DecodeError` naming where decoding first failed. So decoders need no checks between
 * fields, and no length field can make them allocate more than the input holds.
 *
 * @module
 */

import { DecodeError, type DecodeErrorOptions } from "../errors.ts";
import { uuidToString, ZERO_UUID } from "./uuid.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });
const EMPTY = new Uint8Array(0);

/** Decodes Kafka wire types from a byte range. */
export class ByteReader {
  /** The bytes being read. */
  readonly buf: Uint8Array;
  readonly #view: DataView;
  #pos: number;
  #end: number;
  #error: string | undefined;
  #errorAt = 0;

  /** Reads `buf` from `start` up to `end`. */
  constructor(buf: Uint8Array, start = 0, end: number = buf.length) {
    this.buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  /** Current position. */
  get pos(): number {
    return this.#pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#end - this.#pos;
  }

  /** Whether no read has failed so far. */
  get ok(): boolean {
    return this.#error === undefined;
  }

  /** Marks the reader failed (first failure wins) and stops further reads. */
  fail(message: string): void {
    if (this.#error !== undefined) return;
    this.#error = message;
    this.#errorAt = this.#pos;
    this.#pos = this.#end;
  }

  /**
   * Throws the first failure as a `DecodeError` (with `options`, e.g. retriable), or returns
   * if all reads succeeded.
   */
  check(context: string, options?: DecodeErrorOptions): void {
    if (this.#error !== undefined) {
      throw new DecodeError(`${context}: ${this.#error}`, this.#errorAt, options);
    }
  }

  /** Like `check`, and also fails when bytes are left over. */
  done(context: string, options?: DecodeErrorOptions): void {
    if (this.#error === undefined && this.#pos !== this.#end) {
      this.fail(`${this.#end - this.#pos} unexpected trailing bytes`);
    }
    this.check(context, options);
  }

  /** Claims `n` bytes; returns their start, or -1 (and fails) if they are not there. */
  #take(n: number): number {
    const pos = this.#pos;
    if (n > this.#end - pos) {
      this.fail(`needed ${n} bytes, ${this.#end - pos} left`);
      return -1;
    }
    this.#pos = pos + n;
    return pos;
  }

  /** Reads a signed 8-bit integer. */
  int8(): number {
    const p = this.#take(1);
    return p < 0 ? 0 : this.#view.getInt8(p);
  }

  /** Reads a big-endian signed 16-bit integer. */
  int16(): number {
    const p = this.#take(2);
    return p < 0 ? 0 : this.#view.getInt16(p);
  }

  /** Reads a big-endian unsigned 16-bit integer. */
  uint16(): number {
    const p = this.#take(2);
    return p < 0 ? 0 : this.#view.getUint16(p);
  }

  /** Reads a big-endian signed 32-bit integer. */
  int32(): number {
    const p = this.#take(4);
    return p < 0 ? 0 : this.#view.getInt32(p);
  }

  /** Reads a big-endian unsigned 32-bit integer. */
  uint32(): number {
    const p = this.#take(4);
    return p < 0 ? 0 : this.#view.getUint32(p);
  }

  /** An int64 as a bigint (the full range). */
  int64(): bigint {
    const p = this.#take(8);
    return p < 0 ? 0n : this.#view.getBigInt64(p);
  }

  /** An int64 as a number; fails when it is not a safe integer. */
  int64Number(): number {
    const p = this.#take(8);
    if (p < 0) return 0;
    const high = this.#view.getInt32(p);
    const v = high * 0x1_0000_0000 + this.#view.getUint32(p + 4);
    if (!Number.isSafeInteger(v)) {
      this.fail(`int64 ${this.#view.getBigInt64(p)} is beyond the safe integer range`);
      return 0;
    }
    return v;
  }

  /** Reads a big-endian IEEE 754 double. */
  float64(): number {
    const p = this.#take(8);
    return p < 0 ? 0 : this.#view.getFloat64(p);
  }

  /** Reads a boolean (one byte, 0 or 1). */
  bool(): boolean {
    const p = this.#take(1);
    return p < 0 ? false : this.buf[p] !== 0;
  }

  /**
   * An unsigned varint of at most 5 bytes (a uint32). Record lengths, offset deltas and key
   * and value lengths are nearly always 1 or 2 bytes: those take one bounds check and no
   * loop.
   */
  uvarint(): number {
    const pos = this.#pos;
    const buf = this.buf;
    if (this.#end - pos >= 2) {
      const b0 = buf[pos];
      if (b0 < 0x80) {
        this.#pos = pos + 1;
        return b0;
      }
      const b1 = buf[pos + 1];
      if (b1 < 0x80) {
        this.#pos = pos + 2;
        return (b0 & 0x7f) | (b1 << 7);
      }
    }
    return this.#uvarintSlow();
  }

  #uvarintSlow(): number {
    let result = 0;
    // 28 bits fit an int32's shifts; the fifth byte's 4 more bits need a multiplication.
    for (let shift = 0; shift < 28; shift += 7) {
      const p = this.#take(1);
      if (p < 0) return 0;
      const b = this.buf[p];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    const p = this.#take(1);
    if (p < 0) return 0;
    const b = this.buf[p];
    if (b <= 0x0f) return result + b * 0x1000_0000;
    this.fail(
      b < 0x80 ? "unsigned varint exceeds 32 bits" : "unsigned varint is longer than 5 bytes",
    );
    return 0;
  }

  /** A zigzag varint (int32). */
  varint(): number {
    const z = this.uvarint();
    return (z >>> 1) ^ -(z & 1);
  }

  /** A zigzag varlong as a number; fails beyond the safe integer range. */
  varlong(): number {
    const pos = this.#pos;
    if (pos < this.#end) {
      // Timestamp deltas within a batch: mostly one byte.
      const b0 = this.buf[pos];
      if (b0 < 0x80) {
        this.#pos = pos + 1;
        return (b0 >>> 1) ^ -(b0 & 1);
      }
    }
    return this.#varlongSlow();
  }

  #varlongSlow(): number {
    let z = 0;
    // Up to 7 bytes (49 bits) the arithmetic is exact in a double.
    for (let scale = 1; scale < 0x2_0000_0000_0000; scale *= 0x80) {
      const p = this.#take(1);
      if (p < 0) return 0;
      const b = this.buf[p];
      z += (b & 0x7f) * scale;
      if (b < 0x80) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    let big = BigInt(z);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      const p = this.#take(1);
      if (p < 0) return 0;
      const b = this.buf[p];
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        const v = Number((big >> 1n) ^ -(big & 1n));
        if (Number.isSafeInteger(v)) return v;
        this.fail("varlong is beyond the safe integer range");
        return 0;
      }
    }
    this.fail("varlong is longer than 10 bytes");
    return 0;
  }

  /** `n` raw bytes as a view into the input (no copy). */
  raw(n: number): Uint8Array {
    if (n < 0) {
      this.fail(`length ${n} is negative`);
      return EMPTY;
    }
    const p = this.#take(n);
    return p < 0 ? EMPTY : this.buf.subarray(p, p + n);
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.raw(n);
  }

  #utf8(n: number): string {
    const bytes = this.raw(n);
    if (bytes.length === 0) return "";
    try {
      return decoder.decode(bytes);
    } catch {
      this.fail("string is not valid UTF-8");
      return "";
    }
  }

  /** A classic non-null string (int16 length). */
  string(): string {
    return this.nullableString() ?? this.#nullNotAllowed("string", "");
  }

  /** A classic nullable string (int16 length, -1 for null). */
  nullableString(): string | null {
    const n = this.int16();
    return n === -1 ? null : this.#utf8(n);
  }

  /** A compact non-null string (uvarint length+1). */
  compactString(): string {
    return this.compactNullableString() ?? this.#nullNotAllowed("string", "");
  }

  /** A compact nullable string (uvarint length+1, 0 for null). */
  compactNullableString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.#utf8(n - 1);
  }

  /** Classic non-null bytes (int32 length), as a view into the input. */
  bytes(): Uint8Array {
    return this.nullableBytes() ?? this.#nullNotAllowed("bytes", EMPTY);
  }

  /** Classic nullable bytes (int32 length, -1 for null). */
  nullableBytes(): Uint8Array | null {
    const n = this.int32();
    return n === -1 ? null : this.raw(n);
  }

  /** Compact non-null bytes (uvarint length+1). */
  compactBytes(): Uint8Array {
    return this.compactNullableBytes() ?? this.#nullNotAllowed("bytes", EMPTY);
  }

  /** Compact nullable bytes (uvarint length+1, 0 for null). */
  compactNullableBytes(): Uint8Array | null {
    const n = this.uvarint();
    return n === 0 ? null : this.raw(n - 1);
  }

  /**
   * A classic array length (int32): -1 for null. A count larger than the bytes left fails,
   * since every element takes at least one byte in any array a decoder allocates for.
   */
  arrayLength(): number {
    return this.#count(this.int32());
  }

  /** A compact array length (uvarint length+1): -1 for null. */
  compactArrayLength(): number {
    return this.#count(this.uvarint() - 1);
  }

  #count(n: number): number {
    if (n < -1) {
      this.fail(`array length ${n} is negative`);
      return 0;
    }
    if (n > this.#end - this.#pos) {
      this.fail(`array of ${n} elements cannot fit in ${this.#end - this.#pos} bytes`);
      return 0;
    }
    return n;
  }

  #nullNotAllowed<T>(what: string, neutral: T): T {
    this.fail(`null ${what} where none is allowed`);
    return neutral;
  }

  /** A 16-byte UUID in Kafka's string form. */
  uuid(): string {
    const p = this.#take(16);
    return p < 0 ? ZERO_UUID : uuidToString(this.buf, p);
  }

  /** Narrows the readable range to `n` bytes from here; returns the old end to restore. */
  limit(n: number): number {
    const end = this.#end;
    if (n < 0 || n > end - this.#pos) {
      this.fail(`size ${n} exceeds the ${end - this.#pos} bytes left`);
      return end;
    }
    this.#end = this.#pos + n;
    return end;
  }

  /** Restores the range saved by `limit`, after checking the limited part was all read. */
  unlimit(end: number, what: string): void {
    if (this.#error !== undefined) return;
    if (this.#pos !== this.#end) {
      this.fail(`${what} has ${this.#end - this.#pos} bytes left over`);
      return;
    }
    this.#end = end;
  }
}
