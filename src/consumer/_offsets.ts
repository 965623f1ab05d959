/**
 * OffsetCommit and OffsetFetch, routed by the core to the group's coordinator on the "group"
 * lane, shared by both group protocols. Topics are named (versions up to 9), so no topic ids are needed.
 *
 * @module
 */
import { errorForCode } from "../protocol/errors.ts";
import { OffsetCommit } from "../protocol/generated/offset_commit.ts";
import { OffsetFetch } from "../protocol/generated/offset_fetch.ts";
import type { Cluster } from "../cluster/cluster.ts";
import {
  byTopic,
  offsetCommitTopics,
  partitionKey,
  type PartitionOffset,
  type TopicPartition,
} from "../offsets.ts";
import { GROUP_ATTEMPTS } from "./_membership.ts";

/** Who commits: the member and its generation (classic) or epoch (KIP-848). */
export interface Committer {
  groupId: string;
  memberId: string;
  generationIdOrMemberEpoch: number;
  groupInstanceId: string | null;
  /** How long the broker keeps the offsets, in ms; -1 for its default. */
  retentionTime?: number;
}

/** How a commit or an offset fetch is run. */
export interface OffsetRequestOptions {
  /** Cancels the request and its retries. */
  signal?: AbortSignal;
  /** Each failure the core retries (a timeout, a lost connection, a moved coordinator). */
  onRetry?: (error: unknown) => void;
}

/**
 * Commits `offsets`. Throws the first partition error as a `KafkaError` naming the partition
 * (ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, … are the caller's to handle).
 */
export async function commitOffsets(
  cluster: Cluster,
  who: Committer,
  offsets: readonly PartitionOffset[],
  options: OffsetRequestOptions = {},
): Promise<void> {
  if (offsets.length === 0) return;
  const topics = offsetCommitTopics(offsets);
  const telemetry = cluster.telemetry;
  if (telemetry === undefined) return commitOnce(cluster, who, topics, options);
  const startedAt = Date.now();
  const span = telemetry.startCommit(who.groupId, topics.map((t) => t.name));
  try {
    await commitOnce(cluster, who, topics, options);
  } catch (e) {
    telemetry.endCommit(span, who.groupId, startedAt, e);
    throw e;
  }
  telemetry.endCommit(span, who.groupId, startedAt);
}

async function commitOnce(
  cluster: Cluster,
  who: Committer,
  topics: ReturnType<typeof offsetCommitTopics>,
  options: OffsetRequestOptions,
): Promise<void> {
  const res = await cluster.request(
    OffsetCommit,
    {
      groupId: who.groupId,
      generationIdOrMemberEpoch: who.generationIdOrMemberEpoch,
      memberId: who.memberId,
      groupInstanceId: who.groupInstanceId,
      retentionTimeMs: BigInt(who.retentionTime ?? -1),
      topics,
    },
    {
      key: who.groupId,
      lane: "group",
      errorCode: (r) => r.topics[0]?.partitions[0]?.errorCode ?? 0,
      signal: options.signal,
      onRetry: options.onRetry,
      maxVersion: 9,
      attempts: GROUP_ATTEMPTS,
    },
  );
  for (const t of res.topics) {
    for (const p of t.partitions) {
      const err = errorForCode(p.errorCode, {
        api: "OffsetCommit",
        topic: t.name,
        partition: p.partitionIndex,
      });
      if (err) throw err;
    }
  }
}

/** What the group committed for a partition: offset -1 when nothing is committed. */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/** The committed offsets of `partitions`, keyed by {@linkcode partitionKey}. */
export async function fetchOffsets(
  cluster: Cluster,
  groupId: string,
  partitions: readonly TopicPartition[],
  options: OffsetRequestOptions & { memberId?: string; memberEpoch?: number } = {},
): Promise<Map<string, CommittedOffset>> {
  const out = new Map<string, CommittedOffset>();
  if (partitions.length === 0) return out;
  const topics = [...byTopic(partitions)].map(([name, parts]) => ({
    name,
    partitionIndexes: parts.map((p) => p.partition),
  }));
  const res = await cluster.request(
    OffsetFetch,
    {
      groupId,
      topics,
      groups: [{
        groupId,
        memberId: options.memberId ?? null,
        memberEpoch: options.memberEpoch ?? -1,
        topics,
      }],
      // Wait for pending transactional commits instead of reading past them.
      requireStable: true,
    },
    {
      key: groupId,
      lane: "group",
      errorCode: (r) => r.groups[0]?.errorCode ?? r.errorCode,
      signal: options.signal,
      onRetry: options.onRetry,
      maxVersion: 9,
      attempts: GROUP_ATTEMPTS,
    },
  );
  const group = res.groups[0];
  const code = group ? group.errorCode : res.errorCode;
  const groupErr = errorForCode(code, { api: "OffsetFetch" });
  if (groupErr) throw groupErr;
  for (const t of group ? group.topics : res.topics) {
    for (const p of t.partitions) {
      const err = errorForCode(p.errorCode, {
        api: "OffsetFetch",
        topic: t.name,
        partition: p.partitionIndex,
      });
      if (err) throw err;
      out.set(partitionKey(t.name, p.partitionIndex), {
        offset: Number(p.committedOffset),
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.metadata,
      });
    }
  }
  return out;
}
