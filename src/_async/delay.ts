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
