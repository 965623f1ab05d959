/**
 * The words every layer shares about positions in a log: the offset sentinels, a partition
 * of a topic, a position to commit, and how partitions are keyed and grouped.
 *
 * @module
 */

/** The offset sentinel for "the first offset of the partition". */
export const FirstOffset: number = -2;
/** The offset sentinel for "the end of the partition". */
export const LastOffset: number = -1;

/** One partition of one topic. */
export interface TopicPartition {
  /** The topic's name. */
  topic: string;
  /** The partition's number. */
  partition: number;
}

/** A position to commit: the offset of the next message to read. */
export interface PartitionOffset extends TopicPartition {
  /** The offset of the next message to read. */
  offset: number;
  /** The leader epoch of the last message consumed, or -1. */
  leaderEpoch?: number;
  /** Free-form metadata stored with the commit. */
  metadata?: string | null;
}

/** A map key for a partition. */
export const partitionKey = (topic: string, partition: number): string =>
  `${topic}\u0000${partition}`;

/** Offsets to commit in the wire form OffsetCommit and TxnOffsetCommit share, by topic. */
export function offsetCommitTopics(offsets: readonly PartitionOffset[]): {
  name: string;
  partitions: {
    partitionIndex: number;
    committedOffset: bigint;
    committedLeaderEpoch: number;
    committedMetadata: string | null;
  }[];
}[] {
  return [...byTopic(offsets)].map(([name, parts]) => ({
    name,
    partitions: parts.map((p) => ({
      partitionIndex: p.partition,
      committedOffset: BigInt(p.offset),
      committedLeaderEpoch: p.leaderEpoch ?? -1,
      committedMetadata: p.metadata ?? null,
    })),
  }));
}

/** Items grouped by their topic, in first-seen order. */
export function byTopic<T extends { topic: string }>(items: readonly T[]): Map<string, T[]> {
  return groupBy(items, (item) => item.topic);
}

/** Items grouped by `key`, in first-seen order (Node 20 has no `Map.groupBy`). */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
