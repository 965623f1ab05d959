// Helpers the codecs share: the decompression bound, error wrapping, and output assembly.

import { DecodeError } from "../../errors.ts";
import { concatBytes } from "../../wire/bytes.ts";
import { DEFAULT_MAX_DECOMPRESSED_SIZE } from "./codec.ts";

/**
 * Whether the snappy and lz4 decoders copy short literals and matches four bytes at a time,
 * through DataViews, rather than byte by byte. On V8 (Node, Deno, workerd) that decodes
 * 1.2 to 1.7 times faster; on JavaScriptCore (Bun) the same loops ran 3 times slower, so
 * there they copy bytes.
 */
export const WORD_COPIES: boolean = !("Bun" in globalThis);

const NO_VIEW = new DataView(new ArrayBuffer(0));

/** A DataView over `b` for word copies; where WORD_COPIES is off, an empty one (unused). */
export function wordView(b: Uint8Array): DataView {
  return WORD_COPIES ? new DataView(b.buffer, b.byteOffset, b.byteLength) : NO_VIEW;
}

/** Validates a caller's `maxSize`, defaulting it. */
export function checkMaxSize(maxSize: number | undefined): number {
  if (maxSize === undefined) return DEFAULT_MAX_DECOMPRESSED_SIZE;
  if (!Number.isSafeInteger(maxSize) || maxSize < 0) {
    throw new RangeError(`maxSize must be a non-negative integer, got ${maxSize}`);
  }
  return maxSize;
}

/** The error for output that would pass `maxSize`. */
export function tooLarge(codec: string, maxSize: number, at: number): DecodeError {
  return new DecodeError(`${codec} data decompresses to more than maxSize ${maxSize} bytes`, at);
}

/**
 * Any failure while decoding becomes a DecodeError: the libraries throw plain Errors,
 * RangeErrors or TypeErrors on corrupt input, and callers should see one error class.
 */
export function asDecodeError(codec: string, err: unknown, at = 0): DecodeError {
  if (err instanceof DecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DecodeError(`corrupt ${codec} data: ${message}`, at, { cause: err });
}

/** Joins chunks whose lengths add up to `total` into one array. */
export function concat(chunks: Uint8Array[], total: number): Uint8Array {
  return chunks.length === 1 && chunks[0].length === total ? chunks[0] : concatBytes(chunks);
}

/**
 * A plain Uint8Array over the same bytes: Node's Buffer is a subclass whose methods
 * (`slice`, `toString`) behave differently, so none leaks out of a codec.
 */
export function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A growable output buffer that refuses to pass `limit` bytes. */
export class Output {
  buf: Uint8Array;
  length = 0;
  readonly limit: number;

  /**
   * Starts with room for `initial` bytes, in `reuse` when that is large enough (its bytes are
   * overwritten, never read: only `copy` then gives the output away).
   */
  constructor(initial: number, limit: number, reuse?: Uint8Array) {
    this.limit = limit;
    const size = Math.min(Math.max(initial, 64), limit);
    this.buf = reuse && reuse.length >= size ? reuse : new Uint8Array(size);
  }

  /** Makes room for `n` more bytes; false when that would pass the limit. */
  reserve(n: number): boolean {
    const need = this.length + n;
    if (need > this.limit) return false;
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.min(Math.max(need, this.buf.length * 2), this.limit));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    return true;
  }

  /** A copy of the bytes written so far, leaving the buffer free for reuse. */
  copy(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
