/**
 * ListOffsets, built and read in one place: the body for a set of partitions (what `Conn`
 * sends on its own connection), and the cluster-wide lookup that asks each partition's
 * leader (the Reader's, and the admin client's per-partition one).
 *
 * @module
 */
import { byTopic, type TopicPartition } from "../../offsets.ts";
import { errorForCode } from "../../protocol/errors.ts";
import {
  ListOffsets,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../../protocol/generated/list_offsets.ts";
import type { Cluster } from "../cluster.ts";
import { askLeaders, type LeaderAsk, type PartitionAnswer } from "./leaders.ts";

/**
 * `timestamp` is ms since the epoch, or a sentinel: -2 (earliest), -1 (latest), -3 (the
 * record with the largest timestamp, v7+), -4 (earliest local, v8+), -5 (latest tiered, v9+).
 */
export interface OffsetQuery extends TopicPartition {
  timestamp: number;
}

/** One partition's answer: an offset, or the broker's error for it. */
export interface ListedOffset extends PartitionAnswer {
  /** -1 when no record is at or after the timestamp. */
  offset: number;
  /** The found record's timestamp (-1 for the earliest and latest sentinels). */
  timestamp: number;
  /** The leader epoch of the found record, -1 when unknown (before v4). */
  leaderEpoch: number;
}

/** How the request reads the end of a partition, and how long a tiered lookup may take. */
export interface ListOffsetsBodyOptions {
  /** The end is the last stable offset (default false: the high watermark). */
  readCommitted?: boolean;
  /** Time the broker may take for remote (tiered) lookups, in ms (v10+). */
  timeoutMs?: number;
}

/** The ListOffsets body for `queries` (as a consumer: replica id -1). */
export function listOffsetsRequest(
  queries: readonly OffsetQuery[],
  options: ListOffsetsBodyOptions = {},
): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel: options.readCommitted ? 1 : 0,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
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
      timestamp: Number(p.timestamp),
      leaderEpoch: p.leaderEpoch,
      error: errorForCode(p.errorCode, {
        api: "ListOffsets",
        topic: t.name,
        partition: p.partitionIndex,
      }),
    }))
  );
}

/** The first ListOffsets version that knows a timestamp sentinel. */
function minVersionFor(q: OffsetQuery): number {
  switch (q.timestamp) {
    case -3:
      return 7;
    case -4:
      return 8;
    case -5:
      return 9;
    default:
      return 1;
  }
}

/** ListOffsets as {@linkcode askLeaders} sends it. */
export function listOffsetsAsk(
  options: ListOffsetsBodyOptions = {},
): LeaderAsk<OffsetQuery, ListOffsetsRequest, ListOffsetsResponse, ListedOffset> {
  return {
    api: ListOffsets,
    request: (qs) => listOffsetsRequest(qs, options),
    read: readListOffsets,
    minVersion: minVersionFor,
  };
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
 * The offset for each query, keyed by `partitionKey`: the first offset at or after
 * the timestamp (-1 when there is none), the log start for -2, the end for -1 (the last
 * stable offset when `readCommitted`). Any partition's failure is thrown.
 */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  options: ListOffsetsOptions = {},
): Promise<Map<string, number>> {
  const { answers, errors } = await askLeaders(
    cluster,
    listOffsetsAsk({ readCommitted: options.readCommitted }),
    queries,
    options,
  );
  for (const error of errors.values()) throw error;
  return new Map([...answers].map(([key, a]) => [key, a.offset]));
}
