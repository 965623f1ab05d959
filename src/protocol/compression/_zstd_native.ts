// zstd by the runtime's own libzstd, through node:zlib: Node 22.15+ / 23.8+, Deno, Bun and
// Cloudflare Workers with nodejs_compat have it. The callback forms run on the runtime's
// thread pool, so the event loop is not held while they work (except decompression on Deno,
// below). Loaded lazily by zstd.ts, which falls back to WebAssembly (to compress) and fzstd
// (to decompress) when node:zlib cannot load (a Worker without nodejs_compat) or has no zstd
// (Node 20). node:zlib is imported dynamically for the same reason: a bundle that carries
// this module must still load where node:zlib does not exist.

import { plain } from "./_util.ts";
import { type FrameDecoder, OutputLimit } from "./_zstd_frames.ts";

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
  zstdDecompress?: (data: Uint8Array, options: { maxOutputLength: number }, cb: Callback) => void;
  zstdDecompressSync?: (data: Uint8Array, options: { maxOutputLength: number }) => Uint8Array;
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
  let z: ZstdZlib;
  try {
    // In a try block, which tells bundlers (esbuild) to leave the import to run time.
    z = await import("node:zlib") as unknown as ZstdZlib;
  } catch {
    return undefined;
  }
  const { zstdCompress, zstdDecompress } = z;
  const levelParam = z.constants.ZSTD_c_compressionLevel;
  if (!zstdCompress || !zstdDecompress || levelParam === undefined) return undefined;
  return {
    compress: (data, level) =>
      new Promise((resolve, reject) => {
        zstdCompress(data, { params: { [levelParam]: level } }, (err, result) => {
          if (err) reject(err);
          else resolve(plain(result));
        });
      }),
    decompressFrame: (frame, room) =>
      new Promise((resolve, reject) => {
        // maxOutputLength must be 1 to 2^31 - 1 on some runtimes; the room is checked below.
        const maxOutputLength = Math.min(Math.max(room, 1), 2 ** 31 - 1);
        const done: Callback = (err, result) => {
          if (err) reject(err.code === "ERR_BUFFER_TOO_LARGE" ? new OutputLimit() : err);
          else if (result.length > room) reject(new OutputLimit());
          else resolve([plain(result)]);
        };
        if (syncOnly && z.zstdDecompressSync) {
          try {
            done(null, z.zstdDecompressSync(frame, { maxOutputLength }));
          } catch (err) {
            done(err as Error & { code?: string }, new Uint8Array(0));
          }
        } else {
          zstdDecompress(frame, { maxOutputLength }, done);
        }
      }),
  };
}
