/**
 * Kafka's protocol messages, generated from Apache Kafka's own message specs: typed
 * request and response objects and their codecs for every version, one descriptor per API,
 * and the wire reader and writer they use.
 *
 * @example
 * ```ts
 * import { Metadata, ByteWriter } from "@kafkit/kafkit/protocol";
 * const w = new ByteWriter();
 * Metadata.writeRequest(w, { topics: null }, 12);
 * console.log(w.length);
 * ```
 *
 * @module
 */

export * from "./generated/index.ts";
export { ALL_APIS } from "./generated/all.ts";
export { type Api, type ApiTarget, requestHeaderVersion, responseHeaderVersion } from "./api.ts";
export { negotiateVersion, type VersionRange } from "./negotiate.ts";
export * from "./compression/mod.ts";
export {
  type BatchOptions,
  type ControlRecord,
  type DecodeOptions,
  encodeRecordBatch,
  type FetchedRecord,
  readControlRecord,
  readRecordBatches,
  type RecordBatch,
  type RecordHeader,
  type RecordInput,
  writeRecordBatch,
} from "./records.ts";
export { committedRecords } from "./read_committed.ts";
export { type Crc32c, crc32c, registerCrc32c } from "../wire/crc32c.ts";
export { concatBytes } from "../wire/bytes.ts";
export { crc32, fnv1a32, murmur2 } from "../wire/hashes.ts";
export { ByteReader } from "../wire/byte_reader.ts";
// What ByteReader.check takes (also exported from the root entry with the error classes).
export type { DecodeErrorOptions } from "../errors.ts";
export { ByteWriter } from "../wire/byte_writer.ts";
export { ZERO_UUID } from "../wire/uuid.ts";
