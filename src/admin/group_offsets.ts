/**
 * A group's committed offsets as an operator handles them: fetch them for many groups at
 * once (OffsetFetch), set them (OffsetCommit as a non-member, for groups without members)
 * and delete them (OffsetDelete).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { byTopic, offsetCommitTopics, partitionKey, type TopicPartition } from "../offsets.ts";
import { ErrorCodes, errorForCode, isRetriableCode } from "../protocol/errors.ts";
import { OffsetCommit } from "../protocol/generated/offset_commit.ts";
import { OffsetDelete } from "../protocol/generated/offset_delete.ts";
import {
  OffsetFetch,
  type OffsetFetchRequestTopics,
  type OffsetFetchResponsePartitions,
} from "../protocol/generated/offset_fetch.ts";
import type { Call } from "./_call.ts";
import { askCoordinators } from "./_coordinated.ts";
import type { ItemResult } from "./_results.ts";
import { intIn, listOf, nameOf } from "../_validate.ts";

/**
 * The highest OffsetFetch and OffsetCommit version used: v10 names topics by id only, and
 * these calls name them.
 */
const BY_NAME_VERSION = 9;

/** Which offsets of a group `fetchOffsets` asks for. */
export interface GroupOffsetsRequest {
  /** The group id. */
  groupId: string;
  /** Every partition of these topics (-1 where nothing is committed); default: every commit. */
  topics?: readonly string[];
}

/** Options of `fetchOffsets`. */
export interface FetchOffsetsOptions {
  /**
   * Wait for pending transactional commits instead of reading past them (OffsetFetch v7+;
   * brokers before Kafka 2.5 ignore it). Default false.
   */
  requireStable?: boolean;
}

/** A group's committed offset for one partition. */
export interface CommittedPartitionOffset extends ItemResult {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The offset of the next record to consume; -1 when nothing is committed. */
  offset: number;
  /** The leader epoch of the last record consumed, or -1. */
  leaderEpoch: number;
  /** What the committer stored with the offset. */
  metadata: string | null;
}

/** One group of `fetchOffsets`. */
export interface GroupOffsets extends ItemResult {
  /** The group id. */
  groupId: string;
  /** Sorted by topic, then partition (empty when the group failed). */
  offsets: CommittedPartitionOffset[];
}

/** One group's answer, from a batched (v8+) or a single-group answer. */
interface FetchedGroup {
  errorCode: number;
  topics: { name: string; partitions: OffsetFetchResponsePartitions[] }[];
}

/**
 * The committed offsets of each group: one OffsetFetch (v8+) per coordinator for all its
 * groups, one per group from older brokers. A topic that does not exist fails its group.
 */
export async function fetchOffsets(
  cluster: Cluster,
  requests: readonly GroupOffsetsRequest[],
  options: FetchOffsetsOptions,
  call: Call,
): Promise<GroupOffsets[]> {
  const seen = new Set<string>();
  const wanted = listOf("requests", requests).map((r, i) => {
    if (r === null || typeof r !== "object") {
      throw new TypeError(`requests[${i}] must be { groupId, topics? }`);
    }
    const groupId = nameOf(`requests[${i}].groupId`, r.groupId);
    if (seen.has(groupId)) throw new TypeError(`requests[${i}].groupId repeats ${groupId}`);
    seen.add(groupId);
    const topics = r.topics === undefined
      ? undefined
      : listOf(`requests[${i}].topics`, r.topics).map((t, j) =>
        nameOf(`requests[${i}].topics[${j}]`, t)
      );
    return { groupId, topics };
  });
  const requireStable = options.requireStable ?? false;
  const out = new Map<string, GroupOffsets>();
  // Asked topics become partition lists (so uncommitted partitions answer -1).
  const topicsOf = new Map<string, OffsetFetchRequestTopics[] | null>();
  await Promise.all(wanted.map(async ({ groupId, topics }) => {
    try {
      topicsOf.set(groupId, topics === undefined ? null : await partitionLists(cluster, topics));
    } catch (e) {
      out.set(groupId, { groupId, offsets: [], error: e as Error });
    }
  }));
  const fetchable = wanted.map((w) => w.groupId).filter((id) => !out.has(id));
  const answers = await askCoordinators<FetchedGroup>(cluster, fetchable, call.signal, {
    ask: async (nodeId, groupIds) => {
      const route = { to: "node", nodeId } as const;
      const sent = { route, ...call.options, attempts: 1, maxVersion: BY_NAME_VERSION };
      const conn = await cluster.connection(nodeId);
      if (conn.negotiate(OffsetFetch, BY_NAME_VERSION) >= 8) {
        const res = await cluster.request(OffsetFetch, {
          groups: groupIds.map((groupId) => ({ groupId, topics: topicsOf.get(groupId) ?? null })),
          requireStable,
        }, sent);
        return new Map(res.groups.map((g) => [g.groupId, g]));
      }
      const single = await Promise.all(groupIds.map(async (groupId) => {
        const res = await cluster.request(OffsetFetch, {
          groupId,
          topics: topicsOf.get(groupId) ?? null,
          requireStable,
        }, sent);
        return [groupId, res] as const;
      }));
      return new Map(single);
    },
    // A commit still pending in a transaction (requireStable) is asked for again.
    codeOf: (g) =>
      g.errorCode ||
      (g.topics.flatMap((t) => t.partitions).find((p) => isRetriableCode(p.errorCode))
        ?.errorCode ?? 0),
  });
  for (const [groupId, a] of answers) {
    const error = a instanceof Error
      ? a
      : errorForCode(a.errorCode, { api: "OffsetFetch", groupId });
    if (error || a instanceof Error) {
      out.set(groupId, { groupId, offsets: [], error });
      continue;
    }
    const offsets = a.topics.flatMap((t) =>
      t.partitions.map((p): CommittedPartitionOffset => {
        const error = errorForCode(p.errorCode, {
          api: "OffsetFetch",
          groupId,
          topic: t.name,
          partition: p.partitionIndex,
        });
        return {
          topic: t.name,
          partition: p.partitionIndex,
          offset: Number(p.committedOffset),
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.metadata,
          ...(error ? { error } : {}),
        };
      })
    );
    out.set(groupId, { groupId, offsets: offsets.sort(byPartition) });
  }
  return wanted.map((w) => out.get(w.groupId)!);
}

