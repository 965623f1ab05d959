/**
 * Requests to a consumer group's coordinator: find it, send, and find it again when it moves
 * or loads (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, a
 * dropped connection).
 *
 * @module
 */
import { ConnectionError } from "../errors.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { abortable } from "../_async/abortable.ts";
import { delay } from "../_async/delay.ts";
import { backoffDelay } from "../_async/retry.ts";
import type { Api } from "../protocol/api.ts";
import { ErrorCodes, errorForCode } from "../protocol/errors.ts";
import { FindCoordinator } from "../protocol/generated/find_coordinator.ts";
import type { Connection } from "../transport/connection.ts";

/** Options of one coordinator request. */
export interface CoordinatorCallOptions {
  signal?: AbortSignal;
  /** Time allowed for the broker's answer, in ms. */
  timeout?: number;
  /** Use at most this version of the API. */
  maxVersion?: number;
}

const MOVED: ReadonlySet<number> = new Set([
  ErrorCodes.NOT_COORDINATOR,
  ErrorCodes.COORDINATOR_NOT_AVAILABLE,
]);

/** The coordinator of one group, found lazily and again after it moves. */
export class GroupCoordinator {
  readonly #cluster: Cluster;
  readonly #groupId: string;
  readonly #attempts: number;
  #nodeId: Promise<number> | undefined;

  constructor(cluster: Cluster, groupId: string, attempts = 20) {
    this.#cluster = cluster;
    this.#groupId = groupId;
    this.#attempts = attempts;
  }

  /**
   * Sends `body` to the coordinator and returns the answer. `errorCode` picks the code that
   * says whether the coordinator moved (the top-level one, or a partition's for commits);
   * other errors are the caller's to handle.
   */
  async request<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    errorCode: (res: Res) => number,
    options: CoordinatorCallOptions = {},
  ): Promise<Res> {
    for (let attempt = 1;; attempt++) {
      let conn: Connection;
      let nodeId = -1;
      let code: number;
      let failure: unknown;
      try {
        // The lookup is shared by every caller, so one caller's signal must not end it.
        nodeId = await abortable(this.#find(), options.signal);
        conn = await this.#cluster.connection(nodeId);
        const res = await conn.request(api, body, {
          signal: options.signal,
          timeout: options.timeout,
          version: conn.negotiate(api, options.maxVersion),
        });
        code = errorCode(res);
        if (!MOVED.has(code) && code !== ErrorCodes.COORDINATOR_LOAD_IN_PROGRESS) return res;
        failure = errorForCode(code, { api: api.name });
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        if (nodeId >= 0) this.#cluster.brokerFailed(nodeId);
        code = ErrorCodes.NOT_COORDINATOR;
        failure = e;
      }
      if (MOVED.has(code)) this.#nodeId = undefined;
      if (attempt >= this.#attempts) throw failure;
      await delay(backoffDelay(attempt, { backoffMin: 50, backoffMax: 1000 }), {
        signal: options.signal,
      });
    }
  }

  #find(): Promise<number> {
    if (!this.#nodeId) {
      const lookup = this.#lookup();
      this.#nodeId = lookup;
      lookup.catch(() => {
        if (this.#nodeId === lookup) this.#nodeId = undefined;
      });
    }
    return this.#nodeId;
  }

  async #lookup(): Promise<number> {
    const conn = await this.#cluster.anyConnection();
    const res = await conn.request(FindCoordinator, {
      key: this.#groupId,
      keyType: 0,
      coordinatorKeys: [this.#groupId],
    });
    // v4+ answers per key; older versions at the top level.
    const c = res.coordinators[0] ?? { ...res, key: this.#groupId };
    const err = errorForCode(c.errorCode, { api: "FindCoordinator" });
    if (err) {
      if (err.retriable) throw new ConnectionError(`no coordinator yet: ${err.message}`);
      throw err;
    }
    this.#cluster.rememberBroker(c.nodeId, `${c.host}:${c.port}`);
    return c.nodeId;
  }
}
