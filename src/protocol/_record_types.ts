/**
 * What record batch encoding and decoding share with the legacy message set reader: the
 * record and batch shapes, decode options, and decompression through the codec registry.
 * Both `records.ts` and `_legacy_message_set.ts` import it, so neither imports the other's
 * caller.
 *
 * @module
 */

import { DecodeError } from "../errors.ts";
import type { CompressionCodec } from "./compression/codec.ts";
import { compressionCodec } from "./compression/registry.ts";

/** A record header: a string key and an optional byte value. */
export interface RecordHeader {
  /** The header's name. */
  key: string;
  /** The header's value, or null. */
  value: Uint8Array | null;
}

/** A record to write. */
export interface RecordInput {
  /** The key, or null. */
  key?: Uint8Array | null;
  /** The value, or null. */
  value: Uint8Array | null;
  /** Headers, in order. */
  headers?: RecordHeader[];
  /** Milliseconds since the epoch; defaults to the batch's base timestamp. */
  timestamp?: number;
}

/** A record read from a batch. */
export interface FetchedRecord {
  /** The record's offset in its partition. */
  offset: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The key, or null. */
  key: Uint8Array | null;
  /** The value, or null. */
  value: Uint8Array | null;
  /** Headers, in order. */
  headers: RecordHeader[];
}

/** A decoded record batch (or, for magic 0/1, one message set entry). */
export interface RecordBatch {
  /** 2 for record batches; 0 or 1 for legacy messages. */
  magic: number;
  /** The offset of the batch's first record. */
  baseOffset: number;
  /** The leader epoch the batch was appended in. */
  partitionLeaderEpoch: number;
  /** Compression codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** 0 create time, 1 log-append time. */
  timestampType: number;
  /** Whether the batch belongs to a transaction. */
  transactional: boolean;
  /** Control batches hold transaction markers (see {@linkcode readControlRecord}). */
  control: boolean;
  /** The last record's offset minus `baseOffset`. */
  lastOffsetDelta: number;
  /** The first record's timestamp (ms since the epoch). */
  baseTimestamp: number;
  /** The largest record timestamp in the batch. */
  maxTimestamp: number;
  /** The idempotent producer's id, or -1. */
  producerId: bigint;
  /** The idempotent producer's epoch, or -1. */
  producerEpoch: number;
  /** The sequence number of the first record, or -1. */
  baseSequence: number;
  /** The decoded records. */
  records: FetchedRecord[];
}

/** Batch-level settings for encoding. */
export interface BatchOptions {
  /** The offset of the first record (default 0; the broker assigns real offsets). */
  baseOffset?: number;
  /** The leader epoch (default -1). */
  partitionLeaderEpoch?: number;
  /** The idempotent producer's id (default -1: none). */
  producerId?: bigint;
  /** The idempotent producer's epoch (default -1). */
  producerEpoch?: number;
  /** The sequence number of the first record (default -1). */
  baseSequence?: number;
  /** Marks the batch as part of a transaction. */
  transactional?: boolean;
  /** Defaults to the first record's timestamp, else now. */
  baseTimestamp?: number;
}

/** Options for decoding fetched records. */
export interface DecodeOptions {
  /** Largest decompressed size accepted per batch (default: the codec's default bound). */
  maxDecompressedSize?: number;
  /**
   * Whether each v2 batch's CRC-32C is checked (default true). Off saves its cost (a tenth
   * of the decode time of small records) where the transport already protects the bytes.
   */
  checkCrcs?: boolean;
  /**
   * Decode in slices of a few milliseconds, letting timers and I/O run between them
   * (default false): a fetch of a megabyte of small records, or one compressed batch of a
   * hundred thousand, otherwise holds the event loop for tens to hundreds of milliseconds.
   */
  yieldToEventLoop?: boolean;
}

/** Decompresses with the registered codec for `id`, as a DecodeError when that fails. */
export async function decompress(
  id: number,
  data: Uint8Array,
  at: number,
  options: DecodeOptions,
): Promise<Uint8Array> {
  let codec: CompressionCodec;
  try {
    codec = compressionCodec(id);
  } catch {
    throw new DecodeError(`record batch uses unknown compression codec ${id}`, at);
  }
  try {
    return await codec.decompress(data, options.maxDecompressedSize);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`${codec.name} decompression failed: ${e}`, at, { cause: e });
  }
}
