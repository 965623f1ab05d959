/**
 * Small byte helpers (what `@std/bytes` would provide, which these builds cannot fetch).
 *
 * @module
 */

/**
 * The bytes of `parts`, one after another, in a new array.
 *
 * @example
 * ```ts
 * import { concatBytes } from "@kafkit/kafkit/protocol";
 * console.log(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])])); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
