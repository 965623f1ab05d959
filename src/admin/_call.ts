/**
 * What every admin call carries: one signal that ends it (the caller's, or its deadline),
 * and the time the broker may take for operations with a server-side timeout.
 *
 * @module
 */

import { deadline } from "../_async/deadline.ts";
import { anySignal } from "../_async/abortable.ts";
import { positiveInt, rejectUnknownOptions } from "../config.ts";

/** Options every admin call takes. */
export interface AdminCallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Time for the whole call, retries included, in ms (default: the client's `timeout`). */
  timeout?: number;
}

/** The call's bounds, as the operation modules see them. */
export interface Call {
  /** Aborts when the caller cancels or the call's time is up. */
  readonly signal: AbortSignal;
  /** The call's time in ms: what a request's broker-side `timeoutMs` gets. */
  readonly timeout: number;
  /**
   * What every request of the call carries to `Cluster.request`: the signal, and the admin
   * lane, so a slow admin request (a CreateTopics the controller holds) never delays the
   * metadata lookups, produces or fetches of clients sharing the core.
   */
  readonly options: { readonly signal: AbortSignal; readonly lane: "admin" };
}

/**
 * Runs `op` bounded by `options` (a `TimeoutError` naming `what` when its time is up, the
 * signal's reason when the caller aborts); `op`'s requests see one signal for both.
 * `optionNames` are the call's own options besides `signal` and `timeout`: any other name is
 * a `TypeError` before anything is sent, so a misspelt `validateOnly` cannot create a topic.
 */
export async function runCall<T>(
  what: string,
  options: AdminCallOptions | undefined,
  defaultTimeout: number,
  op: (call: Call) => Promise<T>,
  optionNames: readonly string[] = [],
): Promise<T> {
  if (options !== undefined) {
    rejectUnknownOptions(what, options, new Set(["signal", "timeout", ...optionNames]));
  }
  const timeout = positiveInt("timeout", options?.timeout, defaultTimeout);
  const expired = new AbortController();
  const signal = anySignal(options?.signal, expired.signal)!;
  return await deadline(op({ signal, timeout, options: { signal, lane: "admin" } }), timeout, {
    signal: options?.signal,
    what,
  })
    .finally(() => expired.abort());
}
