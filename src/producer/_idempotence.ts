// The idempotent producer's id and epoch, from InitProducerId through the client core. When
// the broker has lost a producer's sequence state for a partition (KIP-360), the epoch is
// bumped — InitProducerId with the current id and epoch (v3+; older brokers hand out a new
// id) — and only the affected partitions start their sequences over.

import type { Cluster } from "../cluster/cluster.ts";
import { retry } from "../_async/retry.ts";
import { errorForCode } from "../protocol/errors.ts";
import { InitProducerId } from "../protocol/generated/init_producer_id.ts";

/** A producer id and epoch. */
export interface ProducerIdentity {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** Retry settings of InitProducerId. */
export interface ProducerIdOptions {
  attempts: number;
  backoffMin: number;
  backoffMax: number;
  timeout: number;
}

/** Hands out the current producer identity and bumps its epoch on request. */
export class ProducerIds {
  readonly #cluster: Cluster;
  readonly #options: ProducerIdOptions;
  #current: Promise<ProducerIdentity> | undefined;

  constructor(cluster: Cluster, options: ProducerIdOptions) {
    this.#cluster = cluster;
    this.#options = options;
  }

  /** The current identity, asking the cluster for one on first use (or after a failure). */
  current(): Promise<ProducerIdentity> {
    if (!this.#current) {
      const p = this.#init(undefined);
      this.#current = p;
      p.catch(() => {
        if (this.#current === p) this.#current = undefined;
      });
    }
    return this.#current;
  }

  /**
   * A new epoch replacing `stale`. Several partitions that lost their state at once share one
   * bump: when `stale` is no longer current, the current identity is returned.
   */
  async bump(stale: ProducerIdentity): Promise<ProducerIdentity> {
    const now = await this.current().catch(() => undefined);
    if (now && now !== stale) return now;
    const p = this.#init(stale);
    this.#current = p;
    p.catch(() => {
      if (this.#current === p) this.#current = undefined;
    });
    return await p;
  }

  #init(stale: ProducerIdentity | undefined): Promise<ProducerIdentity> {
    return retry(async () => {
      const res = await this.#cluster.request(InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: stale?.producerId ?? -1n,
        producerEpoch: stale?.producerEpoch ?? -1,
      }, { attempts: 1, timeout: this.#options.timeout });
      const err = errorForCode(res.errorCode, { api: "InitProducerId" });
      if (err) throw err;
      return { producerId: res.producerId, producerEpoch: res.producerEpoch };
    }, this.#options);
  }
}