/** Every partition of `topics` (a topic that does not exist throws). */
export async function partitionsOfTopics(
  cluster: Cluster,
  topics: readonly string[],
): Promise<TopicPartition[]> {
  const infos = await Promise.all([...new Set(topics)].map((t) => cluster.topic(t)));
  return infos.flatMap((info) =>
    info.partitionIds.map((partition) => ({
      topic: info.name,
      partition,
    }))
  );
}

async function partitionLists(
  cluster: Cluster,
  topics: readonly string[],
): Promise<OffsetFetchRequestTopics[]> {
  const partitions = await partitionsOfTopics(cluster, topics);
  return [...byTopic(partitions)].map(([name, ps]) => ({
    name,
    partitionIndexes: ps.map((p) => p.partition),
  }));
}

/** One offset for `alterOffsets`. */
export interface OffsetToCommit extends TopicPartition {
  /** The offset of the next record the group will consume. */
  offset: number;
  /** The leader epoch of the record before it, when known (default -1). */
  leaderEpoch?: number;
  /** Stored with the offset. */
  metadata?: string | null;
}

/** One partition of `alterOffsets` or `deleteOffsets`. */
export interface GroupOffsetResult extends ItemResult {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
}

/**
 * Sets a group's committed offsets (OffsetCommit with generation -1 and no member, as an
 * admin): it works on groups without members, or unknown ones (they then exist, with
 * offsets only). A group with members refuses each partition (UNKNOWN_MEMBER_ID).
 */
export async function alterOffsets(
  cluster: Cluster,
  groupId: string,
  offsets: readonly OffsetToCommit[],
  call: Call,
): Promise<GroupOffsetResult[]> {
  nameOf("groupId", groupId);
  const checked = listOf("offsets", offsets).map((o, i) => {
    const field = `offsets[${i}]`;
    partitionOf(field, o);
    intIn(`${field}.offset`, o.offset, 0, Number.MAX_SAFE_INTEGER);
    if (o.leaderEpoch !== undefined) intIn(`${field}.leaderEpoch`, o.leaderEpoch, -1);
    if (o.metadata !== undefined && o.metadata !== null && typeof o.metadata !== "string") {
      throw new TypeError(`${field}.metadata must be a string or null`);
    }
    return o;
  });
  if (checked.length === 0) return [];
  const res = await cluster.request(OffsetCommit, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: offsetCommitTopics(checked),
  }, {
    key: groupId,
    errorCode: (r) => r.topics[0]?.partitions[0]?.errorCode ?? 0,
    ...call.options,
    maxVersion: BY_NAME_VERSION,
  });
  const codes = new Map(
    res.topics.flatMap((t) =>
      t.partitions.map((p) => [partitionKey(t.name, p.partitionIndex), p.errorCode])
    ),
  );
  return checked.map((o) => partitionResult("OffsetCommit", groupId, o, codes));
}

/**
 * Deletes a group's committed offsets of some partitions (OffsetDelete). A topic the group's
 * members still subscribe to fails with GROUP_SUBSCRIBED_TO_TOPIC; an error about the group
 * (GROUP_ID_NOT_FOUND, …) throws.
 */
export async function deleteOffsets(
  cluster: Cluster,
  groupId: string,
  partitions: readonly TopicPartition[],
  call: Call,
): Promise<GroupOffsetResult[]> {
  nameOf("groupId", groupId);
  const checked = listOf("partitions", partitions).map((p, i) =>
    partitionOf(`partitions[${i}]`, p)
  );
  if (checked.length === 0) return [];
  const res = await cluster.request(OffsetDelete, {
    groupId,
    topics: [...byTopic(checked)].map(([name, parts]) => ({
      name,
      partitions: parts.map((p) => ({ partitionIndex: p.partition })),
    })),
  }, { key: groupId, errorCode: (r) => r.errorCode, ...call.options });
  const err = errorForCode(res.errorCode, { api: "OffsetDelete", groupId });
  if (err) throw err;
  const codes = new Map(
    res.topics.flatMap((t) =>
      t.partitions.map((p) => [partitionKey(t.name, p.partitionIndex), p.errorCode])
    ),
  );
  return checked.map((p) => partitionResult("OffsetDelete", groupId, p, codes));
}

function partitionResult(
  api: string,
  groupId: string,
  p: TopicPartition,
  codes: Map<string, number>,
): GroupOffsetResult {
  const code = codes.get(partitionKey(p.topic, p.partition)) ??
    ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION;
  const result = { topic: p.topic, partition: p.partition };
  const error = errorForCode(code, { api, groupId, topic: p.topic, partition: p.partition });
  return error ? { ...result, error } : result;
}

/** `p` if it names a topic and a partition; a `TypeError`/`RangeError` naming `field`. */
export function partitionOf(field: string, p: TopicPartition): TopicPartition {
  if (p === null || typeof p !== "object") {
    throw new TypeError(`${field} must be { topic, partition }`);
  }
  nameOf(`${field}.topic`, p.topic);
  intIn(`${field}.partition`, p.partition, 0);
  return p;
}

/** Order by topic, then partition. */
export function byPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}
