// A transactional Writer's transaction: its state (none open, open, ending, failed and only
// abortable, fatal) and its requests to the coordinators, all through the client core and the
// one retry helper (CONCURRENT_TRANSACTIONS and a loading or moved coordinator are retried).
//
// Which transaction protocol: v2 (KIP-890) when the cluster finalized `transaction.version`
// >= 2 — Produce v12+ adds a partition to the transaction itself, TxnOffsetCommit v5 the
// group's offsets, and EndTxn v5 hands back the next epoch (bumped on every transaction end).
// Otherwise v1: AddPartitionsToTxn before a partition's first batch of a transaction,
// AddOffsetsToTxn before the group's first offsets, Produce at most v11, EndTxn at most v4,
// and, after a transaction in which a batch failed (its partition's sequence numbers are in
// doubt), a new epoch from the coordinator (KIP-360).

import type { Cluster, RouteOptions } from "../cluster/cluster.ts";
import type { Api } from "../protocol/api.ts";
import { retry } from "../_async/retry.ts";
import { UnsupportedVersionError } from "../errors.ts";
import {
  byTopic,
  offsetCommitTopics,
  partitionKey,
  type PartitionOffset,
  type TopicPartition,
} from "../offsets.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { AddOffsetsToTxn } from "../protocol/generated/add_offsets_to_txn.ts";
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnResponse,
} from "../protocol/generated/add_partitions_to_txn.ts";
import { ApiVersions } from "../protocol/generated/api_versions.ts";
import { EndTxn } from "../protocol/generated/end_txn.ts";
import { Produce } from "../protocol/generated/produce.ts";
import {
  TxnOffsetCommit,
  type TxnOffsetCommitResponse,
} from "../protocol/generated/txn_offset_commit.ts";
import { CLIENT_SOFTWARE } from "../version.ts";
import type { ProducerIdentity, ProducerIds } from "./_idempotence.ts";
import {
  AbortableTransactionError,
  FatalTransactionError,
  ProducerFencedError,
  TransactionStateError,
} from "./errors.ts";

/** The transaction protocol version: 1 (AddPartitionsToTxn) or 2 (KIP-890). */
export type TransactionVersion = 1 | 2;

/**
 * What `sendOffsets` needs of the consumer group whose offsets go into the transaction
 * (KIP-447): the coordinator refuses offsets of a member the group has moved on from, so a
 * zombie consumer cannot commit. A group Reader's `groupMetadata()` gives it.
 */
export interface GroupMetadata {
  /** The consumer group. */
  groupId: string;
  /** The generation (classic protocol) or member epoch (KIP-848) of the member. */
  generationId: number;
  /** The member id. */
  memberId: string;
  /** The static member id (KIP-345), or null. */
  groupInstanceId: string | null;
}

/** The last levels of v1: Produce v12, TxnOffsetCommit v5 and EndTxn v5 mean v2. */
const V1_MAX = { produce: 11, txnOffsetCommit: 4, endTxn: 4 } as const;

/** What v2 needs of the brokers: the version after each of v1's last. */
const V2_NEEDS = [
  { api: Produce, version: V1_MAX.produce + 1 },
  { api: TxnOffsetCommit, version: V1_MAX.txnOffsetCommit + 1 },
  { api: EndTxn, version: V1_MAX.endTxn + 1 },
] as const;

/** Errors that say another producer took over the transactional id. */
const FENCED: ReadonlySet<number> = new Set([
  ErrorCodes.PRODUCER_FENCED,
  ErrorCodes.INVALID_PRODUCER_EPOCH,
  ErrorCodes.TRANSACTION_COORDINATOR_FENCED,
]);

/** Errors no later transaction can get past. */
const FATAL: ReadonlySet<number> = new Set([
  ErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCodes.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCodes.INVALID_PRODUCER_ID_MAPPING,
  ErrorCodes.INVALID_TXN_STATE,
  ErrorCodes.INVALID_TRANSACTION_TIMEOUT,
  ErrorCodes.UNSUPPORTED_VERSION,
  ErrorCodes.UNSUPPORTED_FOR_MESSAGE_FORMAT,
]);

/** What a transaction needs. */
export interface TransactionOptions {
  cluster: Cluster;
  transactionalId: string;
  producerIds: ProducerIds;
  /** Time allowed for each request, in ms. */
  timeout: number;
  /** How long a coordinator request is retried, in ms. */
  retryFor: number;
  backoff: { backoffMin: number; backoffMax: number };
  /**
   * Forces a protocol version (default: from the cluster's `transaction.version`); 2 is
   * refused where the brokers lack its API versions.
   */
  version: TransactionVersion | undefined;
  log: (message: string) => void;
}

type State = "none" | "open" | "committing" | "aborting" | "failed" | "fatal";

