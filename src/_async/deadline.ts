/**
 * Racing a promise against a time limit.
 *
 * @module
 */

import { TimeoutError } from "../errors.ts";
import { abortError } from "./abortable.ts";

/** Options of {@linkcode deadline}. */
export interface DeadlineOptions<T> {
  /** Ends the wait early with an `AbortError` (see `abortError`). */
  signal?: AbortSignal;
  /** Names the operation in the `TimeoutError` ("connecting to a:1 timed out after …"). */
  what?: string;
  /** The broker concerned, set on the `TimeoutError`. */
  address?: string;
  /** Releases a result that arrives after the wait ended (e.g. closes a late socket). */
  dispose?: (value: T) => void;
}

/**
 * `promise`, or a `TimeoutError` after `ms`, or an `AbortError` when the signal aborts first.
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  options: DeadlineOptions<T> = {},
): Promise<T> {
  const { signal, what = "operation", dispose, address } = options;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new TimeoutError(`${what} timed out after ${ms} ms`, { address, timeoutMs: ms }));
    }, ms);
    const onAbort = () => {
      finish();
      reject(abortError(signal!));
    };
    // Handled before anything else, so a failure after the wait ended (or a signal that had
    // aborted already) is never an unhandled rejection, and a late value is disposed of.
    promise.then((v) => {
      if (settled) return dispose?.(v);
      finish();
      resolve(v);
    }, (e) => {
      if (settled) return;
      finish();
      reject(e);
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
