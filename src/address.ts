/**
 * Broker addresses.
 *
 * @module
 */

/**
 * Splits `host:port` (or `[v6]:port`); a `TypeError` names a malformed address.
 *
 * @example
 * ```ts
 * import { parseAddress } from "@kafkit/kafkit";
 * console.log(parseAddress("[::1]:9092")); // { host: "::1", port: 9092 }
 * ```
 */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || m[1] === "" || !(port > 0 && port < 65536)) {
    throw new TypeError(`invalid broker address "${address}": expected host:port`);
  }
  return { host: m[1], port };
}