/** The transactions of one Writer, one at a time. */
export class Transactions {
  readonly #o: TransactionOptions;
  #state: State = "none";
  #version: Promise<TransactionVersion> | undefined;
  #known: TransactionVersion | undefined;
  /** Why the open transaction can only be aborted. */
  #failure: AbortableTransactionError | undefined;
  #fatal: FatalTransactionError | undefined;
  /** Whether anything of the transaction reached a broker (else there is nothing to end). */
  #started = false;
  /** A batch failed: its partition's sequence numbers are in doubt (v1 bumps after abort). */
  #batchFailed = false;
  /** v1: partitions added to the transaction, or being added. */
  #partitions = new Map<string, Promise<void>>();
  #toAdd: TopicPartition[] | undefined;
  /** v1: groups whose offsets were added to the transaction. */
  #groups = new Set<string>();

  constructor(options: TransactionOptions) {
    this.#o = options;
  }

  get transactionalId(): string {
    return this.#o.transactionalId;
  }

  /** Whether a transaction is open (or failed and not yet aborted). */
  get open(): boolean {
    return this.#state === "open" || this.#state === "failed";
  }

  /** The protocol version in use (resolved at the first transaction). */
  async version(): Promise<TransactionVersion> {
    this.#version ??= this.#o.version === 1 ? Promise.resolve(1) : this.#detectVersion();
    this.#known = await this.#version;
    return this.#known;
  }

  /**
   * The highest Produce version of the protocol in use (undefined: no cap). Known once a
   * transaction was begun, before any of its batches goes.
   */
  produceMaxVersion(): number | undefined {
    return this.#known === 1 ? V1_MAX.produce : undefined;
  }

  /**
   * Opens a transaction; the first one gets the producer id from the transaction coordinator
   * (which fences older producers of the id and aborts their open transaction).
   */
  async begin(): Promise<void> {
    this.#throwIfFatal();
    if (this.#state !== "none") {
      throw new TransactionStateError(
        `beginTransaction: a transaction of ${this.transactionalId} is already open`,
      );
    }
    this.#state = "open";
    this.#reset();
    try {
      await this.version();
      await this.#o.producerIds.current();
    } catch (e) {
      this.#state = "none";
      this.#version = undefined;
      throw this.#fatalOr(e, (err) => err);
    }
  }

