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

/** A decoded record batch (or, for magic 0/1, one message set entry). */
export interface RecordBatch {
  /** 2 for record batches; 0 or 1 for legacy messages. */
  magic: number;
  baseOffset: number;
  partitionLeaderEpoch: number;
  /** Compression codec id: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** 0 create time, 1 log-append time. */
  timestampType: number;
  transactional: boolean;
  /** Control batches hold transaction markers (see {@linkcode readControlRecord}). */
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
