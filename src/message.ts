/**
 * The message shape the kafka-go style APIs read and write.
 *
 * @module
 */

import type { FetchedRecord, RecordInput } from "./protocol/records.ts";

/** A header of a message; string values are sent as UTF-8. */
export interface Header {
  /** The header's name. */
  key: string;
  /** The header's value (null is sent as a null value). */
  value: Uint8Array | string | null;
}

/**
 * A message to write. Keys, values and header values may be strings (sent as UTF-8) or
 * bytes.
 *
 * @example
 * ```ts
 * import type { MessageInput } from "@kafkit/kafkit";
 * const m: MessageInput = { key: "user-1", value: JSON.stringify({ clicks: 3 }) };
 * console.log(m.key);
 * ```
 */
export interface MessageInput {
  /** The topic, for writers that are not bound to one. */
  topic?: string;
  /** The partition, where the caller chooses it. */
  partition?: number;
  /** The key: the default balancer sends equal keys to one partition. */
  key?: Uint8Array | string | null;
  /** The value (null makes a tombstone on a compacted topic). */
  value: Uint8Array | string | null;
  /** Headers, in order. */
  headers?: Header[];
  /** The record timestamp; defaults to now. */
  time?: Date;
}

/** A message read from a partition. */
export interface Message {
  /** The topic it was read from. */
  topic: string;
  /** The partition it was read from. */
  partition: number;
  /** Its offset in the partition. */
  offset: number;
  /** The partition's high watermark when this message was fetched. */
  highWaterMark: number;
  /** The key's bytes, or null. */
  key: Uint8Array | null;
  /** The value's bytes, or null. */
  value: Uint8Array | null;
  /** Headers, in order. */
  headers: { key: string; value: Uint8Array | null }[];
  /** The record's timestamp (create or log-append time, as the topic sets). */
  time: Date;
}

const encoder = new TextEncoder();

/** Bytes of a string-or-bytes value. */
export function toBytes(v: Uint8Array | string, field?: string): Uint8Array;
export function toBytes(
  v: Uint8Array | string | null | undefined,
  field?: string,
): Uint8Array | null;
export function toBytes(
  v: Uint8Array | string | null | undefined,
  field = "value",
): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return encoder.encode(v);
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`${field} must be a string, a Uint8Array or null, got ${typeof v}`);
}

/** The record to encode for a message; a field of the wrong type is a `TypeError` naming it. */
export function toRecord(m: MessageInput, now: number): RecordInput {
  if (m === null || typeof m !== "object") throw new TypeError("a message must be an object");
  if (m.time !== undefined && !(m.time instanceof Date && !isNaN(m.time.getTime()))) {
    throw new TypeError("time must be a valid Date");
  }
  if (m.headers !== undefined && !Array.isArray(m.headers)) {
    throw new TypeError("headers must be an array of { key, value }");
  }
  return {
    key: toBytes(m.key, "key"),
    value: toBytes(m.value, "value"),
    headers: m.headers?.map((h, i) => {
      if (typeof h?.key !== "string") throw new TypeError(`headers[${i}].key must be a string`);
      return { key: h.key, value: toBytes(h.value, `headers[${i}].value`) };
    }),
    timestamp: m.time?.getTime() ?? now,
  };
}

/** A fetched record as a message of `topic`/`partition`. */
export function toMessage(
  r: FetchedRecord,
  topic: string,
  partition: number,
  highWaterMark: number,
): Message {
  return {
    topic,
    partition,
    offset: r.offset,
    highWaterMark,
    key: r.key,
    value: r.value,
    headers: r.headers,
    time: new Date(r.timestamp),
  };
}

/**
 * The size of a message as kafkit counts it, the one definition: the bytes of its key, value,
 * header keys (UTF-8) and header values. `Conn` writes report the sum over their messages
 * (kafka-go's count, which has no headers); the Writer seals batches at `batchBytes` of it
 * and counts it in `stats().bytes`.
 */
export function payloadSize(r: RecordInput): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) n += utf8Length(h.key) + (h.value?.length ?? 0);
  return n;
}

/** The UTF-8 length of `s`, without encoding it. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4; // a surrogate pair: one 4-byte sequence
      i++;
    } else n += 3;
  }
  return n;
}
