/**
 * Broker addresses.
 *
 * @module
 */

/**
 * Splits `host:port` (or `[v6]:port`); a `TypeError` names a malformed address, a
 * `RangeError` a port outside 1–65535.
 *
 * @example
 * ```ts
 * import { parseAddress } from "@kafkit/kafkit";
 * console.log(parseAddress("[::1]:9092")); // { host: "::1", port: 9092 }
 * ```
 */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(-?\d+)$/.exec(address.trim());
  if (!m || m[1] === "") {
    throw new TypeError(`invalid broker address "${address}": expected host:port`);
  }
  return { host: m[1], port: checkPort(Number(m[2]), `broker address "${address}"`) };
}

/** `port`, or a `RangeError` naming `what` unless it is a TCP port (1–65535). */
export function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`${what}: port must be 1–65535, got ${port}`);
  }
  return port;
}
