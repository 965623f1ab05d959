/**
 * Transactions and the producers writing to partitions (KIP-664): list the transactions each
 * coordinator knows (ListTransactions), describe some (DescribeTransactions), see the
 * producers a partition leader tracks (DescribeProducers), and abort a hanging transaction
 * at one partition by writing its abort marker there (WriteTxnMarkers), as
 * `kafka-transactions abort` does.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { KafkitError } from "../errors.ts";
import type { TopicPartition } from "../offsets.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { DescribeProducers } from "../protocol/generated/describe_producers.ts";
import { DescribeTransactions } from "../protocol/generated/describe_transactions.ts";
import { ListTransactions } from "../protocol/generated/list_transactions.ts";
import { WriteTxnMarkers } from "../protocol/generated/write_txn_markers.ts";
import { brokerIds } from "./_brokers.ts";
import type { Call } from "./_call.ts";
import type { ItemResult } from "./_results.ts";
import { intIn, listOf, nameOf, oneOf } from "../_validate.ts";

/**
 * A transaction's state at its coordinator, as Kafka names it (`"Unknown"`: a state this
 * version does not know, or none, for a transactional id that could not be described).
 */
export type TransactionState =
  | "Unknown"
  | "Empty"
  | "Ongoing"
  | "PrepareCommit"
  | "PrepareAbort"
  | "CompleteCommit"
  | "CompleteAbort"
  | "Dead"
  | "PrepareEpochFence";

/** The states a filter may name. */
const STATES: readonly TransactionState[] = [
  "Empty",
  "Ongoing",
  "PrepareCommit",
  "PrepareAbort",
  "CompleteCommit",
  "CompleteAbort",
  "Dead",
  "PrepareEpochFence",
];

/** Options of `listTransactions`: each filter left out matches every transaction. */
export interface ListTransactionsOptions {
  /** Only transactions in these states. */
  states?: readonly TransactionState[];
  /** Only transactions of these producer ids. */
  producerIds?: readonly bigint[];
  /** Only transactions running for longer than this, in ms (ListTransactions v1+, Kafka 3.8). */
  durationFilter?: number;
}

/** One transactional id a coordinator knows, from `listTransactions`. */
export interface TransactionListing {
  /** The producer's transactional id. */
  transactionalId: string;
  /** The producer id the coordinator gave it. */
  producerId: bigint;
  /** Its transaction's state. */
  state: TransactionState;
  /** The broker coordinating it. */
  coordinatorId: number;
}

/** One transactional id of `describeTransactions`, or `error` (TRANSACTIONAL_ID_NOT_FOUND). */
export interface TransactionDescription extends ItemResult {
  /** The transactional id asked about. */
  transactionalId: string;
  /** The broker coordinating it (-1 when it could not be found). */
  coordinatorId: number;
  /** Its transaction's state. */
  state: TransactionState;
  /** The producer id the coordinator gave it. */
  producerId: bigint;
  /** The producer's current epoch. */
  producerEpoch: number;
  /** The producer's transaction timeout, in ms. */
  timeoutMs: number;
  /** When the ongoing transaction started (null when none is). */
  startTime: Date | null;
  /** The partitions in the ongoing transaction. */
  partitions: TopicPartition[];
}

/** A producer a partition leader tracks (it wrote to the partition recently). */
export interface ActiveProducer {
  /** The producer's id. */
  producerId: bigint;
  /** Its epoch in its last write. */
  producerEpoch: number;
  /** The sequence number of its last batch (-1 if none). */
  lastSequence: number;
  /** The timestamp of its last write (null if unknown). */
  lastTimestamp: Date | null;
  /** The coordinator epoch of its last transaction marker (null before its first marker). */
  coordinatorEpoch: number | null;
  /** The first offset of its open transaction on the partition (null when none is open). */
  currentTxnStartOffset: number | null;
}

/** One partition of `describeProducers`: its active producers, or `error`. */
export interface PartitionProducers extends TopicPartition, ItemResult {
  /** The producers the leader tracks for the partition. */
  producers: ActiveProducer[];
}

