/**
 * A member of a share group (KIP-932, Kafka 4.2+): queue-like consumption where the members
 * of one group share partitions, the broker hands each record to one member at a time, and
 * every record is acknowledged on its own — accepted (done), released (deliver it again,
 * perhaps to another member) or rejected (never again). A record not acknowledged within
 * the group's acquisition lock (`share.record.lock.duration.ms`, 30 s by default) goes back
 * to the group with its delivery count raised.
 *
 * @module
 */
import { clientLog } from "../log.ts";
import type { Telemetry } from "../telemetry.ts";
import { messageBytes } from "./_reader_stats.ts";
import { abortable, anySignal, throwIfAborted } from "../_async/abortable.ts";
import { backoffDelay } from "../_async/retry.ts";
import { delay } from "../_async/delay.ts";
import { Notifier } from "../_async/notifier.ts";
import { Cluster, type ClusterOptions, CORE_OPTIONS } from "../cluster/cluster.ts";
import { intIn, listOf, nameOf, oneOf } from "../_validate.ts";
import { positiveInt, rejectUnknownOptions, SIGNAL_ONLY } from "../config.ts";
import { KafkitError } from "../errors.ts";
import { type Message, toMessage } from "../message.ts";
import type { TopicPartition } from "../offsets.ts";
import { ErrorCodes, errorForCode } from "../protocol/errors.ts";
import {
  ShareAcknowledge,
  type ShareAcknowledgeResponse,
} from "../protocol/generated/share_acknowledge.ts";
import { ShareFetch, type ShareFetchResponse } from "../protocol/generated/share_fetch.ts";
import { readRecordBatches } from "../protocol/records.ts";
import { clusterOptionsOf } from "./_core_options.ts";
import { ShareMembership } from "./_share_membership.ts";
import {
  ACK_TYPE_ID,
  type AcknowledgeType,
  recordsAcknowledged,
  type SessionRequest,
  ShareSession,
} from "./_share_session.ts";

export type { AcknowledgeType };

/** Configuration of a {@linkcode ShareReader}. */
export interface ShareReaderConfig extends Omit<ClusterOptions, "brokers"> {
  /** Bootstrap brokers, `host:port` (required unless `cluster` is given). */
  brokers?: string | readonly string[];
  /** A shared client core instead of one of the reader's own. */
  cluster?: Cluster;
  /** The share group. */
  groupId: string;
  /** The topics the member subscribes to. */
  topics: readonly string[];
  /**
   * `"implicit"` (default): a record handed out is accepted when the next records are
   * fetched, unless {@linkcode ShareReader.acknowledge} said otherwise first. `"explicit"`:
   * only what `acknowledge` says counts; a record left unacknowledged is delivered again
   * once its acquisition lock runs out.
   */
  acknowledgement?: "implicit" | "explicit";
  /** Longest time the broker holds a fetch waiting for records, in ms (default 500). */
  maxWait?: number;
  /** Most bytes one fetch returns (default 1 MiB). */
  maxBytes?: number;
  /** Most records one fetch acquires per broker (default 500). */
  maxRecords?: number;
  /** The member's rack. */
  rackId?: string;
  /**
   * Reads reject with the last connection error once every known broker failed this many
   * dials in a row and no connection is open (default 3), as the Reader's do.
   */
  maxAttempts?: number;
  /** Every failure the reader handles by retrying, as it happens. */
  onError?: (error: unknown) => void;
  /** Informational messages (assignments), one line each (ignored when `log` is given). */
  logger?: (message: string) => void;
  /** Errors that were handled by retrying, one line each (ignored when `log` is given). */
  errorLogger?: (message: string) => void;
}

/** A record delivered by a share group. */
export interface ShareRecord extends Message {
  /** How many times the broker has delivered this record, this delivery included. */
  deliveryCount: number;
}

/** A share reader was used after `close()`. */
export class ShareReaderClosedError extends KafkitError {
  /** Creates the error. */
  constructor() {
    super("the share reader is closed");
  }
}

/**
 * Acknowledgements the broker may not have applied: the request that carried them failed, or
 * the share session of their records ended first (its connection failed, or the broker lost
 * it: `SHARE_SESSION_NOT_FOUND`, `INVALID_SHARE_SESSION_EPOCH`). A record whose
 * acknowledgement did not apply goes back to the group and is delivered again (to this member
 * or another); `cause` is the error that ended the session.
 */
