/**
 * Waiting for something to happen: `wait()` settles on the next `notify()`, when its
 * timeout passes, or when its signal aborts — the one shape for wake-ups, as `retry` is for
 * retries.
 *
 * @module
 */

import { abortError } from "./abortable.ts";

/** Options of {@linkcode Notifier.wait}. */
export interface WaitOptions {
  /** Ends the wait with a rejection (an `AbortError`). */
  signal?: AbortSignal;
  /** Resolves after this many ms if nothing was notified. */
  timeout?: number;
}

/** Wakes every waiter at once. */
export class Notifier {
  readonly #waiters = new Set<() => void>();

  /** Whether anyone waits. */
  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /** Resolves on the next `notify()` or after `timeout`; rejects when `signal` aborts. */
  wait(options: WaitOptions = {}): Promise<void> {
    const { signal, timeout } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const end = () => {
        this.#waiters.delete(wake);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const wake = () => {
        end();
        resolve();
      };
      const onAbort = () => {
        end();
        reject(abortError(signal!));
      };
      this.#waiters.add(wake);
      if (timeout !== undefined) timer = setTimeout(wake, timeout);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wakes everyone waiting now. */
  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