  /** Throws unless messages may be written now (a transaction is open and has not failed). */
  checkWritable(what: string): void {
    this.#throwIfFatal();
    if (this.#state === "failed") throw this.#failure!;
    if (this.#state === "committing" || this.#state === "aborting") {
      throw new TransactionStateError(`${what}: the transaction is ending (${this.#state})`);
    }
    if (this.#state !== "open") {
      throw new TransactionStateError(
        `${what}: a transactional writer writes only inside a transaction (beginTransaction())`,
      );
    }
  }

  /**
   * A batch of the transaction is about to go to its leader: the transaction has started, and
   * under v1 its partition joins the transaction first. A failed or aborting transaction
   * sends nothing more.
   */
  async beforeSend(topic: string, partition: number): Promise<void> {
    this.#throwIfFatal();
    if (this.#state === "failed") throw this.#failure!;
    if (this.#state === "aborting") {
      throw new TransactionStateError("the transaction was aborted before the batch was sent");
    }
    this.#started = true;
    if (await this.version() === 2) return;
    const key = partitionKey(topic, partition);
    let added = this.#partitions.get(key);
    if (!added) {
      added = this.#queueAdd({ topic, partition });
      this.#partitions.set(key, added);
      added.catch(() => {
        if (this.#partitions.get(key) === added) this.#partitions.delete(key);
      });
    }
    await added;
  }

  /** A batch of the transaction failed for good: the transaction can only be aborted. */
  batchFailed(error: Error): void {
    if (this.#state === "none" || this.#state === "aborting") return;
    this.#batchFailed = true;
    this.#fatalOr(error, (e) => this.#fail(e));
  }

  /**
   * Commits: `flush` delivers every pending batch first; a failed one leaves the transaction
   * to be aborted (`AbortableTransactionError`).
   */
  async commit(flush: () => Promise<void>): Promise<void> {
    this.checkWritable("commitTransaction");
    this.#state = "committing";
    await flush();
    if (this.#fatal) throw this.#fatal;
    if (this.#failure) {
      this.#state = "failed";
      throw this.#failure;
    }
    try {
      await this.#end(true);
    } catch (e) {
      this.#state = "open";
      throw this.#fatalOr(e, (err) => this.#fail(err));
    }
    this.#state = "none";
  }

  /** Aborts the open (or failed) transaction, once what was sent has been answered. */
  async abort(flush: () => Promise<void>): Promise<void> {
    this.#throwIfFatal();
    if (!this.open) {
      throw new TransactionStateError(
        `abortTransaction: no transaction of ${this.transactionalId} is open`,
      );
    }
    const previous = this.#state;
    this.#state = "aborting";
    await flush();
    try {
      await this.#end(false);
      if (this.#batchFailed && await this.version() === 1) {
        this.#o.log(`transaction of ${this.transactionalId}: new epoch after a failed batch`);
        await this.#o.producerIds.renew();
      }
    } catch (e) {
      this.#state = previous;
      throw this.#fatalOr(e, (err) => err);
    }
    this.#state = "none";
  }

  /**
   * Adds consumed offsets to the transaction (KIP-447): committed with it, as the group member
   * `group` describes, so the group's coordinator fences a member it has moved on from.
   */
  async sendOffsets(offsets: readonly PartitionOffset[], group: GroupMetadata): Promise<void> {
    this.checkWritable("sendOffsets");
    if (offsets.length === 0) return;
    this.#started = true;
    try {
      const version = await this.version();
      if (version === 1 && !this.#groups.has(group.groupId)) {
        await this.#addOffsets(group.groupId);
        this.#groups.add(group.groupId);
      }
      await this.#commitOffsets(offsets, group, version);
    } catch (e) {
      throw this.#fatalOr(e, (err) => this.#fail(err));
    }
  }

  /** Forgets the previous transaction (a fatal error stays). */
  #reset(): void {
    this.#failure = undefined;
    this.#started = false;
    this.#batchFailed = false;
    this.#partitions.clear();
    this.#groups.clear();
  }

  #throwIfFatal(): void {
    if (this.#fatal) throw this.#fatal;
  }

  /** Classifies `e`: fatal (the Writer is done) or handed to `otherwise`. */
  #fatalOr(e: unknown, otherwise: (e: unknown) => unknown): unknown {
    if (e instanceof FatalTransactionError) return e;
    const code = e instanceof KafkaError ? e.code : 0;
    if (FENCED.has(code) || FATAL.has(code)) {
      this.#fatal ??= FENCED.has(code)
        ? new ProducerFencedError(this.transactionalId, e)
        : new FatalTransactionError(this.transactionalId, e);
      this.#state = "fatal";
      return this.#fatal;
    }
    return otherwise(e);
  }

  /** The open transaction failed: it can only be aborted now. */
  #fail(e: unknown): AbortableTransactionError {
    if (e instanceof AbortableTransactionError) e = e.cause;
    this.#failure ??= new AbortableTransactionError(this.transactionalId, e);
    if (this.#state === "open") this.#state = "failed";
    return this.#failure;
  }

  async #detectVersion(): Promise<TransactionVersion> {
    const res = await this.#o.cluster.request(ApiVersions, CLIENT_SOFTWARE, {
      timeout: this.#o.timeout,
    });
    const level = res.finalizedFeatures.find((f) => f.name === "transaction.version")
      ?.maxVersionLevel ?? 0;
    const version: TransactionVersion = this.#o.version ?? (level >= 2 ? 2 : 1);
    const max = (key: number) => res.apiKeys.find((k) => k.apiKey === key)?.maxVersion ?? -1;
    const lacking = V2_NEEDS.filter((n) => max(n.api.key) < n.version);
    if (version === 2 && lacking.length > 0) {
      // Forced there, v2's batches would go as writes to partitions outside the transaction.
      const needs = lacking.map((n) => `${n.api.name} v${n.version}+`).join(", ");
      throw new UnsupportedVersionError(
        `transactionVersion 2 needs ${needs} (Kafka 4.0+), which the broker lacks`,
      );
    }
    this.#o.log(`transactional writer ${this.transactionalId}: transaction protocol v${version}`);
    return version;
  }

