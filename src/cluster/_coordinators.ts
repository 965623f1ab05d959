/**
 * Coordinators by key: found with FindCoordinator (the keys asked for in one tick share one
 * request where the broker takes several, v4+), cached, and forgotten when they move.
 *
 * @module
 */

import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { FindCoordinator } from "../protocol/generated/find_coordinator.ts";
import type { Connection } from "../transport/connection.ts";

/** What a coordinator coordinates: a consumer (or share) group, or a transactional id. */
export type CoordinatorType = "group" | "transaction" | "share";

/** FindCoordinator's key types (share: the share-group state coordinator, KIP-932). */
const KEY_TYPE: Record<CoordinatorType, number> = { group: 0, transaction: 1, share: 2 };

interface Waiter {
  resolve(nodeId: number): void;
  reject(error: unknown): void;
}

/** Where to ask, and how to remember a coordinator's address. */
export interface CoordinatorLookup {
  anyConnection(): Promise<Connection>;
  rememberBroker(nodeId: number, address: string): void;
}

/** The coordinator cache of one cluster client. */
export class Coordinators {
  readonly #lookup: CoordinatorLookup;
  readonly #cache = new Map<string, Promise<number>>();
  readonly #queued = new Map<CoordinatorType, Map<string, Waiter[]>>();

  constructor(lookup: CoordinatorLookup) {
    this.#lookup = lookup;
  }

  /** The node id of the coordinator for `key`, looked up on first use. */
  find(type: CoordinatorType, key: string): Promise<number> {
    const id = `${type}\u0000${key}`;
    let found = this.#cache.get(id);
    if (!found) {
      found = new Promise<number>((resolve, reject) =>
        this.#enqueue(type, key, { resolve, reject })
      );
      this.#cache.set(id, found);
      const lookup = found;
      // A failed lookup is not cached: the next caller asks again.
      lookup.catch(() => {
        if (this.#cache.get(id) === lookup) this.#cache.delete(id);
      });
    }
    return found;
  }

  /** Forgets a coordinator (after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a failure). */
  forget(type: CoordinatorType, key: string): void {
    this.#cache.delete(`${type}\u0000${key}`);
  }

  #enqueue(type: CoordinatorType, key: string, waiter: Waiter): void {
    let keys = this.#queued.get(type);
    if (!keys) {
      keys = new Map();
      this.#queued.set(type, keys);
      const batch = keys;
      queueMicrotask(() => {
        this.#queued.delete(type);
        void this.#ask(type, batch);
      });
    }
    keys.set(key, [...(keys.get(key) ?? []), waiter]);
  }

  async #ask(type: CoordinatorType, keys: Map<string, Waiter[]>): Promise<void> {
    const settle = (key: string, nodeId: number | undefined, error?: unknown) => {
      for (const w of keys.get(key) ?? []) {
        nodeId === undefined ? w.reject(error) : w.resolve(nodeId);
      }
      keys.delete(key);
    };
    try {
      const c = await this.#lookup.anyConnection();
      const batched = (c.brokerVersions(FindCoordinator.key)?.max ?? 0) >= 4;
      const groups = batched ? [[...keys.keys()]] : [...keys.keys()].map((k) => [k]);
      await Promise.all(groups.map(async (group) => {
        const res = await c.request(FindCoordinator, {
          key: group[0],
          keyType: KEY_TYPE[type],
          coordinatorKeys: group,
        });
        // v4+ answers per key; older versions at the top level.
        const answers = res.coordinators.length > 0
          ? res.coordinators
          : [{ ...res, key: group[0] }];
        for (const c of answers) {
          const err = errorForCode(c.errorCode, {
            api: "FindCoordinator",
            brokerMessage: c.errorMessage,
          });
          if (err) {
            settle(c.key, undefined, err);
            continue;
          }
          this.#lookup.rememberBroker(c.nodeId, `${c.host}:${c.port}`);
          settle(c.key, c.nodeId);
        }
      }));
    } catch (e) {
      // A connection that timed out or sent an answer that does not decode has closed
      // itself: the next lookup dials again (or asks another broker).
      for (const key of [...keys.keys()]) settle(key, undefined, e);
    }
    for (const key of [...keys.keys()]) {
      settle(
        key,
        undefined,
        new KafkaError(ErrorCodes.COORDINATOR_NOT_AVAILABLE, { api: "FindCoordinator" }),
      );
    }
  }
}