/** Which transaction to abort at one partition: a producer of `describeProducers`. */
export interface AbortTransactionSpec extends TopicPartition {
  /** The producer whose transaction to abort. */
  producerId: bigint;
  /** Its epoch, as `describeProducers` reports it. */
  producerEpoch: number;
  /**
   * The coordinator epoch for the marker, as `describeProducers` reports it (null or left
   * out: 0, as `kafka-transactions abort` sends before the producer's first marker).
   */
  coordinatorEpoch?: number | null;
}

const nullIfNegative = (n: bigint) => (n < 0n ? null : Number(n));
const stateOf = (s: string): TransactionState =>
  STATES.includes(s as TransactionState) ? s as TransactionState : "Unknown";

function producerIdOf(field: string, value: unknown): bigint {
  if (typeof value !== "bigint" || value < 0n || value >= 1n << 63n) {
    throw new TypeError(`${field} must be a non-negative int64 bigint, got ${String(value)}`);
  }
  return value;
}

function partitionOf(field: string, p: TopicPartition): TopicPartition {
  if (p === null || typeof p !== "object") throw new TypeError(`${field} must be an object`);
  return {
    topic: nameOf(`${field}.topic`, p.topic),
    partition: intIn(`${field}.partition`, p.partition, 0),
  };
}

/** A per-item request's failure as the item's error (a bad argument or an abort still throws). */
function asItemError(e: unknown): Error {
  if (e instanceof KafkitError) return e;
  throw e;
}

/** ListTransactions to every broker (each coordinates its own ids), merged. */
export async function listTransactions(
  cluster: Cluster,
  options: ListTransactionsOptions,
  call: Call,
): Promise<TransactionListing[]> {
  const states = listOf("states", options.states ?? []).map((s, i) =>
    oneOf(`states[${i}]`, s, STATES)
  );
  const producerIds = listOf("producerIds", options.producerIds ?? []).map((p, i) =>
    producerIdOf(`producerIds[${i}]`, p)
  );
  const duration = options.durationFilter === undefined
    ? undefined
    : intIn("durationFilter", options.durationFilter, 0, Number.MAX_SAFE_INTEGER);
  const perBroker = await Promise.all([...await brokerIds(cluster, call)].map(async (nodeId) => {
    const res = await cluster.request(ListTransactions, {
      stateFilters: states,
      producerIdFilters: producerIds,
      durationFilter: BigInt(duration ?? -1),
    }, {
      route: { to: "node", nodeId },
      ...call.options,
      minVersion: duration === undefined ? undefined : { version: 1, for: "durationFilter" },
    });
    const err = errorForCode(res.errorCode, { api: "ListTransactions", nodeId });
    if (err) throw err;
    return res.transactionStates.map((t): TransactionListing => ({
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      state: stateOf(t.transactionState),
      coordinatorId: nodeId,
    }));
  }));
  return perBroker.flat();
}

/** DescribeTransactions for each id, sent to its transaction coordinator. */
export async function describeTransactions(
  cluster: Cluster,
  transactionalIds: readonly string[],
  call: Call,
): Promise<TransactionDescription[]> {
  const ids = listOf("transactionalIds", transactionalIds).map((id, i) =>
    nameOf(`transactionalIds[${i}]`, id)
  );
  return await Promise.all(ids.map(async (transactionalId): Promise<TransactionDescription> => {
    const failed = (error: Error): TransactionDescription => ({
      transactionalId,
      coordinatorId: -1,
      state: "Unknown",
      producerId: -1n,
      producerEpoch: -1,
      timeoutMs: 0,
      startTime: null,
      partitions: [],
      error,
    });
    try {
      const res = await cluster.request(DescribeTransactions, {
        transactionalIds: [transactionalId],
      }, {
        route: { to: "transaction", key: transactionalId },
        ...call.options,
        // NOT_COORDINATOR and a loading coordinator come per id: look it up again.
        errorCode: (r) => r.transactionStates[0]?.errorCode ?? 0,
      });
      const t = res.transactionStates[0];
      const err = t
        ? errorForCode(t.errorCode, { api: "DescribeTransactions", transactionalId })
        : new KafkaError(ErrorCodes.UNKNOWN_SERVER_ERROR, {
          api: "DescribeTransactions",
          transactionalId,
        });
      if (err) return failed(err);
      return {
        transactionalId,
        coordinatorId: await cluster.coordinator("transaction", transactionalId, {
          signal: call.signal,
        }),
        state: stateOf(t.transactionState),
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        timeoutMs: t.transactionTimeoutMs,
        startTime: t.transactionStartTimeMs < 0n
          ? null
          : new Date(Number(t.transactionStartTimeMs)),
        partitions: t.topics.flatMap((tp) =>
          tp.partitions.map((partition) => ({ topic: tp.topic, partition }))
        ),
      };
    } catch (e) {
      return failed(asItemError(e));
    }
  }));
}

