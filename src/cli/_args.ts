/**
 * Reading a command's parsed arguments: option values and positionals checked and converted,
 * bad input a UsageError naming the flag.
 *
 * @module
 */

/** Bad command line input: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The options a command parsed: strings, booleans and repeated strings. */
export type Values = Record<string, string | boolean | string[] | undefined>;

/** What a command's `run` gets. */
export interface Parsed {
  values: Values;
  positionals: string[];
}

/** A string option's value (the last one, if given several times). */
export function stringOf(values: Values, name: string): string | undefined {
  const v = values[name];
  return Array.isArray(v) ? v.at(-1) : typeof v === "string" ? v : undefined;
}

/** A repeatable option's values. */
export function listOfValues(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** A required string option. */
export function requiredString(values: Values, name: string): string {
  const v = stringOf(values, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** An integer option within [min, max], or undefined when absent. */
export function intOption(
  values: Values,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = stringOf(values, name);
  if (v === undefined) return undefined;
  return intArg(`--${name}`, v, min, max);
}

/** An integer argument within [min, max]. */
export function intArg(what: string, v: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/** `name=value` arguments (configs, headers) as pairs; the value may contain `=`. */
export function keyValues(what: string, items: string[]): [string, string][] {
  return items.map((item) => {
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`${what} takes NAME=VALUE, got ${JSON.stringify(item)}`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/** Exactly `count` positional arguments (or at least one with `"some"`). */
export function positionalsOf(input: Parsed, what: string, count: number | "some"): string[] {
  const p = input.positionals;
  if (count === "some" ? p.length === 0 : p.length !== count) {
    throw new UsageError(
      count === "some" ? `give at least one ${what}` : `give exactly ${count} ${what}`,
    );
  }
  return p;
}

/** A time: milliseconds since the epoch, or an ISO 8601 date (`2026-01-02T03:04:05Z`). */
export function timeArg(what: string, v: string): number {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(`${what}: ${JSON.stringify(v)} is neither epoch ms nor an ISO 8601 time`);
  }
  return ms;
}
