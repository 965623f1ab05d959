/**
 * The classic consumer group protocol: JoinGroup (the leader gets every subscription),
 * SyncGroup (the leader hands out assignments), Heartbeat until a rebalance, LeaveGroup.
 * Eager balancers give everything up before rejoining; cooperative ones (KIP-429) keep their
 * partitions, give up only what moved, and rejoin at once when they did.
 *
 * @module
 */
import { anySignal } from "../_async/abortable.ts";
import { delay } from "../_async/delay.ts";
import { backoffDelay } from "../_async/retry.ts";
import { ConnectionError, KafkitError } from "../errors.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { Heartbeat } from "../protocol/generated/heartbeat.ts";
import { JoinGroup, type JoinGroupResponse } from "../protocol/generated/join_group.ts";
import { LeaveGroup } from "../protocol/generated/leave_group.ts";
import { SyncGroup } from "../protocol/generated/sync_group.ts";
import { commitOffsets } from "./_offsets.ts";
import { byTopic, partitionKey, type PartitionOffset, type TopicPartition } from "../offsets.ts";
import {
  GROUP_ATTEMPTS,
  type GroupMembership,
  type MembershipHandlers,
  type MembershipOptions,
} from "./_membership.ts";
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from "./_subscription.ts";
import type {
  GroupBalancer,
  GroupMember,
  GroupPartition,
  TopicPartitions,
} from "./assignors/group_balancers.ts";

/** Errors after which the member cannot go on. */
const FATAL: ReadonlySet<number> = new Set([
  ErrorCodes.INCONSISTENT_GROUP_PROTOCOL,
  ErrorCodes.GROUP_AUTHORIZATION_FAILED,
  ErrorCodes.INVALID_SESSION_TIMEOUT,
  ErrorCodes.GROUP_MAX_SIZE_REACHED,
  ErrorCodes.FENCED_INSTANCE_ID,
  ErrorCodes.UNSUPPORTED_VERSION,
  ErrorCodes.INVALID_GROUP_ID,
  ErrorCodes.GROUP_ID_NOT_FOUND,
  ErrorCodes.TOPIC_AUTHORIZATION_FAILED,
]);

/** Why heartbeating stopped. */
type HeartbeatEnd = "rebalance" | "lost" | "stopped";

/** Group membership over JoinGroup/SyncGroup/Heartbeat. */
export class ClassicMembership implements GroupMembership {
  readonly #o: MembershipOptions;
  readonly #balancers: readonly GroupBalancer[];
  readonly #cooperative: boolean;
  #memberId = "";
  #generationId = -1;
  #owned: TopicPartition[] = [];
  /** Ends the heartbeat loop early (partition count changed, leave). */
  #rejoinNow: (() => void) | undefined;
  /** As leader: the partition count per topic the last assignment used. */
  #assignedCounts: Map<string, number> | undefined;

  constructor(options: MembershipOptions, balancers: readonly GroupBalancer[]) {
    this.#o = options;
    this.#balancers = balancers;
    // A group only rebalances cooperatively when every protocol offered supports it.
    this.#cooperative = balancers.every((b) => b.rebalanceProtocol === "cooperative");
  }

  get memberId(): string {
    return this.#memberId;
  }

  get generationId(): number {
    return this.#generationId;
  }

  get owned(): readonly TopicPartition[] {
    return this.#owned;
  }

