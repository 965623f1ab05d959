/**
 * How far groups are behind, as `kafka-consumer-groups --describe` shows it: per partition
 * the committed offset, the log end and their difference, with the member that owns it.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { KafkitError } from "../errors.ts";
import { partitionKey, type TopicPartition } from "../offsets.ts";
import type { Call } from "./_call.ts";
import { LATEST, logOffsets } from "./_log_offsets.ts";
import type { ItemResult } from "./_results.ts";
import { byPartition, fetchOffsets } from "./group_offsets.ts";
import { describeGroups, groupIdsOf, type GroupMemberDescription } from "./groups.ts";

/** One partition of a {@linkcode GroupLag}; `error` when its log end is unknown. */
export interface PartitionLag extends ItemResult {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The committed offset; -1 when the group committed nothing for the partition. */
  committed: number;
  /** The log end offset (high watermark); -1 when unknown (see `error`). */
  logEnd: number;
  /**
   * `logEnd - committed`; null when nothing is committed or the log end is unknown (where
   * the Java tool prints "-"; a partition without a commit has no position to measure from).
   */
  lag: number | null;
  /** The member that owns the partition, or null (none does). */
  memberId: string | null;
  /** That member's client id, or null. */
  clientId: string | null;
  /** That member's host, or null. */
  host: string | null;
}

/** One group of `groupLag`. */
export interface GroupLag extends ItemResult {
  /** The group id. */
  groupId: string;
  /** The group's state (`Unknown` when it failed). */
  state: string;
  /**
   * Every partition with a committed offset or an owner, sorted by topic and partition
   * (empty when the group failed).
   */
  partitions: PartitionLag[];
  /** The sum of the partitions' known lags. */
  totalLag: number;
}

/**
 * Each group's lag: its members' assignments (describeGroups), its committed offsets
 * (fetchOffsets) and the log ends (ListOffsets, latest). A group that does not exist fails
 * with GROUP_ID_NOT_FOUND; a share group (which commits no offsets) fails too.
 */
export async function groupLag(
  cluster: Cluster,
  groupIds: readonly string[],
  call: Call,
): Promise<GroupLag[]> {
  const ids = groupIdsOf("groupIds", groupIds);
  const [described, fetched] = await Promise.all([
    describeGroups(cluster, ids, {}, call),
    fetchOffsets(cluster, ids.map((groupId) => ({ groupId })), {}, call),
  ]);
  const groups = ids.map((groupId, i) => {
    const group = described[i];
    const offsets = fetched[i];
    const error = group.error ?? offsets.error ?? (group.type === "share"
      ? new KafkitError(
        `group ${JSON.stringify(groupId)} is a share group: it commits no offsets to lag behind`,
      )
      : undefined);
    const owners = new Map<string, GroupMemberDescription>();
    const partitions = new Map<string, TopicPartition>();
    for (const m of group.members) {
      for (const t of m.assignment) {
        for (const partition of t.partitions) {
          const key = partitionKey(t.topic, partition);
          owners.set(key, m);
          partitions.set(key, { topic: t.topic, partition });
        }
      }
    }
    const committed = new Map<string, number>();
    for (const o of offsets.offsets) {
      if (o.offset < 0) continue;
      const key = partitionKey(o.topic, o.partition);
      committed.set(key, o.offset);
      partitions.set(key, { topic: o.topic, partition: o.partition });
    }
    return { groupId, state: group.state, error, owners, committed, partitions };
  });
  const ends = await logOffsets(
    cluster,
    groups.flatMap((g) => g.error ? [] : [...g.partitions.values()]),
    LATEST,
    call.signal,
  );
  return groups.map((g): GroupLag => {
    if (g.error) {
      return { groupId: g.groupId, state: "Unknown", partitions: [], totalLag: 0, error: g.error };
    }
    const partitions = [...g.partitions].map(([key, p]): PartitionLag => {
      const end = ends.get(key);
      const logEnd = typeof end === "number" ? end : -1;
      const committed = g.committed.get(key) ?? -1;
      const owner = g.owners.get(key);
      return {
        ...p,
        committed,
        logEnd,
        lag: committed >= 0 && logEnd >= 0 ? logEnd - committed : null,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.host ?? null,
        ...(end instanceof Error ? { error: end } : {}),
      };
    }).sort(byPartition);
    const totalLag = partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
    return { groupId: g.groupId, state: g.state, partitions, totalLag };
  });
}
