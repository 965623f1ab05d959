// What the chaos scripts share in reading their command line.

import process from "node:process";

/** Exits (0) with a pointer to the script's header when `--help` was given. */
export function helpAndExit(flags: { help?: boolean }, script: string): void {
  if (!flags.help) return;
  console.log(`usage: see the header of ${script}`);
  process.exit(0);
}

/** A flag's value as an integer >= `min`, or exit 2 with a message naming the flag. */
export function intFlag(flags: Record<string, unknown>, name: string, min = 1): number {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${name} must be an integer >= ${min}, got ${flags[name]}`);
    process.exit(2);
  }
  return v;
}

/** Prints a run's report: `summary` as one JSON line with `--json`, else `text`. */
export function printReport(json: boolean | undefined, summary: object, text: string): void {
  console.log(json ? JSON.stringify(summary) : text);
}
