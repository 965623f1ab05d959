/**
 * The KIP-848 consumer group protocol: one ConsumerGroupHeartbeat RPC carries the member's
 * subscription and owned partitions; the broker computes assignments and answers with the
 * partitions (by topic id) the member should own. The member revokes what it lost, takes what
 * it gained, and acknowledges by reporting its owned set in the next heartbeat. Modelled on
 * the Java client's ConsumerMembershipManager (client-generated member id, KIP-1082).
 *
 * @module
 */
import { Notifier } from "../_async/notifier.ts";
import { backoffDelay } from "../_async/retry.ts";
import { KafkitError, UnsupportedVersionError } from "../errors.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from "../protocol/generated/consumer_group_heartbeat.ts";
import { uuidToString } from "../wire/uuid.ts";
import { partitionKey, type PartitionOffset, type TopicPartition } from "../offsets.ts";
import {
  GROUP_ATTEMPTS,
  type GroupMembership,
  type MembershipHandlers,
  type MembershipOptions,
} from "./_membership.ts";
import { commitOffsets } from "./_offsets.ts";

/** What the KIP-848 membership takes beyond {@linkcode MembershipOptions}. */
export interface ConsumerProtocolOptions {
  /** The broker-side assignor ("uniform", "range"); null or absent for the broker's default. */
  serverAssignor?: string | null;
}

/** Errors after which the member rejoins from scratch (epoch 0, same member id). */
const FENCED: ReadonlySet<number> = new Set([
  ErrorCodes.FENCED_MEMBER_EPOCH,
  ErrorCodes.UNKNOWN_MEMBER_ID,
]);

/** Epochs that leave the group: a dynamic member, or a static one that will come back. */
const LEAVE_EPOCH = -1;
const LEAVE_STATIC_EPOCH = -2;
/** How long the leave heartbeat may take: it is best effort. */
const LEAVE_TIMEOUT = 5_000;
/** Commits retried after STALE_MEMBER_EPOCH, each after the next heartbeat response. */
const STALE_EPOCH_RETRIES = 2;

/** An owned partition with the topic id the broker knows it by. */
interface OwnedPartition extends TopicPartition {
  topicId: string;
}

type Release = "revoked" | "lost";

const byTopicPartition = (a: TopicPartition, b: TopicPartition): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;

/** Plain, sorted `{ topic, partition }` copies (what the handlers get). */
const plain = (parts: Iterable<OwnedPartition>): TopicPartition[] =>
  [...parts].map(({ topic, partition }) => ({ topic, partition })).sort(byTopicPartition);

const isRetriable = (e: unknown): boolean => e instanceof KafkitError && e.retriable;

/** Group membership over ConsumerGroupHeartbeat (KIP-848). */
export class ConsumerProtocolMembership implements GroupMembership {
  readonly #o: MembershipOptions;
  readonly #serverAssignor: string | null;
  /** Generated once; kept across rejoins for the member's lifetime (KIP-1082). */
  readonly #localId: string;
  #memberId = "";
  /** -1 outside `run`, 0 while (re)joining, then the broker's epoch. */
  #epoch = -1;
  #interval: number;
  #running = false;
  readonly #owned = new Map<string, OwnedPartition>();
  /** Topic id → name, for ids seen in assignments. */
  readonly #names = new Map<string, string>();
  /** The latest assignment from the broker (topic id → partitions) and its version. */
  #target: Map<string, number[]> | undefined;
  #targetVersion = 0;
  /** Bumped when ownership ends (fenced, leaving, fatal): a reconciliation in flight stops. */
  #era = 0;
  #reconciling: Promise<void> | undefined;
  /** A heartbeat should go out now (an acknowledgement, or a commit needing a fresh epoch). */
  #heartbeatDue = false;
  /** Ownership is being handed back: no heartbeat will come until that is done. */
  #releasing = false;
  /** Wakes a heartbeat pause early (a heartbeat is due now). */
  readonly #heartbeatWanted = new Notifier();
  /** Notified on every heartbeat response, and when `run` ends. */
  readonly #responses = new Notifier();

