// The idempotent producer's id and epoch, from InitProducerId through the client core. When
// the broker has lost a producer's sequence state for a partition (KIP-360), the epoch is
// bumped locally, as the Java client does for producers without a transactional id: the
// broker takes a higher epoch starting at sequence 0, and the id (and its broker-side state
// on the other partitions) is kept. Only when the epoch would overflow is a new id asked for.
//
// A transactional producer's id comes from its transaction coordinator (InitProducerId with
// the transactional id, which fences older producers of that id), and only the coordinator
// may give it a new epoch: after a commit (transaction protocol v2) or a failed transaction
// (KIP-360, InitProducerId naming the current id and epoch).

import type { Cluster } from "../cluster/cluster.ts";
import { retry } from "../_async/retry.ts";
import { errorForCode } from "../protocol/errors.ts";
import { InitProducerId } from "../protocol/generated/init_producer_id.ts";

/** Epochs are int16; the broker refuses the last value for a bump. */
const MAX_EPOCH = 32767;

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
  /** A transactional producer: its id, transaction timeout, and how long to retry (ms). */
  transactional?: { transactionalId: string; transactionTimeoutMs: number; retryFor: number };
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
      const p = this.#init();
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
    const p = stale.producerEpoch < MAX_EPOCH - 1
      ? Promise.resolve({ producerId: stale.producerId, producerEpoch: stale.producerEpoch + 1 })
      : this.#init();
    this.#current = p;
    p.catch(() => {
      if (this.#current === p) this.#current = undefined;
    });
    return await p;
  }

  /** Replaces the identity with one the coordinator handed out (EndTxn v5+). */
  set(identity: ProducerIdentity): void {
    this.#current = Promise.resolve(identity);
  }

  /**
   * A new epoch from the transaction coordinator (KIP-360): InitProducerId naming the current
   * id and epoch, so a fenced producer cannot take one. Brokers before InitProducerId v3
   * drop those fields and hand out a new epoch all the same.
   */
  async renew(): Promise<ProducerIdentity> {
    const stale = await this.current();
    const p = this.#init(stale);
    this.#current = p;
    p.catch(() => {
      if (this.#current === p) this.#current = undefined;
    });
    return await p;
  }

  #init(stale?: ProducerIdentity): Promise<ProducerIdentity> {
    const txn = this.#options.transactional;
    const transactionalId = txn?.transactionalId ?? null;
    return retry(
      async () => {
        const res = await this.#cluster.request(InitProducerId, {
          transactionalId,
          transactionTimeoutMs: txn?.transactionTimeoutMs ?? 60_000,
          producerId: stale?.producerId ?? -1n,
          producerEpoch: stale?.producerEpoch ?? -1,
        }, {
          attempts: txn ? undefined : 1,
          timeout: this.#options.timeout,
          key: transactionalId ?? undefined,
          errorCode: (r) => r.errorCode,
        });
        const err = errorForCode(res.errorCode, {
          api: "InitProducerId",
          transactionalId: transactionalId ?? undefined,
        });
        if (err) throw err;
        return { producerId: res.producerId, producerEpoch: res.producerEpoch };
      },
      txn
        ? { ...this.#options, attempts: Infinity, until: Date.now() + txn.retryFor }
        : this.#options,
    );
  }
}
