// zstd compression by libzstd compiled to WebAssembly (@hpcc-js/wasm-zstd), for runtimes
// whose zlib has no zstd (Node 20, Node 22 before 22.15). Loaded lazily by zstd.ts: the
// package inlines its .wasm, so loading needs no file system or network access, but it
// costs ~40 ms of compilation and 240 KB of code that most runtimes never need.

import { Zstd } from "@hpcc-js/wasm-zstd";

let instance: Promise<Zstd> | undefined;

/** Compresses `data` at a zstd level. */
export async function wasmZstdCompress(data: Uint8Array, level: number): Promise<Uint8Array> {
  instance ??= Zstd.load().catch((err) => {
    instance = undefined; // let a later call try again
    throw unavailable(err);
  });
  const zstd = await instance;
  const out = zstd.compress(data, level);
  // The package reports a failed ZSTD_compress on the console only; a result that is not
  // a zstd frame must not be sent.
  if (out.length < 4 || out[0] !== 0x28 || out[1] !== 0xb5 || out[2] !== 0x2f || out[3] !== 0xfd) {
    throw new Error("zstd (WASM) compression failed");
  }
  return out;
}

// Cloudflare Workers refuse to compile WebAssembly at run time ("Wasm code generation
// disallowed by embedder"), so neither libzstd is at hand there: the error says what works.
function unavailable(err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(
    `zstd compression is unavailable: this runtime's node:zlib has no zstd and the ` +
      `WebAssembly libzstd cannot load (${reason}). On Cloudflare Workers, enable the ` +
      `nodejs_compat compatibility flag (its node:zlib has zstd), or register a zstd codec of ` +
      `your own with registerCompressionCodec. zstd decompression works everywhere.`,
    { cause: err },
  );
}
