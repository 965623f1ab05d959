/**
 * Records and offsets: offsets by time or position (ListOffsets), deleting records before an
 * offset (DeleteRecords) and the end offset of a leader epoch (OffsetForLeaderEpoch), each
 * asked of the partitions' leaders, one request per broker.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import {
  askLeaders,
  type LeaderAnswers,
  type PartitionAnswer,
} from "../cluster/requests/leaders.ts";
import { listOffsetsAsk, type OffsetQuery } from "../cluster/requests/list_offsets.ts";
import { epochEndsAsk } from "../cluster/requests/epoch_ends.ts";
import { byTopic, partitionKey, type TopicPartition } from "../offsets.ts";
import { errorForCode } from "../protocol/errors.ts";
import { DeleteRecords } from "../protocol/generated/delete_records.ts";
import type { Call } from "./_call.ts";
import { intIn, listOf, nameOf, oneOf } from "../_validate.ts";

/**
 * Which offset `listOffsets` finds: the log start, the end, the record with the largest
 * timestamp, the first record at or after a time (ms since the epoch, or a `Date`), or with
 * tiered storage the first offset still on local disk and the last one already tiered.
 */
export type OffsetSpec =
  | "earliest"
  | "latest"
  | "max-timestamp"
  | "earliest-local"
  | "latest-tiered"
  | { timestamp: number | Date };

const SPECS = ["earliest", "latest", "max-timestamp", "earliest-local", "latest-tiered"] as const;
const SENTINELS: Record<(typeof SPECS)[number], number> = {
  earliest: -2,
  latest: -1,
  "max-timestamp": -3,
  "earliest-local": -4,
  "latest-tiered": -5,
};

/** One partition to find an offset of. */
export interface OffsetSpecFor extends TopicPartition {
  /** Which offset. */
  spec: OffsetSpec;
}

/** Options of `listOffsets`. */
export interface ListOffsetsOptions {
  /** `"read_committed"` ends a partition at its last stable offset (default: uncommitted). */
  isolationLevel?: "read_uncommitted" | "read_committed";
}

/** One partition's offset from `listOffsets`. */
export interface ListedOffsetResult extends TopicPartition {
  /** The offset found; -1 when no record is at or after the timestamp. */
  offset: number;
  /** The found record's timestamp, -1 when the answer names none (earliest, latest). */
  timestamp: number;
  /** The leader epoch of the found record, -1 when unknown. */
  leaderEpoch: number;
  /** Why this partition failed. */
  error?: Error;
}

/** One partition whose records before `offset` are to be deleted. */
export interface RecordsToDelete extends TopicPartition {
  /** Records before this offset go; -1 deletes up to the high watermark. */
  offset: number;
}

/** One partition's answer from `deleteRecords`. */
export interface DeletedRecordsResult extends TopicPartition {
  /** The partition's log start offset after the deletion (-1 when it failed). */
  lowWatermark: number;
  /** Why this partition failed. */
  error?: Error;
}

/** One partition and the leader epoch to find the end of. */
export interface EpochQuery extends TopicPartition {
  /** The leader epoch whose end offset is wanted. */
  leaderEpoch: number;
}

/** One partition's answer from `offsetsForLeaderEpoch`. */
export interface EpochEndOffset extends TopicPartition {
  /** The largest epoch at most the one asked for that the log has, -1 when it failed. */
  leaderEpoch: number;
  /** The first offset after that epoch (the log end for the current epoch), -1 when failed. */
  endOffset: number;
  /** Why this partition failed. */
  error?: Error;
}

/** Checks `items[i].topic` and `.partition`, and that no partition appears twice. */
function checkedPartitions<T extends TopicPartition>(field: string, items: readonly T[]): T[] {
  listOf(field, items);
  const seen = new Set<string>();
  return items.map((item, i) => {
    if (item === null || typeof item !== "object") {
      throw new TypeError(`${field}[${i}] must be an object`);
    }
    nameOf(`${field}[${i}].topic`, item.topic);
    intIn(`${field}[${i}].partition`, item.partition, 0);
    const key = partitionKey(item.topic, item.partition);
    if (seen.has(key)) {
      throw new TypeError(
        `${field}[${i}] repeats partition ${item.partition} of topic ${item.topic}`,
      );
    }
    seen.add(key);
    return item;
  });
}

