/**
 * Retrying with capped exponential backoff and full jitter.
 *
 * @module
 */

/** Backoff settings: the first delay, the cap, and how many attempts in all. */
export interface BackoffOptions {
  /** First delay in ms (default 100). */
  backoffMin?: number;
  /** Largest delay in ms (default 1000). */
  backoffMax?: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): a random time up to
 * `min * 2^(attempt-1)`, capped at `max`, and never below a tenth of `min` ("full jitter",
 * so many clients retrying at once spread out).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const min = options.backoffMin ?? 100;
  const max = options.backoffMax ?? 1000;
  const ceiling = Math.min(max, min * 2 ** Math.max(0, attempt - 1));
  return Math.max(min / 10, Math.random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, or a rejection with the signal's reason when `signal` aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
