// The idempotent producer's identity: a producer id and epoch from InitProducerId, and one
// sequence counter per partition. The broker keeps the last sequences per producer and
// partition, so a retried batch with the same sequence is recognised as a duplicate.

import type { Cluster } from "../cluster/cluster.ts";
import { errorForCode } from "../protocol/errors.ts";
import { InitProducerId } from "../protocol/generated/init_producer_id.ts";
import { delay } from "../_async/delay.ts";
import { backoffDelay } from "../_async/retry.ts";

/** A producer id and epoch. */
export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

/** Hands out the producer identity and per-partition sequence numbers. */
export class IdempotentState {
  readonly #cluster: Cluster;
  #identity: Promise<ProducerIdentity> | undefined;
  readonly #sequences = new Map<string, number>();

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
  }

  /** The current identity, asking the cluster for one on first use. */
  identity(): Promise<ProducerIdentity> {
    this.#identity ??= this.#init();
    this.#identity.catch(() => (this.#identity = undefined));
    return this.#identity;
  }

  async #init(): Promise<ProducerIdentity> {
    for (let attempt = 1;; attempt++) {
      const conn = await this.#cluster.anyConnection();
      const res = await conn.request(InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
      });
      const err = errorForCode(res.errorCode, { api: "InitProducerId" });
      if (!err) return { producerId: res.producerId, producerEpoch: res.producerEpoch };
      if (!err.retriable || attempt >= 10) throw err;
      await delay(backoffDelay(attempt));
    }
  }

  /**
   * Takes `count` sequence numbers for a partition's next batch; returns the first. Sequences
   * wrap at 2^31, as the broker expects.
   */
  nextSequence(partitionKey: string, count: number): number {
    const base = this.#sequences.get(partitionKey) ?? 0;
    this.#sequences.set(partitionKey, (base + count) % 0x8000_0000);
    return base;
  }

  /**
   * Starts over with a new producer id (after the broker lost this producer's state or saw
   * a sequence gap): every partition's sequence restarts at 0.
   */
  reset(): void {
    this.#identity = undefined;
    this.#sequences.clear();
  }
}