/** The ListOffsets timestamp for a spec: a sentinel, or the time in ms. */
function timestampOf(field: string, spec: OffsetSpec): number {
  if (typeof spec === "string") return SENTINELS[oneOf(field, spec, SPECS)];
  if (spec === null || typeof spec !== "object") {
    throw new TypeError(`${field} must be one of ${SPECS.join(", ")} or { timestamp }`);
  }
  const t = spec.timestamp instanceof Date ? spec.timestamp.getTime() : spec.timestamp;
  return intIn(`${field}.timestamp`, t, 0, Number.MAX_SAFE_INTEGER);
}

/** One result per item, in the caller's order: the answer, or the partition's error. */
function inOrder<T extends TopicPartition, A extends PartitionAnswer, R>(
  items: readonly T[],
  found: LeaderAnswers<A>,
  ok: (answer: A) => R,
  failed: (item: T, error: Error) => R,
): R[] {
  return items.map((item) => {
    const key = partitionKey(item.topic, item.partition);
    const answer = found.answers.get(key);
    return answer ? ok(answer) : failed(item, found.errors.get(key)!);
  });
}

/** ListOffsets to each partition's leader, one request per broker. */
export async function listOffsets(
  cluster: Cluster,
  partitions: readonly OffsetSpecFor[],
  options: ListOffsetsOptions,
  call: Call,
): Promise<ListedOffsetResult[]> {
  const queries: OffsetQuery[] = checkedPartitions("partitions", partitions).map((p, i) => ({
    topic: p.topic,
    partition: p.partition,
    timestamp: timestampOf(`partitions[${i}].spec`, p.spec),
  }));
  const level = oneOf("isolationLevel", options.isolationLevel ?? "read_uncommitted", [
    "read_uncommitted",
    "read_committed",
  ]);
  const ask = listOffsetsAsk({
    readCommitted: level === "read_committed",
    timeoutMs: call.timeout,
  });
  const found = await askLeaders(cluster, ask, queries, call.options);
  return inOrder(
    partitions,
    found,
    ({ topic, partition, offset, timestamp, leaderEpoch }) => ({
      topic,
      partition,
      offset,
      timestamp,
      leaderEpoch,
    }),
    ({ topic, partition }, error) => ({
      topic,
      partition,
      offset: -1,
      timestamp: -1,
      leaderEpoch: -1,
      error,
    }),
  );
}

interface DeletedAnswer extends PartitionAnswer {
  lowWatermark: number;
}

/** DeleteRecords to each partition's leader, one request per broker. */
export async function deleteRecords(
  cluster: Cluster,
  partitions: readonly RecordsToDelete[],
  call: Call,
): Promise<DeletedRecordsResult[]> {
  checkedPartitions("partitions", partitions).forEach((p, i) =>
    intIn(`partitions[${i}].offset`, p.offset, -1, Number.MAX_SAFE_INTEGER)
  );
  const found = await askLeaders(
    cluster,
    {
      api: DeleteRecords,
      request: (ps: RecordsToDelete[]) => ({
        timeoutMs: call.timeout,
        topics: [...byTopic(ps)].map(([name, list]) => ({
          name,
          partitions: list.map((p) => ({ partitionIndex: p.partition, offset: BigInt(p.offset) })),
        })),
      }),
      read: (res) =>
        res.topics.flatMap((t) =>
          t.partitions.map((p): DeletedAnswer => ({
            topic: t.name,
            partition: p.partitionIndex,
            lowWatermark: Number(p.lowWatermark),
            error: errorForCode(p.errorCode, {
              api: "DeleteRecords",
              topic: t.name,
              partition: p.partitionIndex,
            }),
          }))
        ),
    },
    partitions,
    call.options,
  );
  return inOrder(
    partitions,
    found,
    ({ topic, partition, lowWatermark }) => ({ topic, partition, lowWatermark }),
    ({ topic, partition }, error) => ({ topic, partition, lowWatermark: -1, error }),
  );
}

/** OffsetForLeaderEpoch to each partition's leader (as a consumer), one request per broker. */
export async function offsetsForLeaderEpoch(
  cluster: Cluster,
  partitions: readonly EpochQuery[],
  call: Call,
): Promise<EpochEndOffset[]> {
  checkedPartitions("partitions", partitions).forEach((p, i) =>
    intIn(`partitions[${i}].leaderEpoch`, p.leaderEpoch, 0)
  );
  // No current epoch (-1): the leader answers whatever epoch our metadata has seen.
  const found = await askLeaders(
    cluster,
    epochEndsAsk,
    partitions,
    call.options,
  );
  return inOrder(
    partitions,
    found,
    ({ topic, partition, leaderEpoch, endOffset }) => ({
      topic,
      partition,
      leaderEpoch,
      endOffset,
    }),
    ({ topic, partition }, error) => ({ topic, partition, leaderEpoch: -1, endOffset: -1, error }),
  );
}