  /** v1: the partitions asked for in one tick join the transaction in one request. */
  #queueAdd(p: TopicPartition): Promise<void> {
    if (this.#toAdd) {
      this.#toAdd.push(p);
      return this.#addPartitionsPending!;
    }
    const batch = [p];
    this.#toAdd = batch;
    this.#addPartitionsPending = Promise.resolve().then(() => {
      this.#toAdd = undefined;
      return this.#addPartitions(batch);
    });
    return this.#addPartitionsPending;
  }
  #addPartitionsPending: Promise<void> | undefined;

  async #addPartitions(partitions: TopicPartition[]): Promise<void> {
    const topics = [...byTopic(partitions)].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => p.partition),
    }));
    const codes = (r: AddPartitionsToTxnResponse) =>
      r.resultsByTopicV3AndBelow.flatMap((t) =>
        t.resultsByPartition.map((p) => ({
          code: p.partitionErrorCode,
          topic: t.name,
          partition: p.partitionIndex,
        }))
      );
    await this.#ask(AddPartitionsToTxn, (id) => ({
      v3AndBelowTransactionalId: this.transactionalId,
      v3AndBelowProducerId: id.producerId,
      v3AndBelowProducerEpoch: id.producerEpoch,
      v3AndBelowTopics: topics,
    }), {
      key: this.transactionalId,
      // v4+ is the brokers' own (verification); clients speak v3.
      maxVersion: 3,
      errorCode: (r) => firstError(codes(r).map((c) => c.code)),
    }, (r) =>
      // OPERATION_NOT_ATTEMPTED: another partition of the request failed.
      partitionError(
        "AddPartitionsToTxn",
        codes(r).filter((c) => c.code !== ErrorCodes.OPERATION_NOT_ATTEMPTED),
        { transactionalId: this.transactionalId },
      ));
  }

  async #addOffsets(groupId: string): Promise<void> {
    await this.#ask(AddOffsetsToTxn, (id) => ({
      transactionalId: this.transactionalId,
      producerId: id.producerId,
      producerEpoch: id.producerEpoch,
      groupId,
    }), {
      // Sent to the transaction coordinator, which records the group's offsets partition.
      route: { to: "transaction", key: this.transactionalId },
      errorCode: (r) => r.errorCode,
    }, (r) =>
      errorForCode(r.errorCode, {
        api: "AddOffsetsToTxn",
        groupId,
        transactionalId: this.transactionalId,
      }));
  }

  async #commitOffsets(
    offsets: readonly PartitionOffset[],
    group: GroupMetadata,
    version: TransactionVersion,
  ): Promise<void> {
    const codes = (r: TxnOffsetCommitResponse) =>
      r.topics.flatMap((t) =>
        t.partitions.map((p) => ({ code: p.errorCode, topic: t.name, partition: p.partitionIndex }))
      );
    await this.#ask(TxnOffsetCommit, (id) => ({
      transactionalId: this.transactionalId,
      groupId: group.groupId,
      producerId: id.producerId,
      producerEpoch: id.producerEpoch,
      generationId: group.generationId,
      memberId: group.memberId,
      groupInstanceId: group.groupInstanceId ?? null,
      topics: offsetCommitTopics(offsets),
    }), {
      key: group.groupId,
      maxVersion: version === 1 ? V1_MAX.txnOffsetCommit : undefined,
      errorCode: (r) => firstError(codes(r).map((c) => c.code)),
    }, (r) => partitionError("TxnOffsetCommit", codes(r), { groupId: group.groupId }));
  }

  /** EndTxn, when anything of the transaction reached a broker; v2 takes the next epoch. */
  async #end(commit: boolean): Promise<void> {
    if (!this.#started) return;
    const version = await this.version();
    const res = await this.#ask(EndTxn, (id) => ({
      transactionalId: this.transactionalId,
      producerId: id.producerId,
      producerEpoch: id.producerEpoch,
      committed: commit,
    }), {
      key: this.transactionalId,
      maxVersion: version === 1 ? V1_MAX.endTxn : undefined,
      errorCode: (r) => r.errorCode,
    }, (r) => errorForCode(r.errorCode, { api: "EndTxn", transactionalId: this.transactionalId }));
    if (version === 2 && res.producerId >= 0n && res.producerEpoch >= 0) {
      this.#o.producerIds.set({ producerId: res.producerId, producerEpoch: res.producerEpoch });
    }
  }

  /**
   * One coordinator request as the current producer, through the core and retried while its
   * failure is retriable (up to `retryFor`): `body` is built for the id and epoch current at
   * each attempt, and `errorOf` turns the answer's error into a throw.
   */
  #ask<Req, Res>(
    api: Api<Req, Res>,
    body: (id: ProducerIdentity) => Req,
    options: RouteOptions<Res>,
    errorOf: (res: Res) => KafkaError | undefined,
  ): Promise<Res> {
    return retry(async () => {
      const id = await this.#o.producerIds.current();
      const res = await this.#o.cluster.request(api, body(id), {
        timeout: this.#o.timeout,
        ...options,
      });
      const err = errorOf(res);
      if (err) throw err;
      return res;
    }, { attempts: Infinity, until: Date.now() + this.#o.retryFor, ...this.#o.backoff });
  }
}

/** The first non-zero code (what tells the core a coordinator moved), or 0. */
function firstError(codes: number[]): number {
  return codes.find((c) => c !== 0) ?? 0;
}

/** The first partition error among `codes` as a KafkaError naming the partition. */
function partitionError(
  api: string,
  codes: { code: number; topic: string; partition: number }[],
  context: { groupId?: string; transactionalId?: string },
): KafkaError | undefined {
  const failed = codes.find((c) => c.code !== 0);
  return failed &&
    errorForCode(failed.code, {
      api,
      topic: failed.topic,
      partition: failed.partition,
      ...context,
    });
}