  async run(handlers: MembershipHandlers, signal: AbortSignal): Promise<void> {
    let failures = 0;
    let rejoinAtOnce = false;
    while (!signal.aborted) {
      try {
        if (!this.#cooperative && this.#owned.length > 0) {
          const owned = this.#owned;
          await handlers.revoked(owned);
          this.#owned = [];
        }
        if (!rejoinAtOnce && failures > 0) {
          const backoffMax = this.#o.joinGroupBackoff ?? 5_000;
          await delay(backoffDelay(failures, { backoffMin: 100, backoffMax }), { signal });
        }
        const assigned = await this.#joinAndSync(signal);
        failures = 0;
        const next = new Set(assigned.map((p) => partitionKey(p.topic, p.partition)));
        const had = new Set(this.#owned.map((p) => partitionKey(p.topic, p.partition)));
        const revoked = this.#owned.filter((p) => !next.has(partitionKey(p.topic, p.partition)));
        const added = assigned.filter((p) => !had.has(partitionKey(p.topic, p.partition)));
        this.#o.log(
          `kafkit: group ${this.#o.groupId} generation ${this.#generationId}: member ` +
            `${this.#memberId} owns ${assigned.length} partitions (+${added.length} ` +
            `-${revoked.length})`,
        );
        // Heartbeats start first: the group is stable, and handlers may take a while (a
        // cooperative member commits what it gives up).
        const heartbeats = this.#heartbeat(signal);
        heartbeats.catch(() => {}); // awaited below, or on failure
        try {
          if (revoked.length > 0) await handlers.revoked(revoked);
          this.#owned = assigned;
          await handlers.assigned(added);
        } catch (e) {
          // Only what the handlers took is owned; the next join claims no more than that.
          this.#owned = assigned.filter((p) => had.has(partitionKey(p.topic, p.partition)));
          this.#rejoinNow?.();
          await heartbeats.catch(() => {});
          throw e;
        }
        // KIP-429: partitions given up are assigned elsewhere in a follow-up rebalance.
        if (this.#cooperative && revoked.length > 0) this.#rejoinNow?.();
        const end = await heartbeats;
        rejoinAtOnce = end === "rebalance";
        if (end === "lost") await this.#lose(handlers);
      } catch (e) {
        if (signal.aborted) break;
        // Broker errors are retried unless fatal; other errors only when retriable.
        if (
          e instanceof KafkaError ? FATAL.has(e.code) : !(e instanceof KafkitError && e.retriable)
        ) {
          throw e;
        }
        if (
          e instanceof KafkaError &&
          (e.code === ErrorCodes.UNKNOWN_MEMBER_ID || e.code === ErrorCodes.ILLEGAL_GENERATION)
        ) await this.#lose(handlers, e.code === ErrorCodes.UNKNOWN_MEMBER_ID);
        failures++;
        rejoinAtOnce = e instanceof KafkaError && e.code === ErrorCodes.REBALANCE_IN_PROGRESS;
        this.#o.logError(`kafkit: group ${this.#o.groupId}: joining failed, retrying`, e);
        this.#o.onError?.(e);
      }
    }
    await this.#leave(handlers);
  }

  async commit(
    offsets: PartitionOffset[],
    signal?: AbortSignal,
    generationId: number = this.#generationId,
  ): Promise<void> {
    await commitOffsets(
      this.#o.cluster,
      {
        groupId: this.#o.groupId,
        memberId: this.#memberId,
        generationIdOrMemberEpoch: generationId,
        groupInstanceId: this.#o.groupInstanceId,
        retentionTime: this.#o.retentionTime,
      },
      offsets,
      { signal, onRetry: this.#o.onError },
    );
  }

  /** Ownership is gone without a chance to commit; the next join starts afresh. */
  async #lose(handlers: MembershipHandlers, forgetMemberId = false): Promise<void> {
    const owned = this.#owned;
    this.#owned = [];
    this.#generationId = -1;
    if (forgetMemberId) this.#memberId = "";
    if (owned.length > 0) await handlers.lost(owned);
  }

  async #joinAndSync(signal: AbortSignal): Promise<TopicPartition[]> {
    const join = await this.#join(signal);
    this.#generationId = join.generationId;
    const protocolName = join.protocolName ?? "";
    let assignments: { memberId: string; assignment: Uint8Array }[] = [];
    this.#assignedCounts = undefined;
    if (join.leader === this.#memberId && !join.skipAssignment) {
      assignments = await this.#assign(join, protocolName);
    }
    const res = await this.#o.cluster.request(
      SyncGroup,
      {
        groupId: this.#o.groupId,
        generationId: this.#generationId,
        memberId: this.#memberId,
        groupInstanceId: this.#o.groupInstanceId,
        protocolType: "consumer",
        protocolName,
        assignments,
      },
      this.#groupOptions(this.#o.rebalanceTimeout + 5_000, signal),
    );
    const err = errorForCode(res.errorCode, { api: "SyncGroup" });
    if (err) throw err;
    const assignment = decodeAssignment(res.assignment);
    const subscribed = new Set(this.#o.topics);
    return assignment.assignedPartitions
      .filter((t) => subscribed.has(t.topic))
      .flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  }

