/**
 * The zstd codec (Kafka codec id 4, since Kafka 2.1).
 *
 * libzstd does the work wherever the runtime has it: Node 22.15+ / 23.8+, Deno 2 and Bun
 * all expose it as node:zlib's `zstdCompress` / `zstdDecompress` (Bun's own
 * `Bun.zstdCompress` is the same library, so node:zlib covers all three). Measured on 1 MiB
 * of record-like data at level 3: 3 to 5 ms to compress, 1 to 3 ms to decompress. Compression
 * runs on the thread pool, leaving the event loop free; a frame of a batch's size is
 * decompressed synchronously, which costs a half to a third of the CPU (`_zlib_native.ts`).
 *
 * Node 20's zlib has no zstd. There:
 *
 * - compression loads @hpcc-js/wasm-zstd (libzstd 1.5.7 compiled to WebAssembly; Apache-2.0;
 *   maintained; one 240 KB ES module with the .wasm inlined, so it loads on Deno, Bun and
 *   Node without file system or network tricks; ~40 ms to compile once, then ~20 ms per MiB
 *   at level 3, synchronously). The alternatives were worse: @bokuweb/zstd-wasm's ES module
 *   entry calls `require` and reads its .wasm with fs, @foxglove/wasm-zstd is CommonJS
 *   reading a separate .wasm, zstd-codec is unmaintained emscripten output several times
 *   the size. A pure JavaScript compressor worth using does not exist.
 * - decompression is fzstd (pure JavaScript, ~200 MB/s), in slices (`_zstd_fzstd.ts`).
 *
 * Cloudflare Workers: with the `nodejs_compat` compatibility flag, workerd's node:zlib has
 * zstd, so both directions are native. Without it there is no node:zlib, and Workers refuse
 * to compile WebAssembly at run time, so compression fails with an error that says so
 * (enable the flag, or register a codec of your own); decompression is fzstd's, as on Node 20.
 *
 * Every frame header is checked first (`_zstd_frames.ts`): a content size or window larger
 * than `maxSize` allows is refused before any decoder allocates it. The optional content
 * checksum is verified by libzstd, not by fzstd (Kafka's producers do not write one; the
 * batch CRC-32C covers the compressed bytes). Frames that need a dictionary are refused.
 *
 * The runtime-specific paths are dynamic imports (`_zstd_native.ts`, `_zstd_wasm.ts`), so
 * this module stays runtime-agnostic and neither loads before the first zstd call.
 *
 * @module
 */

import type { CompressionCodec } from "./codec.ts";
import { Slicer } from "../../_async/slicer.ts";
import { decompressFrames, type FrameDecoder } from "./_zstd_frames.ts";
import { fzstdFrame } from "./_zstd_fzstd.ts";
import type { ZstdCompress } from "./_zstd_native.ts";

const MIN_LEVEL = -131072;
const MAX_LEVEL = 22;

/** Options for `zstdCodec`. */
export interface ZstdCodecOptions {
  /** Compression level, -131072 (fastest) to 22 (smallest); default 3, as in Kafka. */
  level?: number;
}

type Native = { compress: ZstdCompress; decompressFrame: FrameDecoder } | undefined;

let native: Promise<Native> | undefined;
let wasm: Promise<ZstdCompress> | undefined;

// Never rejects: a runtime without node:zlib (a browser, a Worker without nodejs_compat)
// simply has no native zstd.
function loadNative(): Promise<Native> {
  native ??= import("./_zstd_native.ts").then((m) => m.nativeZstd(), () => undefined);
  return native;
}

async function compressor(): Promise<ZstdCompress> {
  const n = await loadNative();
  if (n) return n.compress;
  wasm ??= import("./_zstd_wasm.ts").then((m) => m.wasmZstdCompress, (err) => {
    wasm = undefined; // let a later call try again
    throw err;
  });
  return wasm;
}

/**
 * The zstd codec: the runtime's libzstd where it has one (Node 22.15+, Deno, Bun), else
 * libzstd in WebAssembly to compress and fzstd to decompress.
 *
 * @example
 * ```ts
 * import { zstdCodec } from "@kafkit/kafkit/protocol";
 * const zstd = zstdCodec({ level: 6 });
 * const packed = await zstd.compress(new TextEncoder().encode("hello ".repeat(100)));
 * console.log((await zstd.decompress(packed)).length); // 600
 * ```
 */
export function zstdCodec(options: ZstdCodecOptions = {}): CompressionCodec {
  const level = options.level ?? 3;
  if (!Number.isInteger(level) || level < MIN_LEVEL || level > MAX_LEVEL) {
    throw new RangeError(
      `zstd level must be an integer from ${MIN_LEVEL} to ${MAX_LEVEL}, got ${level}`,
    );
  }
  return {
    id: 4,
    name: "zstd",
    compress: async (data) => (await compressor())(data, level),
    decompress: async (data, maxSize) =>
      decompressFrames(
        data,
        maxSize,
        (await loadNative())?.decompressFrame ?? fzstdFrame,
        new Slicer(),
      ),
  };
}
