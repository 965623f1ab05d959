/**
 * What a consumer needs from group membership, whichever protocol provides it: the classic
 * JoinGroup/SyncGroup one or KIP-848's ConsumerGroupHeartbeat. The membership tells the
 * consumer which partitions it gains and loses; the consumer fetches and commits.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import type { PartitionOffset, TopicPartition } from "../offsets.ts";

/** What the membership calls as ownership changes. Each call is awaited. */
export interface MembershipHandlers {
  /** Partitions newly owned. Fetching them may start when this returns. */
  assigned(partitions: TopicPartition[]): Promise<void>;
  /**
   * Partitions about to be given up while the member still owns them: stop fetching and
   * commit what was consumed before returning.
   */
  revoked(partitions: TopicPartition[]): Promise<void>;
  /**
   * Partitions already lost (the member was fenced or its session expired): stop fetching;
   * committing is no longer possible.
   */
  lost(partitions: TopicPartition[]): Promise<void>;
}

/** Group membership under one protocol. */
export interface GroupMembership {
  /** The member id, "" before the first join. */
  readonly memberId: string;
  /** The classic generation id or the KIP-848 member epoch, -1 before joining. */
  readonly generationId: number;
  /** The partitions owned now. */
  readonly owned: readonly TopicPartition[];
  /**
   * Joins and stays in the group, calling `handlers` as partitions move, until `signal`
   * aborts (then it revokes everything, commits through the handler, and leaves) or a
   * fatal error rejects it.
   */
  run(handlers: MembershipHandlers, signal: AbortSignal): Promise<void>;
  /**
   * Commits offsets as the current generation/epoch, or as `generationId` (classic only: a
   * kafka-go Generation commits as itself, so the broker refuses it once the group moved on).
   */
  commit(offsets: PartitionOffset[], signal?: AbortSignal, generationId?: number): Promise<void>;
}

/** What both protocols' memberships are built from. */
export interface MembershipOptions {
  /** The core every group request goes through (lane "group", keyed by `groupId`). */
  cluster: Cluster;
  groupId: string;
  /** Subscribed topics. */
  topics: readonly string[];
  /** Static membership id (KIP-345), or null. */
  groupInstanceId: string | null;
  /** ms without heartbeats before the coordinator drops the member (classic only). */
  sessionTimeout: number;
  /** ms members get to rejoin / revoke during a rebalance. */
  rebalanceTimeout: number;
  /** ms between heartbeats (KIP-848: the broker's interval wins). */
  heartbeatInterval: number;
  /** The member's rack, or null. */
  rackId: string | null;
  /** How long commits are kept, in ms; -1 for the broker's default. */
  retentionTime: number;
  /** Longest wait before joining again after a failure, in ms (classic only). */
  joinGroupBackoff?: number;
  /**
   * As the classic group's leader, check the subscribed topics' partition counts this often
   * (ms) and rebalance when they change; undefined to not watch (KIP-848 brokers do it).
   */
  partitionWatchInterval?: number;
  /** Informational messages (joins, assignments). */
  log: (message: string) => void;
  /** Errors that were handled by retrying. */
  logError: (message: string, error: unknown) => void;
  /** Each failure the membership retries (a group request's, a heartbeat's), as it happens. */
  onError?: (error: unknown) => void;
}

/**
 * Attempts for one request to the group coordinator: it may move, still be loading, or not
 * exist yet on a new cluster (the offsets topic is created on first use).
 */
export const GROUP_ATTEMPTS = 20;
