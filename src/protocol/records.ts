/**
 * Record batches: the unit in which Kafka stores, produces and fetches records. Encodes
 * magic v2 batches, compressed with any registered codec; decodes v2 batches and the legacy
 * magic 0/1 message sets of old data. Hand-written because it is the hot path: uncompressed
 * keys and values are views into the fetched bytes, never copies.
 *
 * @module
 */

import { DecodeError } from "../errors.ts";
import { crc32c } from "../wire/crc32c.ts";
import { ByteReader } from "../wire/byte_reader.ts";
import { ByteWriter } from "../wire/byte_writer.ts";
import { consumerSlices } from "../_async/slicer.ts";
import type { CompressionCodec, CompressionName } from "./compression/codec.ts";
import { compressionCodec } from "./compression/registry.ts";
import { readLegacyMessage } from "./_legacy_message_set.ts";
import { DecodedRecord } from "./_decoded_record.ts";
import {
  type BatchOptions,
  type DecodeOptions,
  decompress,
  type FetchedRecord,
  type RecordBatch,
  type RecordHeader,
  type RecordInput,
} from "./_record_types.ts";

export type {
  BatchOptions,
  DecodeOptions,
  FetchedRecord,
  RecordBatch,
  RecordHeader,
  RecordInput,
} from "./_record_types.ts";

/** Bytes from the start of a v2 batch to the end of its header (the record count). */
const V2_HEADER = 61;
/** Offset of the v2 attributes field, where the CRC-covered span starts. */
const CRC_START = 21;
/** The smallest legacy message: offset, size, crc, magic, attributes, key and value lengths. */
const LEGACY_MIN = 26;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;
const encoder = new TextEncoder();

/** Encodes records as one uncompressed v2 batch, appended to `w`. */
export function writeRecordBatch(
  w: ByteWriter,
  records: RecordInput[],
  options: BatchOptions = {},
): void {
  const batch = beginBatch(w, records, options, 0);
  writeRecords(w, records, batch.baseTimestamp);
  endBatch(w, batch);
}

/**
 * Encodes records as one v2 batch, compressed with `compression` (a codec name, a codec, or
 * `"none"`).
 *
 * @example
 * ```ts
 * import { encodeRecordBatch, readRecordBatches } from "@kafkit/kafkit/protocol";
 * const value = new TextEncoder().encode("hello");
 * const bytes = await encodeRecordBatch([{ value }], { compression: "gzip" });
 * const [batch] = await readRecordBatches(bytes);
 * console.log(batch.compression, batch.records.length); // 1 1
 * ```
 */
export async function encodeRecordBatch(
  records: RecordInput[],
  options: BatchOptions & { compression?: CompressionName | "none" | CompressionCodec } = {},
): Promise<Uint8Array> {
  const c = options.compression ?? "none";
  const codec = c === "none" ? undefined : typeof c === "string" ? compressionCodec(c) : c;
  const body = recordsSizeEstimate(records);
  const w = new ByteWriter(V2_HEADER + (codec === undefined ? body : 64));
  const batch = beginBatch(w, records, options, codec?.id ?? 0);
  if (codec === undefined) {
    writeRecords(w, records, batch.baseTimestamp);
  } else {
    const plain = new ByteWriter(body);
    writeRecords(plain, records, batch.baseTimestamp);
    w.raw(await codec.compress(plain.bytes()));
  }
  endBatch(w, batch);
  return w.bytes();
}

/**
 * About what `records` take encoded, a little generously, so the writer rarely grows (each
 * growth copies everything written so far: 1 KiB values used to be copied five times).
 */
function recordsSizeEstimate(records: RecordInput[]): number {
  let n = 0;
  for (const r of records) {
    n += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const h of r.headers ?? []) n += 10 + h.key.length * 3 + (h.value?.length ?? 0);
  }
  return n;
}

/** Where a batch being written starts, and what its header needs once the body is done. */
interface OpenBatch {
  start: number;
  baseTimestamp: number;
}

