/**
 * ListOffsets, built and read in one place: the body for a set of partitions (what `Conn`
 * sends on its own connection) and the cluster-wide lookup that asks each partition's
 * leader, retrying leader moves and connection failures.
 *
 * @module
 */
import { retry } from "../../_async/retry.ts";
import { byTopic, partitionKey, type TopicPartition } from "../../offsets.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../../protocol/errors.ts";
import {
  ListOffsets,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../../protocol/generated/list_offsets.ts";
import type { Cluster } from "../cluster.ts";

/** `timestamp` is ms since the epoch, or -2 (earliest) / -1 (latest). */
export interface OffsetQuery extends TopicPartition {
  timestamp: number;
}

/** One partition's answer: an offset, or the broker's error for it. */
export interface ListedOffset extends TopicPartition {
  /** -1 when no record is at or after the timestamp. */
  offset: number;
  error: KafkaError | undefined;
}

/** The ListOffsets body for `queries` (as a consumer: replica id -1). */
export function listOffsetsRequest(
  queries: readonly OffsetQuery[],
  options: { readCommitted?: boolean } = {},
): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel: options.readCommitted ? 1 : 0,
    topics: [...byTopic(queries)].map(([name, qs]) => ({
      name,
      partitions: qs.map((q) => ({ partitionIndex: q.partition, timestamp: BigInt(q.timestamp) })),
    })),
  };
}

/** Every partition of a ListOffsets answer, errors as `KafkaError`s naming the partition. */
export function readListOffsets(res: ListOffsetsResponse): ListedOffset[] {
  return res.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: Number(p.offset),
      error: errorForCode(p.errorCode, {
        api: "ListOffsets",
        topic: t.name,
        partition: p.partitionIndex,
      }),
    }))
  );
}

/** Options of {@linkcode listOffsets}. */
export interface ListOffsetsOptions {
  /** The end is the last stable offset (default false: the high watermark). */
  readCommitted?: boolean;
  signal?: AbortSignal;
  /** Rounds in all before the last failure is thrown (default 10). */
  attempts?: number;
}

/**
 * The offset for each query, keyed by {@linkcode partitionKey}: the first offset at or after
 * the timestamp (-1 when there is none), the log start for -2, the end for -1 (the last
 * stable offset when `readCommitted`). Each round asks every leader once for the partitions
 * still unanswered; retriable errors start another round on fresh metadata.
 */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  options: ListOffsetsOptions = {},
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const pending = new Map(queries.map((q) => [partitionKey(q.topic, q.partition), q]));
  const body = (qs: OffsetQuery[]) => listOffsetsRequest(qs, options);
  await retry(async () => {
    const byLeader = new Map<number, OffsetQuery[]>();
    let failure: unknown;
    for (const q of pending.values()) {
      try {
        const { nodeId } = await cluster.leader(q.topic, q.partition);
        byLeader.set(nodeId, [...(byLeader.get(nodeId) ?? []), q]);
      } catch (e) {
        if (!(e as KafkaError).retriable) throw e;
        failure = e;
      }
    }
    const rounds = await Promise.allSettled([...byLeader].map(async ([nodeId, qs]) => {
      try {
        const res = await cluster.request(ListOffsets, body(qs), {
          route: { to: "node", nodeId },
          attempts: 1,
          signal: options.signal,
        });
        for (const answer of readListOffsets(res)) {
          const key = partitionKey(answer.topic, answer.partition);
          if (!pending.has(key)) continue;
          if (!answer.error) {
            out.set(key, answer.offset);
            pending.delete(key);
          } else if (answer.error.retriable) {
            cluster.invalidate(answer.topic);
            failure = answer.error;
          } else throw answer.error;
        }
      } catch (e) {
        for (const q of qs) cluster.invalidate(q.topic);
        throw e;
      }
    }));
    for (const r of rounds) {
      if (r.status === "rejected") {
        if (!(r.reason as KafkaError).retriable) throw r.reason;
        failure = r.reason;
      }
    }
    const left = pending.values().next();
    if (!left.done) {
      // A leader that did not answer for a partition: ask again on fresh metadata.
      throw failure ?? new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, {
        api: "ListOffsets",
        topic: left.value.topic,
        partition: left.value.partition,
      });
    }
  }, {
    attempts: options.attempts ?? 10,
    backoffMin: 100,
    backoffMax: 1_000,
    signal: options.signal,
  });
  return out;
}
