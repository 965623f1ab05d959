// zstd by the runtime's own libzstd, through node:zlib: Node 22.15+ / 23.8+, Deno, Bun and
// Cloudflare Workers with nodejs_compat have it. Compression uses the callback form, which
// runs on the runtime's thread pool, so the event loop is not held while it works;
// decompression goes through `inflateNative` (synchronous for batch-sized frames, measured
// cheaper; except on Deno, below). Loaded lazily by zstd.ts, which falls back to WebAssembly
// (to compress) and fzstd (to decompress) when node:zlib cannot load (a Worker without
// nodejs_compat) or has no zstd (Node 20).

import { plain } from "./_util.ts";
import type { FrameDecoder } from "./_zstd_frames.ts";
import { inflateNative, loadZlib, type NativeInflate } from "./_zlib_native.ts";

/** Compresses `data` at a zstd level. */
export type ZstdCompress = (data: Uint8Array, level: number) => Promise<Uint8Array>;

type Callback = (err: (Error & { code?: string }) | null, result: Uint8Array) => void;

// The slice of node:zlib used here, declared so that a zlib without zstd type-checks too.
interface ZstdZlib {
  zstdCompress?: (
    data: Uint8Array,
    options: { params: Record<number, number> },
    cb: Callback,
  ) => void;
  zstdDecompress?: NativeInflate["callback"];
  zstdDecompressSync?: NativeInflate["sync"];
  constants: { ZSTD_c_compressionLevel?: number };
}

// Deno 2.9's callback zstdDecompress raises some corruption errors as uncaught exceptions
// instead of passing them to the callback, which ends the process. Its synchronous form
// throws them normally and takes ~1.5 ms per MiB, so Deno uses that.
const syncOnly = "Deno" in globalThis;

/** The runtime's zstd, or undefined when it has no node:zlib or its zlib has no zstd. */
export async function nativeZstd(): Promise<
  { compress: ZstdCompress; decompressFrame: FrameDecoder } | undefined
> {
  const z = await loadZlib() as ZstdZlib | undefined;
  if (!z) return undefined;
  const { zstdCompress, zstdDecompress, zstdDecompressSync } = z;
  const levelParam = z.constants.ZSTD_c_compressionLevel;
  if (!zstdCompress || !zstdDecompress || levelParam === undefined) return undefined;
  const inflate: NativeInflate = {
    sync: zstdDecompressSync,
    callback: syncOnly && zstdDecompressSync ? undefined : zstdDecompress,
  };
  return {
    compress: (data, level) =>
      new Promise((resolve, reject) => {
        zstdCompress(data, { params: { [levelParam]: level } }, (err, result) => {
          if (err) reject(err);
          else resolve(plain(result));
        });
      }),
    decompressFrame: async (frame, room) => [await inflateNative(inflate, frame, room)],
  };
}
