/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches.
 *
 * @module
 */

import { crcSlice16, crcTables } from "./_crc_tables.ts";

const TABLES = crcTables(0x82f63b78);

/** A CRC-32C function: the checksum of `data`, continuing from `crc` when given. */
export type Crc32c = (data: Uint8Array, crc?: number) => number;

const own: Crc32c = (data, crc = 0) => crcSlice16(TABLES, data, crc);
let current: Crc32c = own;

/**
 * The CRC-32C of `data`, continuing from `crc` (the result of an earlier call over the
 * preceding bytes) when given.
 *
 * @example
 * ```ts
 * import { crc32c } from "@kafkit/kafkit/protocol";
 * console.log(crc32c(new TextEncoder().encode("123456789")).toString(16)); // e3069283
 * ```
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  return current(data, crc);
}

/**
 * Makes `fn` the CRC-32C that record batches are checked and written with: a native one
 * that uses the processor's CRC instruction, such as `crc32c` of the `@node-rs/crc32`
 * package on Node and Bun, checks a fetched megabyte several times faster than kafkit's own
 * (which is plain TypeScript, so it runs everywhere). `fn` is tried on known checksums first,
 * continuation and unaligned views included; one that gets any wrong is a TypeError, and
 * kafkit keeps what it had. `undefined` puts kafkit's own back.
 *
 * @example
 * ```ts
 * import { crc32c, registerCrc32c } from "@kafkit/kafkit/protocol";
 * // A native checksum would go here: `registerCrc32c(nativeCrc32c)`.
 * registerCrc32c((data, crc) => crc32c(data, crc));
 * registerCrc32c(undefined);
 * ```
 */
export function registerCrc32c(fn: Crc32c | undefined): void {
  if (fn === undefined) {
    current = own;
    return;
  }
  if (typeof fn !== "function") {
    throw new TypeError(`registerCrc32c: expected a function or undefined, got ${typeof fn}`);
  }
  const wrong = wrongAnswer(fn);
  if (wrong !== undefined) {
    throw new TypeError(`registerCrc32c: the function does not compute CRC-32C: ${wrong}`);
  }
  current = fn;
}

/** What `fn` gets wrong against kafkit's own CRC-32C, or undefined when nothing. */
function wrongAnswer(fn: Crc32c): string | undefined {
  const digits = new TextEncoder().encode("123456789");
  // Bytes of every value, viewed at an odd offset: native code must honour the view.
  const bytes = new Uint8Array(1_031);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 167 + 13) & 0xff;
  const view = bytes.subarray(3, 1_030);
  const cases: [string, () => number, number][] = [
    ['"123456789"', () => fn(digits), 0xe3069283],
    [
      '"123456789" continued from "1234"',
      () => fn(digits.subarray(4), fn(digits.subarray(0, 4))),
      0xe3069283,
    ],
    ["no bytes", () => fn(new Uint8Array(0)), 0],
    ["a view at an odd offset", () => fn(view), own(view)],
  ];
  for (const [what, run, want] of cases) {
    let got: unknown;
    try {
      got = run();
    } catch (e) {
      return `${what} threw ${e}`;
    }
    if (got !== want) return `${what} gave ${String(got)}, not ${want}`;
  }
  return undefined;
}