/** Writes a v2 batch header, leaving the length and CRC to `endBatch`. */
function beginBatch(
  w: ByteWriter,
  records: RecordInput[],
  options: BatchOptions,
  codecId: number,
): OpenBatch {
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  let maxTimestamp = baseTimestamp;
  for (const r of records) {
    if (r.timestamp !== undefined && r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  const start = w.length;
  w.int64Number(options.baseOffset ?? 0);
  w.reserve(4); // batch length
  w.int32(options.partitionLeaderEpoch ?? -1);
  w.int8(2);
  w.reserve(4); // crc
  w.int16(codecId | (options.transactional ? ATTR_TRANSACTIONAL : 0));
  w.int32(records.length - 1);
  w.int64Number(baseTimestamp);
  w.int64Number(maxTimestamp);
  w.int64(options.producerId ?? -1n);
  w.int16(options.producerEpoch ?? -1);
  w.int32(options.baseSequence ?? -1);
  w.int32(records.length);
  return { start, baseTimestamp };
}

/** Fills in the batch length and the CRC-32C over attributes..end. */
function endBatch(w: ByteWriter, batch: OpenBatch): void {
  w.patchInt32(batch.start + 8, w.length - batch.start - 12);
  w.patchUint32(batch.start + 17, crc32c(w.bytes().subarray(batch.start + CRC_START)));
}

/** Writes each record with its length prefix, sized up front so nothing is copied twice. */
function writeRecords(w: ByteWriter, records: RecordInput[], baseTimestamp: number): void {
  for (let i = 0; i < records.length; i++) {
    const rec = records[i];
    const delta = (rec.timestamp ?? baseTimestamp) - baseTimestamp;
    const key = rec.key ?? null;
    const headers = rec.headers ?? [];
    const headerKeys = headers.map((h) => encoder.encode(h.key));
    let size = 1 + varlongSize(delta) + varintSize(i) + varBytesSize(key) +
      varBytesSize(rec.value) +
      varintSize(headers.length);
    for (let h = 0; h < headers.length; h++) {
      size += varBytesSize(headerKeys[h]) + varBytesSize(headers[h].value);
    }
    w.varint(size);
    w.int8(0);
    w.varlong(delta);
    w.varint(i);
    writeVarBytes(w, key);
    writeVarBytes(w, rec.value);
    w.varint(headers.length);
    for (let h = 0; h < headers.length; h++) {
      writeVarBytes(w, headerKeys[h]);
      writeVarBytes(w, headers[h].value);
    }
  }
}

/** Bytes of a zigzag varint. */
function varintSize(v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (z >= 0x80) {
    z >>>= 7;
    n++;
  }
  return n;
}

/** Bytes of a zigzag varlong (safe integers). */
function varlongSize(v: number): number {
  if (v >= -0x4000_0000 && v < 0x4000_0000) return varintSize(v);
  let z = v < 0 ? -2 * v - 1 : 2 * v;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

function varBytesSize(b: Uint8Array | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

function writeVarBytes(w: ByteWriter, b: Uint8Array | null): void {
  if (b === null) return w.varint(-1);
  w.varint(b.length);
  w.raw(b);
}

/**
 * Decodes the record batches of a fetched `records` field: v2 batches (decompressing them)
 * and legacy magic 0/1 messages. A partial batch at the end (the broker cuts responses at
 * the size limit) is left out, not an error. A bad checksum, an unknown codec or malformed
 * bytes reject with a `DecodeError`.
 */
export async function readRecordBatches(
  data: Uint8Array,
  options: DecodeOptions = {},
): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const slices = options.yieldToEventLoop ? consumerSlices : undefined;
  let pos = 0;
  while (data.length - pos >= 17) {
    if (slices?.due()) await slices.pause();
    const size = view.getInt32(pos + 8) + 12;
    const magic = data[pos + 16];
    const min = magic === 2 ? V2_HEADER : LEGACY_MIN;
    if (size < min) {
      throw new DecodeError(`batch of ${size} bytes is below the minimum ${min}`, pos + 8);
    }
    if (data.length - pos < size) break; // partial trailing batch
    const bytes = data.subarray(pos, pos + size);
    if (magic === 2) batches.push(await readBatchV2(bytes, pos, options));
    else if (magic === 0 || magic === 1) batches.push(await readLegacyMessage(bytes, pos, options));
    else throw new DecodeError(`unknown record batch magic ${magic}`, pos + 16);
    pos += size;
  }
  return batches;
}

async function readBatchV2(
  b: Uint8Array,
  at: number,
  options: DecodeOptions,
): Promise<RecordBatch> {
  const r = new ByteReader(b);
  const baseOffset = r.int64Number();
  r.int32(); // batch length, checked by the caller
  const partitionLeaderEpoch = r.int32();
  r.int8(); // magic, checked by the caller
  const crc = r.uint32();
  if (options.checkCrcs !== false) {
    const actual = crc32c(b.subarray(CRC_START));
    if (crc !== actual) {
      throw new DecodeError(`record batch CRC ${crc} does not match computed ${actual}`, at + 17);
    }
  }
  const attributes = r.int16();
  const batch: RecordBatch = {
    magic: 2,
    baseOffset,
    partitionLeaderEpoch,
    compression: attributes & 0x07,
    timestampType: (attributes >> 3) & 1,
    transactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    control: (attributes & ATTR_CONTROL) !== 0,
    lastOffsetDelta: r.int32(),
    baseTimestamp: r.int64Number(),
    maxTimestamp: r.int64Number(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    records: [],
  };
  const count = r.int32();
  r.check(`record batch at offset ${baseOffset}`);
  let section = r;
  if (batch.compression !== 0) {
    const plain = await decompress(batch.compression, b.subarray(V2_HEADER), at, options);
    section = new ByteReader(plain);
  }
  if (count < 0 || count > section.remaining) {
    throw new DecodeError(`record count ${count} does not fit the batch`, at + 57);
  }
  const slices = options.yieldToEventLoop ? consumerSlices : undefined;
  for (let i = 0; i < count && section.ok; i++) {
    // A clock read every 256 records: a compressed batch may hold 100k of them.
    if (slices && (i & 255) === 255 && slices.due()) await slices.pause();
    batch.records.push(readRecord(section, batch));
  }
  section.done(`records of the batch at offset ${baseOffset}`);
  return batch;
}

function readRecord(r: ByteReader, batch: RecordBatch): DecodedRecord {
  const length = r.varint();
  const end = r.limit(length);
  r.int8(); // record attributes: unused
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = readVarBytes(r);
  const value = readVarBytes(r);
  const headerCount = r.varint();
  if (headerCount < 0 || headerCount > r.remaining) {
    r.fail(`header count ${headerCount} is out of range`);
  }
  // Each record its own array, even empty: a consumer may add headers before forwarding it.
  const headers: RecordHeader[] = [];
  if (headerCount > 0) {
    for (let i = 0; i < headerCount && r.ok; i++) {
      const k = readVarBytes(r);
      headers.push({ key: k === null ? "" : utf8(r, k), value: readVarBytes(r) });
    }
  }
  r.unlimit(end, "record");
  return new DecodedRecord(
    batch.baseOffset + offsetDelta,
    batch.timestampType === 1 ? batch.maxTimestamp : batch.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  );
}

function readVarBytes(r: ByteReader): Uint8Array | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function utf8(r: ByteReader, b: Uint8Array): string {
  try {
    return decoder.decode(b);
  } catch {
    r.fail("header key is not valid UTF-8");
    return "";
  }
}

/** A transaction marker from a control batch. */
export interface ControlRecord {
  /** "abort" or "commit" (or the raw type number of a marker kafkit does not know). */
  type: "abort" | "commit" | number;
  /** The transaction coordinator's epoch that wrote the marker. */
  coordinatorEpoch: number;
}

/**
 * Reads the transaction marker a control batch's record carries: the key holds a version and
 * the marker type, the value a version and the coordinator epoch.
 */
export function readControlRecord(record: FetchedRecord): ControlRecord {
  if (record.key === null || record.key.length < 4) {
    throw new DecodeError("control record key is shorter than 4 bytes", 0);
  }
  const key = new ByteReader(record.key);
  key.int16(); // version
  const t = key.int16();
  let coordinatorEpoch = -1;
  if (record.value !== null && record.value.length >= 6) {
    const value = new ByteReader(record.value);
    value.int16(); // version
    coordinatorEpoch = value.int32();
  }
  return { type: t === 0 ? "abort" : t === 1 ? "commit" : t, coordinatorEpoch };
}
