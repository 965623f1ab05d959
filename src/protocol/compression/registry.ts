/**
 * The compression codec registry: the codec the record batch encoder and decoder use for
 * each codec id. It starts with kafkit's built-in gzip, snappy, lz4 and zstd codecs; a
 * registered codec replaces the one with the same id, for every batch from then on.
 *
 * @module
 */

import type { CompressionCodec } from "./codec.ts";
import { gzipCodec } from "./gzip.ts";
import { lz4Codec } from "./lz4.ts";
import { snappyCodec } from "./snappy.ts";
import { zstdCodec } from "./zstd.ts";

const byId = new Map<number, CompressionCodec>();
const byName = new Map<string, CompressionCodec>();

/**
 * Makes `codec` the codec for its id (and name), replacing the one registered before,
 * built-in or not.
 *
 * @example
 * ```ts
 * import { compressionCodec, registerCompressionCodec, zstdCodec } from "@kafkit/kafkit/protocol";
 * registerCompressionCodec(zstdCodec({ level: 9 }));
 * console.log(compressionCodec("zstd").id); // 4
 * ```
 */
export function registerCompressionCodec(codec: CompressionCodec): void {
  const { id, name } = codec;
  if (!Number.isInteger(id) || id < 1 || id > 7) {
    throw new RangeError(`compression codec id must be an integer from 1 to 7, got ${id}`);
  }
  if (typeof name !== "string" || name === "" || name === "none") {
    throw new TypeError(`compression codec name must be a non-empty string other than "none"`);
  }
  if (typeof codec.compress !== "function" || typeof codec.decompress !== "function") {
    throw new TypeError(`compression codec "${name}" must have compress and decompress methods`);
  }
  const holder = byName.get(name);
  if (holder !== undefined && holder.id !== id) {
    throw new TypeError(`compression codec name "${name}" is taken by codec id ${holder.id}`);
  }
  const old = byId.get(id);
  if (old !== undefined) byName.delete(old.name);
  byId.set(id, codec);
  byName.set(name, codec);
}

/**
 * The registered codec for a codec id (as in the batch attributes) or a name. An unknown
 * id or name, including 0 and "none" (no compression, which has no codec), is a TypeError
 * naming it.
 *
 * @example
 * ```ts
 * import { compressionCodec } from "@kafkit/kafkit/protocol";
 * const codec = compressionCodec("lz4");
 * console.log(codec.id, compressionCodec(3) === codec); // 3 true
 * ```
 */
export function compressionCodec(idOrName: number | string): CompressionCodec {
  const codec = typeof idOrName === "number" ? byId.get(idOrName) : byName.get(idOrName);
  if (codec === undefined) {
    const shown = typeof idOrName === "string" ? `"${idOrName}"` : String(idOrName);
    throw new TypeError(`unknown compression codec ${shown}`);
  }
  return codec;
}

for (const codec of [gzipCodec(), snappyCodec(), lz4Codec(), zstdCodec()]) {
  registerCompressionCodec(codec);
}
