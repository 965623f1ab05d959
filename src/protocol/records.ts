/**
 * Record batches, magic v2: the unit in which Kafka stores, produces and fetches records.
 * Hand-written because it is the hot path. Decoding leaves keys and values as views into
 * the fetched bytes. Compression arrives with the codec registry; a compressed batch is
 * reported, not misread.
 *
 * @module
 */

import { DecodeError } from "../errors.ts";
import { crc32c } from "../wire/crc32c.ts";
import { Reader } from "../wire/reader.ts";
import { Writer } from "../wire/writer.ts";

/** A record header: a string key and an optional byte value. */
export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

/** A record to write. */
export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to the batch's base timestamp. */
  timestamp?: number;
}

/** A record read from a batch. */
export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

/** A decoded record batch. */
export interface RecordBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  /** Compression codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** 0 create time, 1 log-append time. */
  timestampType: number;
  transactional: boolean;
  control: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: FetchedRecord[];
}

/** Batch-level settings for encoding. */
export interface BatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  /** Defaults to the first record's timestamp, else now. */
  baseTimestamp?: number;
}

const MAGIC = 2;
/** Bytes from the start of a batch to the end of its header (the record count). */
const HEADER_SIZE = 61;
/** Offset of the attributes field, where the CRC-covered span starts. */
const CRC_START = 21;
const encoder = new TextEncoder();

/** Encodes records as one uncompressed v2 batch, appended to `w`. */
export function writeRecordBatch(
  w: Writer,
  records: RecordInput[],
  options: BatchOptions = {},
): void {
  const baseTimestamp = options.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  let maxTimestamp = baseTimestamp;
  const start = w.length;
  w.int64Number(options.baseOffset ?? 0);
  const lengthAt = w.reserve(4);
  w.int32(options.partitionLeaderEpoch ?? -1);
  w.int8(MAGIC);
  const crcAt = w.reserve(4);
  w.int16(options.transactional ? 0x10 : 0);
  w.int32(records.length - 1);
  w.int64Number(baseTimestamp);
  const maxTimestampAt = w.reserve(8);
  w.int64(options.producerId ?? -1n);
  w.int16(options.producerEpoch ?? -1);
  w.int32(options.baseSequence ?? -1);
  w.int32(records.length);
  const body = new Writer(64);
  records.forEach((rec, i) => {
    const ts = rec.timestamp ?? baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    body.reset();
    body.int8(0);
    body.varlong(ts - baseTimestamp);
    body.varint(i);
    writeVarBytes(body, rec.key ?? null);
    writeVarBytes(body, rec.value);
    const headers = rec.headers ?? [];
    body.varint(headers.length);
    for (const h of headers) {
      writeVarBytes(body, encoder.encode(h.key));
      writeVarBytes(body, h.value);
    }
    w.varint(body.length);
    w.raw(body.bytes());
  });
  const bytes = w.bytes();
  new DataView(bytes.buffer, bytes.byteOffset).setBigInt64(maxTimestampAt, BigInt(maxTimestamp));
  w.patchInt32(lengthAt, w.length - start - 12);
  w.patchUint32(crcAt, crc32c(w.bytes().subarray(start + CRC_START)));
}

function writeVarBytes(w: Writer, b: Uint8Array | null): void {
  if (b === null) return w.varint(-1);
  w.varint(b.length);
  w.raw(b);
}

/**
 * Decodes the record batches in a fetched `records` field. A partial batch at the end (the
 * broker cuts responses at the size limit) is left out, not an error. A bad checksum or a
 * malformed batch is a `DecodeError`.
 */
export function readRecordBatches(data: Uint8Array): RecordBatch[] {
  const batches: RecordBatch[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  while (data.length - pos >= 12) {
    const size = view.getInt32(pos + 8) + 12;
    if (size < HEADER_SIZE - 12 || data.length - pos < size) {
      if (size >= HEADER_SIZE - 12) break; // partial trailing batch
      throw new DecodeError(`record batch length ${size - 12} is too small`, pos + 8);
    }
    batches.push(readBatch(data.subarray(pos, pos + size), pos));
    pos += size;
  }
  return batches;
}

function readBatch(b: Uint8Array, at: number): RecordBatch {
  const r = new Reader(b);
  const baseOffset = r.int64Number();
  r.int32(); // batch length, already checked
  const partitionLeaderEpoch = r.int32();
  const magic = r.int8();
  if (magic !== MAGIC) throw new DecodeError(`record batch magic ${magic} is not 2`, at + 16);
  const crc = r.uint32();
  const actual = crc32c(b.subarray(CRC_START));
  if (crc !== actual) {
    throw new DecodeError(`record batch CRC ${crc} does not match computed ${actual}`, at + 17);
  }
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const baseTimestamp = r.int64Number();
  const maxTimestamp = r.int64Number();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const baseSequence = r.int32();
  const count = r.int32();
  const compression = attributes & 0x07;
  const batch: RecordBatch = {
    baseOffset,
    partitionLeaderEpoch,
    compression,
    timestampType: (attributes >> 3) & 1,
    transactional: (attributes & 0x10) !== 0,
    control: (attributes & 0x20) !== 0,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    records: [],
  };
  if (compression !== 0) {
    throw new DecodeError(
      `record batch uses compression codec ${compression}, not supported yet`,
      at + 21,
    );
  }
  if (count < 0 || count > r.remaining) r.fail(`record count ${count} does not fit the batch`);
  for (let i = 0; i < count && r.ok; i++) batch.records.push(readRecord(r, batch));
  r.done(`record batch at offset ${baseOffset}`);
  return batch;
}

function readRecord(r: Reader, batch: RecordBatch): FetchedRecord {
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
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount && r.ok; i++) {
    const k = readVarBytes(r);
    headers.push({ key: k === null ? "" : decodeUtf8(r, k), value: readVarBytes(r) });
  }
  r.unlimit(end, "record");
  return {
    offset: batch.baseOffset + offsetDelta,
    timestamp: batch.timestampType === 1
      ? batch.maxTimestamp
      : batch.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

function readVarBytes(r: Reader): Uint8Array | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(r: Reader, b: Uint8Array): string {
  try {
    return decoder.decode(b);
  } catch {
    r.fail("header key is not valid UTF-8");
    return "";
  }
}
