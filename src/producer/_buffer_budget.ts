// The Writer's memory budget (`maxBufferedBytes`): the encoded size of every message it has
// accepted and not yet settled (acknowledged or failed). A call takes room for all its
// messages before any is queued, so it is accepted or refused as a whole; calls that find no
// room wait in turn (first come, first served, so small calls cannot starve a large one) for
// at most `maxBlock`. A call larger than the whole budget goes alone, once the buffer is
// empty: its messages are already in the caller's memory, what the budget bounds is how
// much piles up across calls.

import { abortError } from "../_async/abortable.ts";

/** How long a call may wait, and what ends the wait early. */
export interface TakeOptions {
  /** Rejects with `timedOut()` after this many ms without room. */
  timeout: number;
  /** The error for a wait that timed out. */
  timedOut: () => Error;
  /** Rejects with an `AbortError` when it aborts. */
  signal?: AbortSignal;
}

interface Waiter {
  bytes: number;
  /** Its room was taken for it: the wait ends. */
  grant(): void;
  /** The wait ends with `error`. */
  fail(error: unknown): void;
}

/** Room for buffered messages, handed out in turn. */
export class BufferBudget {
  readonly limit: number;
  #used = 0;
  readonly #waiting: Waiter[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes taken and not yet released. */
  get used(): number {
    return this.#used;
  }

  /** Takes `bytes` now if there is room and nobody waits before; otherwise takes nothing. */
  tryTake(bytes: number): boolean {
    if (this.#waiting.length > 0 || !this.#fits(bytes)) return false;
    this.#used += bytes;
    return true;
  }

  /** Takes `bytes` once there is room and every earlier caller has had its turn. */
  take(bytes: number, options: TakeOptions): Promise<void> {
    if (this.tryTake(bytes)) return Promise.resolve();
    const { signal, timeout, timedOut } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const end = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
      };
      const waiter: Waiter = {
        bytes,
        grant: () => {
          end();
          resolve();
        },
        fail: (error) => {
          end();
          reject(error);
          // The next in line may fit where this one did not.
          this.#grant();
        },
      };
      const onAbort = () => waiter.fail(abortError(signal!));
      const timer = setTimeout(() => waiter.fail(timedOut()), timeout);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** Gives back room taken earlier; waiting callers that now fit get theirs. */
  release(bytes: number): void {
    this.#used -= bytes;
    this.#grant();
  }

  /** Fails every waiting caller with `error` (the writer is closing). */
  rejectWaiting(error: Error): void {
    for (const w of [...this.#waiting]) w.fail(error);
  }

  #fits(bytes: number): boolean {
    return this.#used + bytes <= this.limit || this.#used === 0;
  }

  #grant(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0].bytes)) {
      const next = this.#waiting[0];
      this.#used += next.bytes;
      next.grant();
    }
  }
}
