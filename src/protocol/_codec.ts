// Helpers the generated message codecs share: arrays, tagged-field sections, null checks.

import type { ByteReader } from "../wire/byte_reader.ts";
import { ByteWriter } from "../wire/byte_writer.ts";

/** Reads a non-nullable array; a null length marks the reader failed. */
export function readArray<T>(r: ByteReader, flex: boolean, read: () => T): T[] {
  const n = flex ? r.compactArrayLength() : r.arrayLength();
  if (n < 0) r.fail("null array where none is allowed");
  const out: T[] = [];
  for (let i = 0; i < n && r.ok; i++) out.push(read());
  return out;
}

/** Reads an array that may be null when `nullable` holds for this version. */
export function readNullableArray<T>(
  r: ByteReader,
  flex: boolean,
  nullable: boolean,
  read: () => T,
): T[] | null {
  const n = flex ? r.compactArrayLength() : r.arrayLength();
  if (n < 0) {
    if (nullable) return null;
    r.fail("null array where none is allowed");
  }
  const out: T[] = [];
  for (let i = 0; i < n && r.ok; i++) out.push(read());
  return out;
}

/**
 * Reads a tagged-field section. `onTag` decodes a known tag and returns true; unknown tags
 * (from newer brokers) are skipped. Each field must use exactly its declared size.
 */
export function readTags(r: ByteReader, onTag: (tag: number) => boolean): void {
  const count = r.uvarint();
  for (let i = 0; i < count && r.ok; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.limit(size);
    if (!r.ok) return;
    if (!onTag(tag)) r.skip(r.remaining);
    r.unlimit(end, `tagged field ${tag}`);
  }
}

/** Skips a tagged-field section of a struct that declares no tags. */
export function skipTags(r: ByteReader): void {
  readTags(r, () => false);
}

/** Writes one tagged field: its tag, its size, then what `write` encodes. */
export function writeTagged(w: ByteWriter, tag: number, write: (w: ByteWriter) => void): void {
  const field = new ByteWriter(32);
  write(field);
  w.uvarint(tag);
  w.uvarint(field.length);
  w.raw(field.bytes());
}

/** Throws for a null value in a version whose field cannot carry null. */
export function nullNotAllowed(field: string, version: number): never {
  throw new TypeError(`${field} cannot be null at version ${version}`);
}

/** Structural equality of decoded values (to leave default tagged fields unsent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) {
      return false;
    }
    return a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}