export class ShareAcknowledgementsLostError extends KafkitError {
  /** How many records' acknowledgements are in doubt. */
  readonly records: number;

  /** Creates the error. */
  constructor(records: number, cause: unknown) {
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      `the acknowledgements of ${records} record(s) may not have been applied (${why}); ` +
        "records they did not reach are delivered again",
      false,
      { cause },
    );
    this.records = records;
  }
}

const SHARE_OPTIONS = [
  "brokers",
  "cluster",
  "groupId",
  "topics",
  "acknowledgement",
  "maxWait",
  "maxBytes",
  "maxRecords",
  "rackId",
  "maxAttempts",
  "onError",
  "logger",
  "errorLogger",
] as const satisfies readonly (keyof ShareReaderConfig)[];
const KNOWN: ReadonlySet<string> = new Set([...SHARE_OPTIONS, ...CORE_OPTIONS]);

/** The session errors after which a new session (epoch 0) starts. */
const SESSION_LOST: ReadonlySet<number> = new Set([
  ErrorCodes.SHARE_SESSION_NOT_FOUND,
  ErrorCodes.INVALID_SHARE_SESSION_EPOCH,
]);
/** Partition errors that say our metadata is stale. */
const STALE_LEADER: ReadonlySet<number> = new Set([
  ErrorCodes.NOT_LEADER_OR_FOLLOWER,
  ErrorCodes.FENCED_LEADER_EPOCH,
  ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCodes.UNKNOWN_TOPIC_ID,
  ErrorCodes.UNKNOWN_LEADER_EPOCH,
]);
/** How long closing may spend acknowledging and closing sessions. */
const CLOSE_TIMEOUT = 5_000;

/** Where a delivered record came from: its session and whether it was acknowledged. */
interface Delivery {
  nodeId: number;
  /** The session's generation when the record was acquired. */
  generation: number;
  acknowledged: boolean;
}

/**
 * Reads from a share group (KIP-932).
 *
 * The group's start is the group config `share.auto.offset.reset` (`latest` by default: a
 * new group sees only records written after it first fetched); set it to `earliest` with the
 * admin client's `incrementalAlterConfigs` on the `group` resource to read what is there.
 *
 * @example Work through a queue; reject what cannot be processed
 * ```ts
 * import { ShareReader } from "@kafkit/kafkit";
 *
 * await using jobs = new ShareReader({ brokers: ["localhost:9092"], groupId: "workers", topics: ["jobs"] });
 * for await (const job of jobs) {
 *   if (job.value === null) jobs.acknowledge(job, "reject");
 *   else console.log("job", job.offset, "delivery", job.deliveryCount);
 * }
 * ```
 */
export class ShareReader implements AsyncIterable<ShareRecord>, AsyncDisposable {
  readonly #cluster: Cluster;
  readonly #ownCluster: boolean;
  readonly #groupId: string;
  readonly #implicit: boolean;
  readonly #maxWait: number;
  readonly #maxBytes: number;
  readonly #maxRecords: number;
  readonly #maxAttempts: number;
  readonly #stopWatchingDials: () => void;
  readonly #membership: ShareMembership;
  readonly #onError: (error: unknown) => void;
  readonly #stop = new AbortController();
  readonly #assignment = new Notifier();
  readonly #sessions = new Map<number, ShareSession>();
  readonly #deliveries = new WeakMap<ShareRecord, Delivery>();
  /** Fetched, not handed out yet. */
  #queue: ShareRecord[] = [];
  /** Handed out since the last fetch (what implicit acknowledgement accepts). */
  #handedOut: ShareRecord[] = [];
  #running: Promise<void> | undefined;
  #round: Promise<void> | undefined;
  #failures = 0;
  #failure: unknown;
  /** What ended each broker's last share session. */
  readonly #endedBy = new Map<number, unknown>();
  /** Acknowledgements in doubt since the last commit(), and what put them in doubt last. */
  #lost = { records: 0, cause: undefined as unknown };
  #closed = false;
  readonly #telemetry: Telemetry | undefined;

