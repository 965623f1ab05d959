/**
 * Checks for numeric options, so every component reports a bad value the same way.
 *
 * @module
 */

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
