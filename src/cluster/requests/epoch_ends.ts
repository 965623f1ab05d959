/**
 * OffsetForLeaderEpoch, built and read in one place: where a leader epoch ends in each
 * partition's log, as its leader sees it. The admin client asks it for users; the Reader asks
 * it after a leader change, to find whether the new leader's log lost what was read (KIP-320).
 *
 * @module
 */
import { byTopic, type TopicPartition } from "../../offsets.ts";
import { errorForCode } from "../../protocol/errors.ts";
import {
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from "../../protocol/generated/offset_for_leader_epoch.ts";
import type { LeaderAsk, PartitionAnswer } from "./leaders.ts";

/** A partition and the leader epoch whose end is wanted. */
export interface EpochEndQuery extends TopicPartition {
  leaderEpoch: number;
  /**
   * The leader epoch the asker knows, so a stale leader refuses (FENCED_LEADER_EPOCH) and a
   * newer one answers UNKNOWN_LEADER_EPOCH until the asker's metadata catches up; -1 (default)
   * to take whatever the leader has.
   */
  currentLeaderEpoch?: number;
}

/** Where the asked epoch ends: the largest epoch at most the asked one, and its end offset. */
export interface EpochEndAnswer extends PartitionAnswer {
  /** -1 when the leader knows no epoch at or below the asked one. */
  leaderEpoch: number;
  /** The offset after that epoch's last record; -1 when unknown. */
  endOffset: number;
}

/** OffsetForLeaderEpoch as {@linkcode askLeaders} sends it (as a consumer: replica id -1). */
export const epochEndsAsk: LeaderAsk<
  EpochEndQuery,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  EpochEndAnswer
> = {
  api: OffsetForLeaderEpoch,
  request: (qs) => ({
    replicaId: -1,
    topics: [...byTopic(qs)].map(([topic, list]) => ({
      topic,
      partitions: list.map((q) => ({
        partition: q.partition,
        currentLeaderEpoch: q.currentLeaderEpoch ?? -1,
        leaderEpoch: q.leaderEpoch,
      })),
    })),
  }),
  read: (res) =>
    res.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.topic,
        partition: p.partition,
        leaderEpoch: p.leaderEpoch,
        endOffset: Number(p.endOffset),
        error: errorForCode(p.errorCode, {
          api: "OffsetForLeaderEpoch",
          topic: t.topic,
          partition: p.partition,
        }),
      }))
    ),
};
