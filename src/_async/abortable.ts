/**
 * Giving up on a promise when a signal aborts, and the one way an abort is thrown: every
 * wait that a signal ends rejects with {@linkcode abortError}, a kafkit `AbortError` whose
 * cause is the signal's reason (never the bare reason, often a DOMException).
 *
 * @module
 */

import { AbortError, KafkitError } from "../errors.ts";

/** One error per aborted signal, so every wait it ends rejects with the same one. */
const errors = new WeakMap<AbortSignal, unknown>();

/**
 * What a wait that `signal` ended rejects with: an `AbortError` whose cause is the signal's
 * reason. A reason that is a kafkit error already (the ones kafkit aborts its own signals
 * with, such as `ReaderClosedError`) is thrown as it is. Only for a signal that aborted.
 */
export function abortError(signal: AbortSignal): unknown {
  if (!signal.aborted) throw new TypeError("abortError needs an aborted signal");
  let error = errors.get(signal);
  if (error === undefined) {
    const reason = signal.reason;
    error = reason instanceof KafkitError ? reason : new AbortError(reason);
    errors.set(signal, error);
  }
  return error;
}

/** Throws {@linkcode abortError} when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * `promise`, or a rejection with {@linkcode abortError} when `signal` aborts first. The
 * promise itself goes on (it may be shared); only this wait ends.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    // Nobody waits for it here: its failure must not surface as an unhandled rejection.
    promise.catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * A signal that aborts when any of `signals` does (undefined ones are skipped), or
 * `undefined` when none is given.
 */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
