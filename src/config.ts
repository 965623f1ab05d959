/**
 * Option checks shared by every public config: numbers, the brokers list, unknown names.
 *
 * @module
 */

import { parseAddress } from "./address.ts";

/** `v`, or `fallback` when undefined; a `RangeError` naming `name` unless an integer >= min. */
export function positiveInt(
  name: string,
  v: number | undefined,
  fallback: number,
  min = 1,
): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  }
  return v;
}

/**
 * The bootstrap list from a `brokers` option: an array of `host:port` strings or one string,
 * either of which may hold comma-separated addresses (`"a:9092,b:9092"`). Each address is
 * checked; a malformed one is a `TypeError` naming `field` and the address, a port outside
 * 1–65535 a `RangeError`.
 */
export function parseBrokers(value: unknown, field = "brokers"): string[] {
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items) || items.some((b) => typeof b !== "string")) {
    throw new TypeError(`${field} must be host:port strings, got ${describe(value)}`);
  }
  const out = (items as string[]).flatMap((b) => b.split(",")).map((b) => b.trim()).filter((b) =>
    b !== ""
  );
  if (out.length === 0) throw new TypeError(`${field} must list at least one host:port address`);
  for (const b of out) {
    try {
      parseAddress(b);
    } catch (e) {
      if (e instanceof RangeError) throw new RangeError(`${field}: ${e.message}`);
      throw new TypeError(`${field}: invalid broker address "${b}": expected host:port`);
    }
  }
  return out;
}

/**
 * Throws a `TypeError` naming the first key of `config` that is not in `known`: a misspelt
 * option (`batchTimout`) must not be silently ignored. Cheap enough for a call per message:
 * no array is made, and an empty object has nothing to loop over.
 */
export function rejectUnknownOptions(
  what: string,
  config: object,
  known: ReadonlySet<string>,
): void {
  for (const key in config) {
    if (!known.has(key) && Object.hasOwn(config, key)) {
      const hint = closest(key, known);
      throw new TypeError(
        `${what}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`,
      );
    }
  }
}

/** The options of a call that takes only a signal. */
export const SIGNAL_ONLY: ReadonlySet<string> = new Set(["signal"]);

/**
 * The default of a per-message call's options: a call given none skips the check by identity
 * (looping over even an empty object costs ~12 ns, ~3% of a message).
 */
export const NO_OPTIONS: Readonly<Record<string, never>> = Object.freeze({});

/** The known name nearest to `key` (edit distance at most 2), for the error message. */
function closest(key: string, known: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

function describe(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? "an array" : String(v);
}