  /** Creates the membership; nothing is sent until {@linkcode run}. */
  constructor(options: MembershipOptions, extra: ConsumerProtocolOptions = {}) {
    if (options.topics.length === 0) {
      throw new TypeError("topics must name at least one topic for the consumer group protocol");
    }
    this.#o = options;
    this.#serverAssignor = extra.serverAssignor ?? null;
    this.#interval = options.heartbeatInterval;
    this.#localId = uuidToString(crypto.getRandomValues(new Uint8Array(16)));
  }

  /** The member id, "" before the first heartbeat response. */
  get memberId(): string {
    return this.#memberId;
  }

  /** The member epoch: -1 outside `run`, 0 while joining. */
  get generationId(): number {
    return this.#epoch;
  }

  /** The partitions owned now. */
  get owned(): readonly TopicPartition[] {
    return plain(this.#owned.values());
  }

  /**
   * Heartbeats until `signal` aborts (then revokes everything and leaves) or a fatal error
   * (which first reports the partitions as lost, then rejects).
   */
  async run(handlers: MembershipHandlers, signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error("this membership is already running");
    this.#running = true;
    this.#epoch = 0;
    this.#target = undefined;
    this.#interval = this.#o.heartbeatInterval;
    try {
      await this.#loop(handlers, signal);
      await this.#endOwnership(handlers, "revoked");
      await this.#leave();
    } catch (e) {
      await this.#endOwnership(handlers, "lost");
      throw e;
    } finally {
      this.#running = false;
      this.#epoch = -1;
      this.#notifyResponse();
    }
  }

  /**
   * Commits as the current member epoch. STALE_MEMBER_EPOCH (the epoch moved on) is retried
   * after the next heartbeat response brings the new epoch.
   */
  async commit(offsets: PartitionOffset[], signal?: AbortSignal): Promise<void> {
    for (let attempt = 0;; attempt++) {
      try {
        await commitOffsets(
          this.#o.cluster,
          {
            groupId: this.#o.groupId,
            memberId: this.#memberId || this.#localId,
            generationIdOrMemberEpoch: this.#epoch,
            groupInstanceId: this.#o.groupInstanceId,
            retentionTime: this.#o.retentionTime,
          },
          offsets,
          { signal, onRetry: this.#o.onError },
        );
        return;
      } catch (e) {
        const stale = e instanceof KafkaError && e.code === ErrorCodes.STALE_MEMBER_EPOCH;
        // While partitions are handed back (a revoked handler committing), heartbeats wait.
        if (!stale || attempt >= STALE_EPOCH_RETRIES || !this.#running || this.#releasing) {
          throw e;
        }
        this.#o.logError(`kafkit: group ${this.#o.groupId}: commit with a stale epoch`, e);
        await this.#nextResponse(signal);
      }
    }
  }

  async #loop(handlers: MembershipHandlers, signal: AbortSignal): Promise<void> {
    let failures = 0;
    let lastSuccess = Date.now();
    while (!signal.aborted) {
      this.#heartbeatDue = false;
      let res: ConsumerGroupHeartbeatResponse | undefined;
      let error: unknown;
      try {
        res = await this.#o.cluster.request(ConsumerGroupHeartbeat, this.#request(), {
          key: this.#o.groupId,
          lane: "group",
          errorCode: (r) => r.errorCode,
          signal,
          attempts: GROUP_ATTEMPTS,
          onRetry: this.#o.onError,
        });
      } catch (e) {
        if (signal.aborted) return;
        error = e;
      }
      if (res) {
        if (res.errorCode === ErrorCodes.NONE) {
          failures = 0;
          lastSuccess = Date.now();
          this.#accept(res, handlers);
          this.#notifyResponse();
          await this.#pause(this.#interval, signal);
          continue;
        }
        this.#notifyResponse();
        error = errorForCode(res.errorCode, {
          api: "ConsumerGroupHeartbeat",
          groupId: this.#o.groupId,
          brokerMessage: res.errorMessage,
        });
        // Kafka 3.7-3.9 list the API but refuse it unless KIP-848 was switched on there.
        if (res.errorCode === ErrorCodes.UNSUPPORTED_VERSION) {
          throw new UnsupportedVersionError(
            `group ${this.#o.groupId}: the cluster does not run the consumer group protocol ` +
              `(KIP-848, Kafka 4.0+); use groupProtocol "classic"`,
            { cause: error },
          );
        }
        if (FENCED.has(res.errorCode)) {
          this.#o.logError(`kafkit: group ${this.#o.groupId}: member fenced, rejoining`, error);
          this.#o.onError?.(error);
          await this.#fence(handlers);
          // Rejoin at once, as Java does, but do not spin if joining itself is refused.
          if (failures++ > 0) {
            await this.#pause(
              backoffDelay(failures, { backoffMin: 100, backoffMax: 2_000 }),
              signal,
            );
          }
          continue;
        }
      }
      // Anything the broker or the connection does not call retriable is fatal, as in Java.
      if (!isRetriable(error)) throw error;
      failures++;
      this.#o.logError(`kafkit: group ${this.#o.groupId}: heartbeat failed, retrying`, error);
      this.#o.onError?.(error);
      // Without an answer for this long the broker has most likely dropped the member.
      if (this.#epoch > 0 && Date.now() - lastSuccess > this.#o.rebalanceTimeout) {
        await this.#fence(handlers);
      }
      await this.#pause(backoffDelay(failures, { backoffMin: 100, backoffMax: 2_000 }), signal);
    }
  }

  /** The full member state: legal in every heartbeat, and it makes every answer complete. */
  #request(): ConsumerGroupHeartbeatRequest {
    const byId = new Map<string, number[]>();
    for (const p of this.#owned.values()) {
      const list = byId.get(p.topicId);
      if (list) list.push(p.partition);
      else byId.set(p.topicId, [p.partition]);
    }
    return {
      groupId: this.#o.groupId,
      memberId: this.#memberId || this.#localId,
      memberEpoch: this.#epoch,
      instanceId: this.#o.groupInstanceId,
      rackId: this.#o.rackId,
      rebalanceTimeoutMs: this.#o.rebalanceTimeout,
      subscribedTopicNames: [...this.#o.topics],
      serverAssignor: this.#serverAssignor,
      // Must be empty (not null) when joining with epoch 0.
      topicPartitions: [...byId].map(([topicId, partitions]) => ({
        topicId,
        partitions: partitions.sort((a, b) => a - b),
      })),
    };
  }

  #accept(res: ConsumerGroupHeartbeatResponse, handlers: MembershipHandlers): void {
    if (res.memberId) this.#memberId = res.memberId;
    else if (!this.#memberId) this.#memberId = this.#localId;
    if (res.memberEpoch !== this.#epoch) {
      this.#o.log(
        `kafkit: group ${this.#o.groupId}: member ${this.#memberId} epoch ${res.memberEpoch}`,
      );
    }
    this.#epoch = res.memberEpoch;
    if (res.heartbeatIntervalMs > 0) this.#interval = res.heartbeatIntervalMs;
    if (!res.assignment) return;
    const target = new Map<string, number[]>();
    for (const t of res.assignment.topicPartitions) target.set(t.topicId, [...t.partitions]);
    if (!this.#target || !sameAssignment(this.#target, target)) {
      this.#target = target;
      this.#targetVersion++;
      void this.#reportMissingTopics();
    }
    // Also when unchanged: names that could not be resolved before may resolve now.
    this.#startReconciling(handlers);
  }

  #startReconciling(handlers: MembershipHandlers): void {
    if (this.#reconciling) return;
    this.#reconciling = this.#reconcile(handlers);
  }

  /** Moves ownership towards the target, one target at a time, until it stops changing. */
  async #reconcile(handlers: MembershipHandlers): Promise<void> {
    // Let #startReconciling record this task before anything below can finish it.
    await Promise.resolve();
    try {
      for (;;) {
        const era = this.#era;
        const version = this.#targetVersion;
        const target = this.#target;
        if (!target) return;
        await this.#resolveNames([...target.keys()]);
        if (era !== this.#era) return;
        if (version !== this.#targetVersion) continue;
        const wanted = new Map<string, OwnedPartition>();
        for (const [topicId, partitions] of target) {
          const topic = this.#names.get(topicId);
          // Unresolved topics wait for a later answer; the rest is reconciled now.
          if (topic === undefined) continue;
          for (const partition of partitions) {
            wanted.set(partitionKey(topic, partition), { topic, partition, topicId });
          }
        }
        const removed = [...this.#owned].filter(([k]) => !wanted.has(k));
        const added = [...wanted].filter(([k]) => !this.#owned.has(k));
        if (removed.length > 0 || added.length > 0) {
          this.#o.log(
            `kafkit: group ${this.#o.groupId}: member ${this.#memberId} epoch ${this.#epoch}: ` +
              `owns ${wanted.size} partitions (+${added.length} -${removed.length})`,
          );
        }
        if (removed.length > 0) {
          await this.#call(handlers, "revoked", plain(removed.map(([, p]) => p)));
          for (const [k] of removed) this.#owned.delete(k);
        }
        if (era !== this.#era) return;
        if (removed.length > 0 || added.length > 0) {
          // Called after every change (even with nothing added), so a consumer sees each
          // new ownership period. A failed handler leaves the partitions unowned; the next
          // heartbeat answer reconciles them again.
          for (const [k, p] of added) this.#owned.set(k, p);
          if (!await this.#call(handlers, "assigned", plain(added.map(([, p]) => p)))) {
            for (const [k] of added) this.#owned.delete(k);
          }
        }
        // Acknowledge at once: the broker moves on when it sees the new owned set.
        if (removed.length > 0 || added.length > 0) this.#heartbeatNow();
        if (era !== this.#era || version === this.#targetVersion) return;
      }
    } catch (e) {
      this.#o.logError(`kafkit: group ${this.#o.groupId}: reconciliation failed`, e);
    } finally {
      this.#reconciling = undefined;
    }
  }

  /** Subscribed topics reported missing, each once until it appears. */
  readonly #missing = new Set<string>();

  /**
   * The broker assigns a subscribed topic only once it exists: say which are missing (as the
   * assignment changes), so a consumer that owns nothing is not waiting silently.
   */
  async #reportMissingTopics(): Promise<void> {
    const cluster = this.#o.cluster;
    await cluster.refresh(this.#o.topics).catch(() => {}); // each topic's error is read below
    for (const t of this.#o.topics) {
      try {
        await cluster.topic(t);
        this.#missing.delete(t);
      } catch (e) {
        if (!(e instanceof KafkaError) || this.#missing.has(t)) continue;
        this.#missing.add(t);
        this.#o.logError(
          `kafkit: group ${this.#o.groupId}: subscribed topic ${t} is unavailable; ` +
            `the broker assigns it once it appears`,
          e,
        );
        this.#o.onError?.(e);
      }
    }
  }

  /** Learns the names of topic ids from the metadata of the subscribed topics. */
  async #resolveNames(ids: string[]): Promise<void> {
    if (ids.every((id) => this.#names.has(id))) return;
    const cluster = this.#o.cluster;
    for (const t of this.#o.topics) cluster.invalidate(t);
    try {
      await cluster.refresh(this.#o.topics);
    } catch (e) {
      // One missing topic fails the refresh; the others are cached all the same.
      this.#o.logError(`kafkit: group ${this.#o.groupId}: metadata refresh failed`, e);
    }
    for (const t of this.#o.topics) {
      try {
        const info = await cluster.topic(t);
        this.#names.set(info.id, info.name);
      } catch {
        // Not known yet: its partitions are reconciled once it is.
      }
    }
  }

  /** Calls a handler; a failure is logged and reconciliation goes on, as Java's does. */
  async #call(
    handlers: MembershipHandlers,
    kind: keyof MembershipHandlers,
    partitions: TopicPartition[],
  ): Promise<boolean> {
    try {
      await handlers[kind](partitions);
      return true;
    } catch (e) {
      this.#o.logError(`kafkit: group ${this.#o.groupId}: the ${kind} handler failed`, e);
      return false;
    }
  }

  /** The broker no longer knows this member as it was: drop everything, rejoin at epoch 0. */
  async #fence(handlers: MembershipHandlers): Promise<void> {
    await this.#endOwnership(handlers, "lost");
    this.#epoch = 0;
    this.#target = undefined;
  }

  /** Stops reconciling, then hands the owned partitions to the handler and forgets them. */
  async #endOwnership(handlers: MembershipHandlers, kind: Release): Promise<void> {
    this.#era++;
    this.#releasing = true;
    // A commit waiting for a fresh epoch would wait for this very task: let it fail instead.
    this.#notifyResponse();
    try {
      await this.#reconciling;
      if (this.#owned.size > 0) await this.#call(handlers, kind, plain(this.#owned.values()));
      this.#owned.clear();
    } finally {
      this.#releasing = false;
    }
  }

  async #leave(): Promise<void> {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), LEAVE_TIMEOUT);
    try {
      const res = await this.#o.cluster.request(
        ConsumerGroupHeartbeat,
        {
          groupId: this.#o.groupId,
          memberId: this.#memberId || this.#localId,
          memberEpoch: this.#o.groupInstanceId === null ? LEAVE_EPOCH : LEAVE_STATIC_EPOCH,
          instanceId: this.#o.groupInstanceId,
        },
        {
          key: this.#o.groupId,
          lane: "group",
          errorCode: (r) => r.errorCode,
          signal: stop.signal,
          timeout: LEAVE_TIMEOUT,
          attempts: GROUP_ATTEMPTS,
        },
      );
      const err = errorForCode(res.errorCode, {
        api: "ConsumerGroupHeartbeat",
        groupId: this.#o.groupId,
        brokerMessage: res.errorMessage,
      });
      if (err) this.#o.logError(`kafkit: group ${this.#o.groupId}: leaving failed`, err);
      else this.#o.log(`kafkit: group ${this.#o.groupId}: member ${this.#memberId} left`);
    } catch (e) {
      // Best effort: the broker drops the member when its session expires.
      this.#o.logError(`kafkit: group ${this.#o.groupId}: leaving failed`, e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits `ms`, or less when a heartbeat is due or `signal` aborts. Never rejects. */
  #pause(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#heartbeatDue || signal.aborted) return Promise.resolve();
    return this.#heartbeatWanted.wait({ signal, timeout: ms }).catch(() => {});
  }

  #heartbeatNow(): void {
    this.#heartbeatDue = true;
    this.#heartbeatWanted.notify();
  }

  #notifyResponse(): void {
    this.#responses.notify();
  }

  /** Resolves after the next heartbeat response (asked for now), or when `run` ends. */
  #nextResponse(signal?: AbortSignal): Promise<void> {
    const next = this.#responses.wait({ signal });
    this.#heartbeatNow();
    return next;
  }
}

function sameAssignment(a: Map<string, number[]>, b: Map<string, number[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, parts] of a) {
    const other = b.get(id);
    if (!other || other.length !== parts.length) return false;
    const set = new Set(other);
    if (!parts.every((p) => set.has(p))) return false;
  }
  return true;
}
