/**
 * The one retry helper: capped exponential backoff with full jitter, a retriable test, an
 * attempt budget and the caller's signal.
 *
 * @module
 */

import { throwIfAborted } from "./abortable.ts";
import { delay } from "./delay.ts";

/** Backoff settings. */
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
  // A minimum of 0 still backs off (from 1 ms), so retries never go out back to back.
  const ceiling = Math.min(max, Math.max(min, 1) * 2 ** Math.max(0, attempt - 1));
  return Math.max(min / 10, Math.random() * ceiling);
}

/** Options of {@linkcode retry}. */
export interface RetryOptions extends BackoffOptions {
  /** Attempts in all, the first included (default 10; `Infinity` for no cap). */
  attempts?: number;
  /**
   * No retry starts after this time (ms since the epoch): a wait that would end later is cut
   * short to end there, for one last attempt; then the last failure is thrown.
   */
  until?: number;
  /**
   * What to throw when `until` ends the retries, given the last failure (default: that
   * failure), so that a caller can say its time ran out.
   */
  timeUp?: (lastError: unknown) => unknown;
  /** Whether a failure may be retried (default: its `retriable` flag is true). */
  isRetriable?: (error: unknown, attempt: number) => boolean;
  /** Stops retrying: a wait in progress rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** Called before each wait, with the failure, the attempt that failed and the delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Whether an error says a retry can help (`KafkaError`, `ConnectionError`, …). */
export function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable === true;
}

/**
 * Runs `fn` until it succeeds, a failure is not retriable, the attempts or the time (`until`)
 * run out (the last failure is thrown, or `timeUp`'s error) or `signal` aborts. `fn` gets the attempt number,
 * from 1.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  const retriable = options.isRetriable ?? isRetriable;
  for (let attempt = 1;; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (e) {
      if (options.signal?.aborted || attempt >= attempts || !retriable(e, attempt)) throw e;
      let wait = backoffDelay(attempt, options);
      if (options.until !== undefined) {
        const left = options.until - Date.now();
        if (left <= 0) throw options.timeUp ? options.timeUp(e) : e;
        wait = Math.min(wait, left);
      }
      options.onRetry?.(e, attempt, wait);
      await delay(wait, { signal: options.signal });
    }
  }
}
