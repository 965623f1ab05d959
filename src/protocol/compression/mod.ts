/**
 * Record-batch compression: the codec interface, the registry the batch encoder and
 * decoder look codecs up in, and the built-in gzip, snappy, lz4 and zstd codecs.
 *
 * @example
 * ```ts
 * import { compressionCodec } from "@kafkit/kafkit/protocol";
 * const zstd = compressionCodec("zstd");
 * const packed = await zstd.compress(new TextEncoder().encode("hello ".repeat(100)));
 * console.log((await zstd.decompress(packed, 1 << 20)).length); // 600
 * ```
 *
 * @module
 */

export {
  type CompressionCodec,
  type CompressionName,
  DEFAULT_MAX_DECOMPRESSED_SIZE,
} from "./codec.ts";
export { compressionCodec, registerCompressionCodec } from "./registry.ts";
export { gzipCodec, type GzipCodecOptions } from "./gzip.ts";
export { snappyCodec } from "./snappy.ts";
export { lz4Codec } from "./lz4.ts";
export { zstdCodec, type ZstdCodecOptions } from "./zstd.ts";
