/**
 * Per-item results: a call about many topics, groups or partitions answers for each one, with
 * its own error, so one bad item never hides the others.
 *
 * @module
 */

import { KafkitError } from "../errors.ts";

/** One item of a many-item call: its data, and `error` when this item failed. */
export interface ItemResult {
  /** Why this item failed; undefined when it succeeded. */
  error?: Error;
}

/** Thrown by {@linkcode throwIfFailed}: every failed item, each with its error. */
export class FailedItemsError<T extends ItemResult = ItemResult> extends KafkitError {
  /** The items that failed (each has `error`). */
  readonly failed: readonly T[];

  /** Creates the error from the failed items. */
  constructor(failed: readonly T[]) {
    const first = failed[0]?.error?.message ?? "";
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
    super(`${failed.length} item(s) failed: ${first}${more}`, false, {
      cause: failed[0]?.error,
    });
    this.failed = failed;
  }
}

/**
 * `results` when every item succeeded; a {@linkcode FailedItemsError} listing the failed
 * ones otherwise.
 *
 * @example
 * ```ts ignore
 * const results = throwIfFailed(await admin.createTopics([{ topic: "a" }, { topic: "b" }]));
 * ```
 */
export function throwIfFailed<T extends ItemResult>(results: readonly T[]): readonly T[] {
  const failed = results.filter((r) => r.error !== undefined);
  if (failed.length > 0) throw new FailedItemsError(failed);
  return results;
}

/** The error of an item the broker's answer left out (a broker bug; never silently fine). */
export function noAnswer(api: string, item: string): KafkitError {
  return new KafkitError(`${api}: the broker's answer has no result for ${item}`);
}
