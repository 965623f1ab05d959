// Legacy message sets (magic 0 and 1), read for old data that brokers still serve.
// Each top-level message becomes one RecordBatch; a compressed wrapper message holds a whole
// inner message set, whose records are returned in its place.

import { DecodeError } from "../errors.ts";
import { crc32 } from "../wire/hashes.ts";
import { ByteReader } from "../wire/byte_reader.ts";
import {
  type DecodeOptions,
  decompress,
  type FetchedRecord,
  type RecordBatch,
} from "./_record_types.ts";
import { fixLegacyLz4Frame } from "./compression/lz4.ts";
import { DecodedRecord } from "./_decoded_record.ts";

/** Reads one legacy message (offset, size, crc, magic, attributes, ...) at `at`. */
export async function readLegacyMessage(
  bytes: Uint8Array,
  at: number,
  options: DecodeOptions,
): Promise<RecordBatch> {
  const { offset, magic, attributes, timestamp, key, value } = parseMessage(bytes, at);
  const compression = attributes & 0x07;
  const timestampType = magic === 1 ? (attributes >> 3) & 1 : 0;
  let records: FetchedRecord[];
  if (compression === 0) {
    records = [new DecodedRecord(offset, timestamp, key, value, [])];
  } else {
    if (value === null) throw new DecodeError("compressed legacy message has no value", at);
    // Magic 0 LZ4 frames carry a header checksum computed over the wrong bytes (KAFKA-3160).
    const frame = magic === 0 && compression === 3 ? fixLegacyLz4Frame(value) : value;
    records = innerRecords(await decompress(compression, frame, at, options), offset, magic, at);
    // Log-append time applies the wrapper's timestamp to every inner message.
    if (timestampType === 1) { for (const r of records) r.timestamp = timestamp; }
  }
  const first = records[0]?.offset ?? offset;
  return {
    magic,
    baseOffset: first,
    partitionLeaderEpoch: -1,
    compression,
    timestampType,
    transactional: false,
    control: false,
    lastOffsetDelta: (records[records.length - 1]?.offset ?? offset) - first,
    baseTimestamp: timestamp,
    maxTimestamp: timestamp,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  };
}

interface Message {
  offset: number;
  magic: number;
  attributes: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

function parseMessage(bytes: Uint8Array, at: number): Message {
  const r = new ByteReader(bytes);
  const offset = r.int64Number();
  const size = r.int32();
  const crc = r.uint32();
  const actual = crc32(bytes.subarray(16, 12 + size));
  const magic = r.int8();
  const attributes = r.int8();
  const timestamp = magic === 1 ? r.int64Number() : -1;
  const key = r.nullableBytes();
  const value = r.nullableBytes();
  r.done(`legacy message at offset ${offset}`);
  if (crc !== actual) {
    throw new DecodeError(`legacy message CRC ${crc} does not match computed ${actual}`, at + 12);
  }
  return { offset, magic, attributes, timestamp, key, value };
}

/** The records of a decompressed inner message set, with absolute offsets. */
function innerRecords(
  data: Uint8Array,
  wrapperOffset: number,
  magic: number,
  at: number,
): FetchedRecord[] {
  const inner: Message[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let pos = 0; data.length - pos >= 12;) {
    const size = view.getInt32(pos + 8) + 12;
    if (size < 26 || size > data.length - pos) {
      throw new DecodeError(`inner legacy message of ${size} bytes does not fit`, at);
    }
    const m = parseMessage(data.subarray(pos, pos + size), at);
    if ((m.attributes & 0x07) !== 0) throw new DecodeError("nested compressed legacy message", at);
    inner.push(m);
    pos += size;
  }
  // Magic 1 inner offsets count from 0; the wrapper carries the last inner message's offset.
  const last = inner[inner.length - 1]?.offset ?? 0;
  const shift = magic === 1 ? wrapperOffset - last : 0;
  return inner.map((m) => new DecodedRecord(m.offset + shift, m.timestamp, m.key, m.value, []));
}