/** DescribeProducers for each partition, sent to its leader. */
export async function describeProducers(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  call: Call,
): Promise<PartitionProducers[]> {
  const wanted = listOf("partitions", partitions).map((p, i) => partitionOf(`partitions[${i}]`, p));
  return await Promise.all(wanted.map(async ({ topic, partition }): Promise<PartitionProducers> => {
    try {
      const res = await cluster.request(DescribeProducers, {
        topics: [{ name: topic, partitionIndexes: [partition] }],
      }, {
        route: { to: "leader", topic, partition },
        ...call.options,
        errorCode: (r) => r.topics[0]?.partitions[0]?.errorCode ?? 0,
      });
      const p = res.topics[0]?.partitions[0];
      const err = p
        ? errorForCode(p.errorCode, {
          api: "DescribeProducers",
          topic,
          partition,
          brokerMessage: p.errorMessage,
        })
        : new KafkaError(ErrorCodes.UNKNOWN_SERVER_ERROR, { api: "DescribeProducers", topic });
      if (err) return { topic, partition, producers: [], error: err };
      return {
        topic,
        partition,
        producers: p.activeProducers.map((s) => ({
          producerId: s.producerId,
          producerEpoch: s.producerEpoch,
          lastSequence: s.lastSequence,
          lastTimestamp: s.lastTimestamp < 0n ? null : new Date(Number(s.lastTimestamp)),
          coordinatorEpoch: s.coordinatorEpoch < 0 ? null : s.coordinatorEpoch,
          currentTxnStartOffset: nullIfNegative(s.currentTxnStartOffset),
        })),
      };
    } catch (e) {
      return { topic, partition, producers: [], error: asItemError(e) };
    }
  }));
}

/**
 * Aborts a producer's open transaction at one partition (KIP-664): WriteTxnMarkers with one
 * abort marker, sent to the partition's leader as a coordinator would, so the partition's
 * last stable offset moves past it. Needs CLUSTER_ACTION on the cluster. The coordinator is
 * not told: meant for transactions it has lost track of (hanging ones).
 */
export async function abortTransaction(
  cluster: Cluster,
  spec: AbortTransactionSpec,
  call: Call,
): Promise<void> {
  const { topic, partition } = partitionOf("spec", spec);
  const producerId = producerIdOf("spec.producerId", spec.producerId);
  const producerEpoch = intIn("spec.producerEpoch", spec.producerEpoch, 0, 32767);
  const coordinatorEpoch = spec.coordinatorEpoch == null
    ? 0
    : intIn("spec.coordinatorEpoch", spec.coordinatorEpoch, 0);
  const res = await cluster.request(WriteTxnMarkers, {
    markers: [{
      producerId,
      producerEpoch,
      coordinatorEpoch,
      transactionResult: false,
      topics: [{ name: topic, partitionIndexes: [partition] }],
    }],
  }, {
    route: { to: "leader", topic, partition },
    ...call.options,
    errorCode: (r) => r.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? 0,
  });
  const code = res.markers[0]?.topics[0]?.partitions[0]?.errorCode ??
    ErrorCodes.UNKNOWN_SERVER_ERROR;
  const err = errorForCode(code, { api: "WriteTxnMarkers", topic, partition });
  if (err) throw err;
}
