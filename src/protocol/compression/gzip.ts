/**
 * The gzip codec (Kafka codec id 1), on fflate's streaming Gzip and Gunzip.
 *
 * Compression writes one gzip member at level 6 (zlib's default, which the Java client's
 * `GZIPOutputStream` and librdkafka use too) with a zero modification time. Decompression
 * reads one or more members, as Java's `GZIPInputStream` does, and checks each member's
 * CRC-32 and length trailer, which fflate skips.
 *
 * Both directions push the data through in chunks and hand the event loop back between
 * chunks once a slice has run for a while, so a large batch does not stall other work.
 * fflate's one-shot `gunzipSync` is not used: it sizes its output from the trailer's length
 * field, which a corrupt or hostile input controls.
 *
 * Decompression uses the runtime's own zlib where node:zlib has a working gunzip (Node,
 * Deno, Bun, Workers with nodejs_compat; `_zlib_native.ts`): on record batches it inflates
 * 4 to 6 times faster than fflate (measured ~190-230 MB/s against ~40 MB/s of output), checks
 * the same trailers, reads concatenated members, and stops at `maxSize`. fflate remains the
 * decoder everywhere else.
 *
 * fflate compresses at ~30 MB/s, a third of node:zlib's speed; an application that wants
 * the native one registers it (see `CompressionCodec`), keeping this module runtime-agnostic.
 *
 * @module
 */

import { Gunzip, Gzip } from "fflate";
import { DecodeError } from "../../errors.ts";
import type { CompressionCodec } from "./codec.ts";
import { crc32 } from "../../wire/hashes.ts";
import { Slicer } from "../../_async/slicer.ts";
import { asDecodeError, checkMaxSize, concat, tooLarge } from "./_util.ts";
import { inflateNative, nativeGunzip, type NativeInflate } from "./_zlib_native.ts";
import { OutputLimit } from "./_zstd_frames.ts";

/** Input per push when compressing: a few milliseconds of work at level 6. */
const COMPRESS_CHUNK = 64 * 1024;
/**
 * Input per push when decompressing. fflate inflates a whole push before it reports the
 * output, and deflate expands at most 1032:1, so this caps how far past `maxSize` a single
 * push can allocate (about 8 MiB).
 */
const DECOMPRESS_CHUNK = 8 * 1024;

/** Options for `gzipCodec`. */
export interface GzipCodecOptions {
  /** Deflate level, 0 (store) to 9 (smallest); default 6. */
  level?: number;
}

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

function readLE32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

async function compress(data: Uint8Array, level: Level): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const gzip = new Gzip({ level, mtime: 0 }, (chunk) => {
    chunks.push(chunk);
    total += chunk.length;
  });
  if (data.length === 0) gzip.push(data, true);
  const slicer = new Slicer();
  for (let at = 0; at < data.length; at += COMPRESS_CHUNK) {
    const last = at + COMPRESS_CHUNK >= data.length;
    gzip.push(data.subarray(at, at + COMPRESS_CHUNK), last);
    if (!last && slicer.due()) await slicer.pause();
  }
  return concat(chunks, total);
}

let native: Promise<NativeInflate | undefined> | undefined;

async function decompress(data: Uint8Array, maxSize?: number): Promise<Uint8Array> {
  const limit = checkMaxSize(maxSize);
  native ??= nativeGunzip();
  const gunzip = await native;
  if (!gunzip) return gunzipPortable(data, limit);
  try {
    if (data.length === 0) throw new DecodeError("gzip data is empty", 0);
    return await inflateNative(gunzip, data, limit);
  } catch (err) {
    throw err instanceof OutputLimit ? tooLarge("gzip", limit, 0) : asDecodeError("gzip", err);
  }
}

/**
 * Decompresses with fflate, where the runtime has no gunzip: at most `limit` bytes, members'
 * trailers checked.
 */
export async function gunzipPortable(data: Uint8Array, limit: number): Promise<Uint8Array> {
  let at = 0;
  try {
    if (data.length === 0) throw new DecodeError("gzip data is empty", 0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    let crc = 0;
    let size = 0;
    // Checks the trailer of the member that ends at `end` against what it inflated to.
    const endMember = (end: number) => {
      if (end < 18) throw new DecodeError("gzip member is truncated", end);
      if (readLE32(data, end - 8) !== crc) {
        throw new DecodeError("gzip CRC-32 does not match", end - 8);
      }
      if (readLE32(data, end - 4) !== size % 2 ** 32) {
        throw new DecodeError("gzip length does not match", end - 4);
      }
      crc = 0;
      size = 0;
    };
    const gunzip = new Gunzip((chunk) => {
      total += chunk.length;
      if (total > limit) throw tooLarge("gzip", limit, at);
      chunks.push(chunk);
      crc = crc32(chunk, crc);
      size += chunk.length;
    });
    gunzip.onmember = endMember;
    const slicer = new Slicer();
    for (; at < data.length; at += DECOMPRESS_CHUNK) {
      gunzip.push(data.subarray(at, at + DECOMPRESS_CHUNK), at + DECOMPRESS_CHUNK >= data.length);
      if (slicer.due()) await slicer.pause();
    }
    endMember(data.length);
    return concat(chunks, total);
  } catch (err) {
    throw asDecodeError("gzip", err, Math.min(at, data.length));
  }
}

/**
 * The gzip codec, on fflate.
 *
 * @example
 * ```ts
 * import { gzipCodec } from "@kafkit/kafkit/protocol";
 * const gzip = gzipCodec({ level: 9 });
 * const packed = await gzip.compress(new TextEncoder().encode("hello ".repeat(100)));
 * console.log((await gzip.decompress(packed)).length); // 600
 * ```
 */
export function gzipCodec(options: GzipCodecOptions = {}): CompressionCodec {
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new RangeError(`gzip level must be an integer from 0 to 9, got ${level}`);
  }
  return {
    id: 1,
    name: "gzip",
    compress: (data) => compress(data, level as Level),
    decompress,
  };
}