  /**
   * Options of a group request to the coordinator, retried as every group request is (each
   * retried failure reported).
   */
  #groupOptions(timeout: number, signal?: AbortSignal) {
    return {
      key: this.#o.groupId,
      lane: "group" as const,
      errorCode: (r: { errorCode: number }) => r.errorCode,
      attempts: GROUP_ATTEMPTS,
      signal,
      timeout,
      onRetry: this.#o.onError,
    };
  }

  async #join(signal: AbortSignal): Promise<JoinGroupResponse> {
    const owned = groupByTopic(this.#owned);
    const topics = [...this.#o.topics].sort();
    const protocols = this.#balancers.map((b) => ({
      name: b.protocolName,
      metadata: encodeSubscription({
        topics,
        userData: b.userData?.({
          generationId: this.#generationId,
          ownedPartitions: owned,
          rackId: this.#o.rackId,
        }) ?? null,
        ownedPartitions: owned,
        generationId: this.#generationId,
        rackId: this.#o.rackId,
      }),
    }));
    for (let attempt = 0;; attempt++) {
      const res = await this.#o.cluster.request(
        JoinGroup,
        {
          groupId: this.#o.groupId,
          sessionTimeoutMs: this.#o.sessionTimeout,
          rebalanceTimeoutMs: this.#o.rebalanceTimeout,
          memberId: this.#memberId,
          groupInstanceId: this.#o.groupInstanceId,
          protocolType: "consumer",
          protocols,
        },
        this.#groupOptions(this.#o.rebalanceTimeout + 5_000, signal),
      );
      // KIP-394: the first join only obtains a member id, then joins again with it.
      if (res.errorCode === ErrorCodes.MEMBER_ID_REQUIRED && attempt < 2) {
        this.#memberId = res.memberId;
        continue;
      }
      const err = errorForCode(res.errorCode, { api: "JoinGroup" });
      if (err) throw err;
      this.#memberId = res.memberId;
      return res;
    }
  }

  /** The leader's job: read every subscription, split the partitions, encode the result. */
  async #assign(
    join: JoinGroupResponse,
    protocolName: string,
  ): Promise<{ memberId: string; assignment: Uint8Array }[]> {
    const balancer = this.#balancers.find((b) => b.protocolName === protocolName);
    if (!balancer) {
      throw new KafkaError(ErrorCodes.INCONSISTENT_GROUP_PROTOCOL, { api: "JoinGroup" });
    }
    const members: GroupMember[] = join.members.map((m) => {
      const s = decodeSubscription(m.metadata);
      return {
        id: m.memberId,
        groupInstanceId: m.groupInstanceId,
        topics: s.topics,
        userData: s.userData,
        ownedPartitions: s.ownedPartitions,
        generationId: s.generationId,
        rackId: s.rackId,
      };
    });
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    const partitions = await this.#partitionsOf(topics);
    this.#assignedCounts = partitionCounts(partitions);
    const result = balancer.assignGroups(members, partitions);
    return members.map((m) => {
      const byTopic = result.get(m.id) ?? new Map<string, number[]>();
      return {
        memberId: m.id,
        assignment: encodeAssignment(
          [...byTopic].map(([topic, ids]) => ({ topic, partitions: ids })),
        ),
      };
    });
  }

  /**
   * Every partition of `topics` with its replicas' racks (what rack-aware balancers need),
   * from fresh metadata of the core's model. Topics that do not exist are left out.
   */
  async #partitionsOf(topics: string[]): Promise<GroupPartition[]> {
    const cluster = this.#o.cluster;
    try {
      await cluster.refresh(topics);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e; // a topic error: that topic is left out below
    }
    const racks = new Map(cluster.brokers.map((b) => [b.nodeId, b.rack]));
    const out: GroupPartition[] = [];
    for (const name of topics) {
      let topic;
      try {
        topic = await cluster.topic(name);
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        // Not silent: the application learns why it is assigned none of that topic.
        this.#o.logError(`kafkit: group ${this.#o.groupId}: topic ${name} left out`, e);
        this.#o.onError?.(e);
        continue;
      }
      for (const p of topic.partitions) {
        out.push({
          topic: name,
          id: p.id,
          leaderRack: racks.get(p.leaderId) ?? null,
          replicaRacks: p.replicas.map((n) => racks.get(n)).filter((r): r is string => !!r),
        });
      }
    }
    return out.sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.id - b.id);
  }

  /** Heartbeats until the group rebalances, the member is lost, or `signal` aborts. */
  async #heartbeat(signal: AbortSignal): Promise<HeartbeatEnd> {
    const rejoinSoon = new AbortController();
    // Ends the heartbeats when the member stops or a rejoin is asked for.
    const stop = { signal: anySignal(signal, rejoinSoon.signal)! };
    let rejoin = false;
    this.#rejoinNow = () => {
      rejoin = true;
      rejoinSoon.abort();
    };
    try {
      for (;;) {
        try {
          await delay(this.#o.heartbeatInterval, { signal: stop.signal });
        } catch {
          return rejoin ? "rebalance" : "stopped";
        }
        let code: number;
        try {
          const res = await this.#o.cluster.request(
            Heartbeat,
            {
              groupId: this.#o.groupId,
              generationId: this.#generationId,
              memberId: this.#memberId,
              groupInstanceId: this.#o.groupInstanceId,
            },
            // A request's time, not the session's: a heartbeat stuck on a dead connection
            // must give way to one on a new connection while the session still holds.
            this.#groupOptions(
              Math.min(this.#o.sessionTimeout, this.#o.cluster.requestTimeout),
              stop.signal,
            ),
          );
          code = res.errorCode;
        } catch (e) {
          if (stop.signal.aborted) return rejoin ? "rebalance" : "stopped";
          // The core already retried; keep trying until the session decides.
          this.#o.logError(`kafkit: group ${this.#o.groupId}: heartbeat failed`, e);
          this.#o.onError?.(e);
          continue;
        }
        if (code === ErrorCodes.NONE) {
          if (await this.#partitionsChanged()) return "rebalance";
          continue;
        }
        if (code === ErrorCodes.REBALANCE_IN_PROGRESS) return "rebalance";
        if (code === ErrorCodes.ILLEGAL_GENERATION || code === ErrorCodes.UNKNOWN_MEMBER_ID) {
          if (code === ErrorCodes.UNKNOWN_MEMBER_ID) this.#memberId = "";
          return "lost";
        }
        const err = errorForCode(code, { api: "Heartbeat" })!;
        if (FATAL.has(code)) throw err;
        this.#o.logError(`kafkit: group ${this.#o.groupId}: heartbeat failed`, err);
        this.#o.onError?.(err);
      }
    } finally {
      this.#rejoinNow = undefined;
    }
  }

  #lastWatch = 0;

  /** As leader, whether a subscribed topic's partition count moved since the assignment. */
  async #partitionsChanged(): Promise<boolean> {
    const every = this.#o.partitionWatchInterval;
    const counts = this.#assignedCounts;
    if (every === undefined || !counts || Date.now() - this.#lastWatch < every) return false;
    this.#lastWatch = Date.now();
    try {
      const now = partitionCounts(await this.#partitionsOf([...counts.keys()]));
      for (const [topic, n] of counts) {
        if ((now.get(topic) ?? n) !== n) {
          this.#o.log(
            `kafkit: group ${this.#o.groupId}: ${topic} now has ${now.get(topic)} ` +
              `partitions (was ${n}), rebalancing`,
          );
          return true;
        }
      }
    } catch (e) {
      this.#o.logError(`kafkit: group ${this.#o.groupId}: checking partition counts failed`, e);
    }
    return false;
  }

  /** Gives everything up (committing through the handler) and leaves the group. */
  async #leave(handlers: MembershipHandlers): Promise<void> {
    // Still owned while the handler commits; given up after.
    if (this.#owned.length > 0) await handlers.revoked(this.#owned);
    this.#owned = [];
    // Static members stay registered so a restart within the session gets the same partitions.
    if (!this.#memberId || this.#o.groupInstanceId) return;
    try {
      await this.#o.cluster.request(
        LeaveGroup,
        {
          groupId: this.#o.groupId,
          memberId: this.#memberId,
          members: [{ memberId: this.#memberId, groupInstanceId: null, reason: "closing" }],
        },
        this.#groupOptions(5_000),
      );
    } catch (e) {
      if (!(e instanceof ConnectionError || e instanceof KafkaError)) throw e;
      this.#o.logError(`kafkit: group ${this.#o.groupId}: LeaveGroup failed`, e);
    }
    this.#memberId = "";
    this.#generationId = -1;
  }
}

/** `[{topic, partition}]` as `[{topic, partitions}]`. */
function groupByTopic(partitions: readonly TopicPartition[]): TopicPartitions[] {
  return [...byTopic(partitions)].map(([topic, ps]) => ({
    topic,
    partitions: ps.map((p) => p.partition).sort((a, b) => a - b),
  }));
}

function partitionCounts(partitions: readonly GroupPartition[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of partitions) counts.set(p.topic, (counts.get(p.topic) ?? 0) + 1);
  return counts;
}
