/**
 * The shape of a record-batch compression codec. Kafka names the codec of a batch by an id
 * in the low three bits of the batch attributes: 1 gzip, 2 snappy, 3 lz4, 4 zstd.
 *
 * Both methods return promises, deliberately: a native or WASM codec may only have an
 * asynchronous API, a worker-based one always does, and the built-in codecs hand the event
 * loop back between chunks of a large input. The record batch encoder and decoder await
 * the result, so every codec has the same shape whatever it runs on.
 *
 * @module
 */

/** The names of Kafka's compression codecs. */
export type CompressionName = "gzip" | "snappy" | "lz4" | "zstd";

/**
 * The bound `decompress` applies when the caller gives none: 128 MiB. A caller that knows
 * better (the fetch size limit times a plausible ratio, say) passes its own `maxSize`.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_DECOMPRESSED_SIZE } from "@kafkit/kafkit/protocol";
 * console.log(DEFAULT_MAX_DECOMPRESSED_SIZE); // 134217728
 * ```
 */
export const DEFAULT_MAX_DECOMPRESSED_SIZE: number = 128 * 1024 * 1024;

/**
 * A compression codec for record batches. Implement it to plug in another implementation
 * (a native binding, say) and pass it to `registerCompressionCodec`.
 *
 * @example
 * ```ts
 * import { DecodeError } from "@kafkit/kafkit";
 * import { type CompressionCodec, registerCompressionCodec } from "@kafkit/kafkit/protocol";
 * import { gunzipSync, gzipSync } from "node:zlib";
 * const nativeGzip: CompressionCodec = {
 *   id: 1,
 *   name: "gzip",
 *   compress: async (data) => new Uint8Array(gzipSync(data)),
 *   decompress: async (data, maxSize = 128 << 20) => {
 *     try {
 *       return new Uint8Array(gunzipSync(data, { maxOutputLength: maxSize }));
 *     } catch (err) {
 *       throw new DecodeError(`corrupt gzip data: ${err}`, 0);
 *     }
 *   },
 * };
 * registerCompressionCodec(nativeGzip);
 * ```
 */
export interface CompressionCodec {
  /** The codec id written to the batch attributes, 1 to 7. */
  readonly id: number;
  /** The codec's name, as Kafka's `compression.type` spells it. */
  readonly name: string;
  /** Compresses the records section of a batch. */
  compress(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Decompresses the records section of a batch. Input that is not valid for the codec
   * rejects with a `DecodeError`, and so does output that would pass `maxSize` bytes
   * (default `DEFAULT_MAX_DECOMPRESSED_SIZE`), before that much is allocated.
   */
  decompress(data: Uint8Array, maxSize?: number): Promise<Uint8Array>;
}
