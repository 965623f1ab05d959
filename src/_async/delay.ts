/**
 * Waiting that a signal can cut short.
 *
 * @module
 */

import { abortError } from "./abortable.ts";

/** Waits `ms`, or rejects with an `AbortError` when the signal aborts first. */
export function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  const signal = options.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Waits for `work` for at most `ms`, or until `signal` aborts (the grace a client's close()
 * gives): true when `work` ended in time, false when the grace ran out first.
 */
export function withinGrace(
  work: Promise<unknown>,
  ms: number,
  signal?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", over);
    };
    const over = () => {
      done();
      resolve(false);
    };
    const timer = setTimeout(over, ms);
    if (signal?.aborted) return over();
    signal?.addEventListener("abort", over, { once: true });
    work.then(() => {
      done();
      resolve(true);
    }, (e) => {
      done();
      reject(e);
    });
  });
}
