/**
 * The one Fetch request builder: the Reader's fetcher and the kafka-go `Conn` both describe
 * the partitions to read and get the same request body.
 *
 * @module
 */
import type { FetchRequest } from "../../protocol/generated/fetch.ts";
import { byTopic } from "../../offsets.ts";

/** A partition to fetch and where from. */
export interface FetchPartition {
  topic: string;
  /** The topic's id, for Fetch v13+ (which names topics by id). */
  topicId?: string;
  partition: number;
  /** The offset of the first record wanted. */
  offset: number;
  /** The leader epoch the client knows, so a stale leader refuses the fetch; -1 if none. */
  leaderEpoch?: number;
  /**
   * The leader epoch of the last batch fetched (Fetch v12+), so the leader can tell where
   * its log diverged from what the client read (KIP-320); -1 if none.
   */
  lastFetchedEpoch?: number;
}

/** An incremental fetch session's part of a request (KIP-227). */
export interface FetchSessionFields {
  sessionId: number;
  sessionEpoch: number;
  /** Partitions to drop from the session. */
  forgotten: readonly FetchPartition[];
}

/** What every partition of one Fetch shares. */
export interface FetchSettings {
  /** Smallest response the broker waits for. */
  minBytes: number;
  /** Largest response, and largest per partition. */
  maxBytes: number;
  /** Longest the broker holds the fetch waiting for `minBytes`, in ms. */
  maxWait: number;
  /** Skip aborted transactions and stop at the last stable offset. */
  readCommitted: boolean;
  /** The consumer's rack, so the broker may name a preferred read replica (KIP-392). */
  rackId?: string;
}

/** A Fetch request for `partitions`, grouped by topic; sessionless unless `session` says. */
export function fetchRequest(
  partitions: readonly FetchPartition[],
  settings: FetchSettings,
  session: FetchSessionFields = { sessionId: 0, sessionEpoch: -1, forgotten: [] },
): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: settings.maxWait,
    minBytes: settings.minBytes,
    maxBytes: settings.maxBytes,
    isolationLevel: settings.readCommitted ? 1 : 0,
    sessionId: session.sessionId,
    sessionEpoch: session.sessionEpoch,
    rackId: settings.rackId ?? "",
    topics: [...byTopic(partitions)].map(([topic, ps]) => ({
      topic,
      topicId: ps[0].topicId,
      partitions: ps.map((p) => ({
        partition: p.partition,
        currentLeaderEpoch: p.leaderEpoch ?? -1,
        fetchOffset: BigInt(p.offset),
        lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
        partitionMaxBytes: settings.maxBytes,
      })),
    })),
    forgottenTopicsData: [...byTopic(session.forgotten)].map(([topic, ps]) => ({
      topic,
      topicId: ps[0].topicId,
      partitions: ps.map((p) => p.partition),
    })),
  };
}
