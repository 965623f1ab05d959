// Decompression by the runtime's own zlib (node:zlib: Node, Deno, Bun, and Cloudflare
// Workers with nodejs_compat), which gzip and zstd use where it loads. node:zlib is imported
// dynamically, in a try block (which tells bundlers such as esbuild to leave the import to
// run time), so a bundle that carries this module still loads where node:zlib does not exist.

import { plain } from "./_util.ts";
import { OutputLimit } from "./_zstd_frames.ts";

type Callback = (err: (Error & { code?: string }) | null, result: Uint8Array) => void;
type Options = { maxOutputLength: number };

/** One node:zlib decompressor: its synchronous form, its callback form, or both. */
export interface NativeInflate {
  sync?: (data: Uint8Array, options: Options) => Uint8Array;
  callback?: (data: Uint8Array, options: Options, cb: Callback) => void;
}

/**
 * Compressed inputs up to this size are decompressed synchronously. Measured on record
 * batches (16 KiB to 1 MiB), the callback form, which hands the work to the thread pool,
 * costs 1.5 to 3 times the CPU of the synchronous one on Node and Bun, and this much input
 * holds the event loop a few milliseconds at most; a larger one goes to the thread pool.
 */
export const SYNC_INPUT_MAX = 128 * 1024;

const EMPTY = new Uint8Array(0);

/** node:zlib, or undefined where it cannot load (a browser, a Worker without nodejs_compat). */
export async function loadZlib(): Promise<Record<string, unknown> | undefined> {
  try {
    return await import("node:zlib") as unknown as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Decompresses `data` to at most `room` bytes; rejects with OutputLimit past it. */
export function inflateNative(
  f: NativeInflate,
  data: Uint8Array,
  room: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // maxOutputLength must be 1 to 2^31 - 1 on some runtimes; the room is checked below.
    const maxOutputLength = Math.min(Math.max(room, 1), 2 ** 31 - 1);
    const done: Callback = (err, result) => {
      if (err) reject(err.code === "ERR_BUFFER_TOO_LARGE" ? new OutputLimit() : err);
      else if (result.length > room) reject(new OutputLimit());
      else resolve(plain(result));
    };
    if (f.sync && (data.length <= SYNC_INPUT_MAX || !f.callback)) {
      let result: Uint8Array;
      try {
        result = f.sync(data, { maxOutputLength });
      } catch (err) {
        done(err as Error & { code?: string }, EMPTY);
        return;
      }
      done(null, result);
    } else {
      f.callback!(data, { maxOutputLength }, done);
    }
  });
}

/** An empty gzip member: a gunzip that cannot decode it is not used. */
const EMPTY_GZIP = new Uint8Array([
  0x1f,
  0x8b,
  8,
  0,
  0,
  0,
  0,
  0,
  0,
  0xff,
  3,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
]);

/** The runtime's gunzip, or undefined when it has none that works. */
export async function nativeGunzip(): Promise<NativeInflate | undefined> {
  const z = await loadZlib();
  const f: NativeInflate = {
    sync: z?.gunzipSync as NativeInflate["sync"],
    callback: z?.gunzip as NativeInflate["callback"],
  };
  if (!f.sync && !f.callback) return undefined;
  try {
    return (await inflateNative(f, EMPTY_GZIP, 1)).length === 0 ? f : undefined;
  } catch {
    return undefined;
  }
}