  /** Creates the reader; nothing is sent until the first read. */
  constructor(config: ShareReaderConfig) {
    if (config === null || typeof config !== "object") {
      throw new TypeError("ShareReaderConfig must be an object");
    }
    rejectUnknownOptions("ShareReaderConfig", config, KNOWN);
    this.#groupId = nameOf("groupId", config.groupId);
    const topics = listOf("topics", config.topics).map((t, i) => nameOf(`topics[${i}]`, t));
    if (topics.length === 0) throw new TypeError("topics must name at least one topic");
    this.#implicit = oneOf("acknowledgement", config.acknowledgement ?? "implicit", [
      "implicit",
      "explicit",
    ]) === "implicit";
    this.#maxWait = intIn("maxWait", config.maxWait ?? 500, 0);
    this.#maxBytes = positiveInt("maxBytes", config.maxBytes, 1 << 20);
    this.#maxRecords = positiveInt("maxRecords", config.maxRecords, 500);
    this.#maxAttempts = positiveInt("maxAttempts", config.maxAttempts, 3);
    const core = clusterOptionsOf("ShareReaderConfig", config);
    const log = clientLog(config, core instanceof Cluster ? core : undefined);
    this.#onError = (e) => {
      log.warn(`kafkit: share group ${this.#groupId} failed, retrying`, { error: e });
      config.onError?.(e);
    };
    this.#ownCluster = !(core instanceof Cluster);
    this.#cluster = core instanceof Cluster ? core : new Cluster({ ...core, log: log.logger });
    this.#telemetry = this.#cluster.telemetry;
    // A failed dial is reported as it fails, not after the retries of whatever dialed.
    this.#stopWatchingDials = this.#cluster.onDialError((e) => this.#onError(e));
    this.#membership = new ShareMembership({
      cluster: this.#cluster,
      groupId: this.#groupId,
      topics,
      rackId: config.rackId ?? null,
      onError: this.#onError,
      log: (message) => log.info(message),
    });
  }

  /** The member id this reader has in the group. */
  get memberId(): string {
    return this.#membership.memberId;
  }

  /** The partitions the group lets this member fetch from now. */
  get assigned(): readonly TopicPartition[] {
    return this.#membership.assigned;
  }

  /**
   * The next record. Joins the group on first use; waits while there is nothing to read.
   * Rejects with an `AbortError` (the signal's reason as `cause`), a fatal error of the group,
   * or after `close()`.
   */
  async readMessage(options: { signal?: AbortSignal } = {}): Promise<ShareRecord> {
    rejectUnknownOptions("ShareReader.readMessage", options, SIGNAL_ONLY);
    const startedAt = this.#telemetry ? Date.now() : 0;
    for (;;) {
      if (this.#closed) throw new ShareReaderClosedError();
      if (this.#failure) throw this.#failure;
      throwIfAborted(options.signal);
      const next = this.#queue.shift();
      if (next) {
        this.#handedOut.push(next);
        this.#telemetry?.received(
          { topic: next.topic, partition: next.partition, groupId: this.#groupId },
          next,
          messageBytes(next),
          startedAt,
        );
        return next;
      }
      const down = this.#cluster.unreachable(this.#maxAttempts);
      if (down) throw down;
      this.#start();
      this.#round ??= this.#fetchRound().finally(() => this.#round = undefined);
      await abortable(this.#round, options.signal);
    }
  }

  /**
   * Says what became of `record` (default `"accept"`). The acknowledgement goes to the broker
   * with the next fetch from its partition's leader, or with {@linkcode commit} or
   * `close()`. The last word on a record before it is sent counts. If the record's share
   * session ended before the acknowledgement was sent (its connection failed, or the broker
   * lost it), the record goes back to the group and the next `commit()` rejects with a
   * {@linkcode ShareAcknowledgementsLostError}.
   */
  acknowledge(record: ShareRecord, type: AcknowledgeType = "accept"): void {
    oneOf("type", type, ["accept", "release", "reject"]);
    const d = this.#deliveries.get(record);
    if (!d) throw new TypeError("acknowledge: the record was not delivered by this reader");
    d.acknowledged = true;
    const session = this.#sessions.get(d.nodeId);
    if (session?.generation !== d.generation) {
      // Acquired in a session that ended: the broker took the record back already.
      return this.#lose(1, this.#endedBy.get(d.nodeId));
    }
    session.acknowledge(
      { topic: record.topic, partition: record.partition },
      record.offset,
      ACK_TYPE_ID[type],
    );
  }

  /**
   * Sends the acknowledgements queued so far now (implicit mode: every record handed out
   * counts as accepted), instead of with the next fetch. Rejects with a
   * {@linkcode ShareAcknowledgementsLostError} when acknowledgements given since the last
   * commit may not have been applied (a share session ended before or while they were sent:
   * those records are delivered again), else with the broker's error for the first partition
   * it refused them on.
   */
  async commit(options: { signal?: AbortSignal } = {}): Promise<void> {
    rejectUnknownOptions("ShareReader.commit", options, SIGNAL_ONLY);
    if (this.#closed) throw new ShareReaderClosedError();
    await this.#round?.catch(() => {});
    this.#acceptHandedOut();
    let refused: unknown;
    await this.#acknowledgeAll(false, options.signal).catch((e) => refused = e);
    throwIfAborted(options.signal);
    const lost = this.#takeLost();
    if (lost) throw lost;
    if (refused) throw refused;
  }

  /**
   * Acknowledges what is due (implicit mode: accepts what was handed out), closes the share
   * sessions (records acquired but not handed out go back to the group at once) and leaves
   * the group.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const signal = AbortSignal.timeout(CLOSE_TIMEOUT);
    try {
      await this.#round?.catch(() => {});
      this.#queue = [];
      this.#acceptHandedOut();
      await this.#acknowledgeAll(true, signal).catch((e) => this.#onError(e));
      const lost = this.#takeLost();
      if (lost) this.#onError(lost);
      this.#stop.abort();
      await this.#running?.catch(() => {});
    } finally {
      this.#stopWatchingDials();
      if (this.#ownCluster) await this.#cluster.close();
    }
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Records until the reader closes. */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<ShareRecord> {
    for (;;) {
      try {
        yield await this.readMessage();
      } catch (e) {
        if (e instanceof ShareReaderClosedError) return;
        throw e;
      }
    }
  }

  #start(): void {
    this.#running ??= this.#membership.run(this.#stop.signal, () => this.#assignment.notify())
      .catch((e) => {
        this.#failure = e;
        this.#assignment.notify();
      });
  }

  /** One fetch from every broker leading an assigned partition; fills the queue. */
  async #fetchRound(): Promise<void> {
    const signal = this.#stop.signal;
    if (this.#membership.assigned.length === 0) {
      await this.#assignment.wait({ signal, timeout: 1_000 }).catch(() => {});
      return;
    }
    this.#acceptHandedOut();
    try {
      const byNode = new Map<number, TopicPartition[]>();
      const names = new Map<string, string>();
      for (const p of this.#membership.assigned) {
        const leader = await this.#cluster.leader(p.topic, p.partition);
        names.set(leader.topicId, p.topic);
        byNode.set(leader.nodeId, [...(byNode.get(leader.nodeId) ?? []), p]);
      }
      // A broker we no longer fetch from may still hold acknowledgements, or a session.
      for (const [nodeId, s] of this.#sessions) {
        if (!byNode.has(nodeId) && (s.hasAcks || s.holdsPartitions)) byNode.set(nodeId, []);
      }
      await Promise.all(
        [...byNode].map(([nodeId, parts]) => this.#fetchFrom(nodeId, parts, names, signal)),
      );
      this.#failures = 0;
    } catch (e) {
      if (signal.aborted) return;
      this.#onError(e);
      await delay(backoffDelay(++this.#failures, { backoffMin: 100, backoffMax: 2_000 }), {
        signal,
      }).catch(() => {});
    }
  }

  async #fetchFrom(
    nodeId: number,
    parts: TopicPartition[],
    names: Map<string, string>,
    signal: AbortSignal,
  ): Promise<void> {
    let session = this.#sessions.get(nodeId);
    if (!session) this.#sessions.set(nodeId, session = new ShareSession());
    const ids = new Map([...names].map(([id, name]) => [name, id]));
    const req = session.next(parts);
    let res: ShareFetchResponse;
    try {
      res = await this.#cluster.request(ShareFetch, {
        groupId: this.#groupId,
        memberId: this.#membership.memberId,
        shareSessionEpoch: req.epoch,
        maxWaitMs: this.#maxWait,
        minBytes: 1,
        maxBytes: this.#maxBytes,
        maxRecords: this.#maxRecords,
        batchSize: this.#maxRecords,
        topics: byTopic(req.partitions, ids, ({ part, acks }) => ({
          partitionIndex: part.partition,
          acknowledgementBatches: acks,
        })),
        forgottenTopicsData: byTopic(
          req.forgotten.map((part) => ({ part })),
          ids,
          ({ part }) => part.partition,
        ).map((t) => ({ topicId: t.topicId, partitions: t.partitions })),
      }, {
        route: { to: "node", nodeId },
        lane: "fetch",
        signal,
        // The broker may hold the fetch for maxWait before it answers.
        timeout: this.#cluster.requestTimeout + this.#maxWait,
        attempts: 1,
      });
    } catch (e) {
      // The broker may or may not have the session now: start a fresh one.
      this.#endSession(nodeId, session, req, e);
      throw e;
    }
    if (res.errorCode !== ErrorCodes.NONE) {
      const error = errorForCode(res.errorCode, {
        api: "ShareFetch",
        groupId: this.#groupId,
        brokerMessage: res.errorMessage,
      })!;
      this.#endSession(nodeId, session, req, error);
      if (SESSION_LOST.has(res.errorCode)) return this.#onError(error);
      throw error;
    }
    session.sent(req, parts.length > 0);
    for (const t of res.responses) {
      const topic = names.get(t.topicId);
      if (!topic) continue;
      for (const p of t.partitions) {
        const part = { topic, partition: p.partitionIndex };
        for (
          const [code, message] of [[p.acknowledgeErrorCode, p.acknowledgeErrorMessage], [
            p.errorCode,
            p.errorMessage,
          ]] as const
        ) {
          if (code === ErrorCodes.NONE) continue;
          if (STALE_LEADER.has(code)) this.#cluster.invalidate(topic);
          this.#onError(errorForCode(code, {
            api: "ShareFetch",
            topic,
            partition: p.partitionIndex,
            brokerMessage: message,
          }));
        }
        if (p.acquiredRecords.length > 0) await this.#take(part, p.records, p, nodeId, session);
      }
    }
  }

  /** Queues the acquired records of one partition; acquired offsets without a record are gaps. */
  async #take(
    part: TopicPartition,
    records: Uint8Array,
    p: ShareFetchResponse["responses"][number]["partitions"][number],
    nodeId: number,
    session: ShareSession,
  ): Promise<void> {
    const byOffset = new Map<number, ShareRecord>();
    for (
      const b of await readRecordBatches(records, { maxDecompressedSize: this.#maxBytes * 64 })
    ) {
      if (b.control) continue;
      for (const r of b.records) {
        byOffset.set(r.offset, {
          ...toMessage(r, part.topic, part.partition, -1),
          deliveryCount: 0,
        });
      }
    }
    for (const range of p.acquiredRecords) {
      for (let o = Number(range.firstOffset); o <= Number(range.lastOffset); o++) {
        const record = byOffset.get(o);
        if (!record) {
          session.acknowledge(part, o, ACK_TYPE_ID.gap);
          continue;
        }
        record.deliveryCount = range.deliveryCount;
        this.#deliveries.set(record, {
          nodeId,
          generation: session.generation,
          acknowledged: false,
        });
        this.#queue.push(record);
      }
    }
  }

  /**
   * The session with `nodeId` ended with `cause` while `req` was on its way: start a new one.
   * Its records went back to the group, so those not handed out yet are dropped, and the
   * acknowledgements in `req` or still queued are in doubt.
   */
  #endSession(nodeId: number, session: ShareSession, req: SessionRequest, cause: unknown): void {
    this.#endedBy.set(nodeId, cause);
    this.#lose(recordsAcknowledged(req) + session.reset(), cause);
    this.#queue = this.#queue.filter((r) => this.#deliveries.get(r)?.nodeId !== nodeId);
  }

  /** Counts `records` acknowledgements as in doubt, for the next commit() to report. */
  #lose(records: number, cause: unknown): void {
    if (records === 0) return;
    this.#lost.records += records;
    this.#lost.cause = cause;
  }

  /** The acknowledgements in doubt since the last call, as one error (none: undefined). */
  #takeLost(): ShareAcknowledgementsLostError | undefined {
    const { records, cause } = this.#lost;
    if (records === 0) return undefined;
    this.#lost = { records: 0, cause: undefined };
    return new ShareAcknowledgementsLostError(records, cause);
  }

  /** Implicit mode: every record handed out and not acknowledged otherwise is accepted. */
  #acceptHandedOut(): void {
    if (this.#implicit) {
      for (const r of this.#handedOut) {
        if (!this.#deliveries.get(r)?.acknowledged) this.acknowledge(r, "accept");
      }
    }
    this.#handedOut = [];
  }

  /** ShareAcknowledge to every broker with acknowledgements (closing: to every session). */
  async #acknowledgeAll(closing: boolean, signal?: AbortSignal): Promise<void> {
    const names = new Map<string, string>();
    const sends: Promise<void>[] = [];
    for (const [nodeId, session] of this.#sessions) {
      if (!session.open || (!closing && !session.hasAcks)) continue;
      const req = session.next([]);
      // Closing keeps every partition (forgetting them all would change nothing).
      const final: SessionRequest = closing ? { ...req, epoch: -1, forgotten: [] } : req;
      const sent = anySignal(signal, this.#stop.signal);
      sends.push(this.#acknowledge(nodeId, session, final, names, sent));
      if (closing) session.reset();
      else session.sent({ ...req, forgotten: [] }, false);
    }
    const results = await Promise.allSettled(sends);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /**
   * One ShareAcknowledge. A failed request or a session error ends the session (its
   * acknowledgements are in doubt, for commit() to report); a partition's error rejects.
   */
  async #acknowledge(
    nodeId: number,
    session: ShareSession,
    req: SessionRequest,
    names: Map<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let res: ShareAcknowledgeResponse;
    try {
      res = await this.#sendAcknowledge(nodeId, req, names, signal);
    } catch (e) {
      return this.#endSession(nodeId, session, req, e);
    }
    const top = errorForCode(res.errorCode, {
      api: "ShareAcknowledge",
      groupId: this.#groupId,
      brokerMessage: res.errorMessage,
    });
    if (top) return this.#endSession(nodeId, session, req, top);
    for (const t of res.responses) {
      for (const p of t.partitions) {
        const error = errorForCode(p.errorCode, {
          api: "ShareAcknowledge",
          topic: names.get(t.topicId),
          partition: p.partitionIndex,
          brokerMessage: p.errorMessage,
        });
        if (error) throw error;
      }
    }
  }

  async #sendAcknowledge(
    nodeId: number,
    req: SessionRequest,
    names: Map<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<ShareAcknowledgeResponse> {
    const ids = new Map<string, string>();
    for (const { part } of req.partitions) {
      if (!ids.has(part.topic)) {
        const info = await this.#cluster.topic(part.topic);
        ids.set(part.topic, info.id);
        names.set(info.id, part.topic);
      }
    }
    return await this.#cluster.request(ShareAcknowledge, {
      groupId: this.#groupId,
      memberId: this.#membership.memberId,
      shareSessionEpoch: req.epoch,
      topics: byTopic(req.partitions.filter((p) => p.acks.length > 0), ids, ({ part, acks }) => ({
        partitionIndex: part.partition,
        acknowledgementBatches: acks,
      })),
    }, { route: { to: "node", nodeId }, lane: "fetch", signal, attempts: 1 });
  }
}

/** Groups per-partition entries by topic id, the shape share requests take. */
function byTopic<E extends { part: TopicPartition }, P>(
  entries: readonly E[],
  ids: ReadonlyMap<string, string>,
  item: (entry: E) => P,
): { topicId: string; partitions: P[] }[] {
  const topics = new Map<string, P[]>();
  for (const e of entries) {
    const id = ids.get(e.part.topic);
    if (id === undefined) continue;
    let list = topics.get(id);
    if (!list) topics.set(id, list = []);
    list.push(item(e));
  }
  return [...topics].map(([topicId, partitions]) => ({ topicId, partitions }));
}
