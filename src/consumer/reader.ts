/**
 * kafka-go's `Reader`: messages of one partition, or of the partitions a consumer group
 * assigns, fetched ahead into a bounded queue; offsets committed on read, explicitly, or
 * on an interval.
 *
 * @module
 */
import { NO_OPTIONS, rejectUnknownOptions, SIGNAL_ONLY } from "../config.ts";
import { Cluster } from "../cluster/cluster.ts";
import { listOffsets } from "../cluster/requests/list_offsets.ts";
import { abortable, anySignal } from "../_async/abortable.ts";
import { delay } from "../_async/delay.ts";
import { consumerSlices } from "../_async/slicer.ts";
import { retry } from "../_async/retry.ts";
import { KafkitError } from "../errors.ts";
import type { Message } from "../message.ts";
import { LastOffset, partitionKey, type PartitionOffset, type TopicPartition } from "../offsets.ts";
import { listOf, topicPartitionOf } from "../_validate.ts";
import { ErrorCodes, KafkaError } from "../protocol/errors.ts";
import { ClassicMembership } from "./_classic_membership.ts";
import { ConsumerProtocolMembership } from "./_kip848_membership.ts";
import { Fetcher } from "./_fetcher.ts";
import type { GroupMembership, MembershipOptions } from "./_membership.ts";
import { fetchOffsets } from "./_offsets.ts";
import { PendingOffsets } from "./_pending_offsets.ts";
import {
  type PartitionAssignment,
  type PartitionStart,
  type ReaderConfig,
  resolveReaderConfig,
} from "./_reader_config.ts";
import { messageBytes, ReaderCounters, type ReaderStats } from "./_reader_stats.ts";
import { clientLog } from "../log.ts";
import type { Destination, OtelSpan, Telemetry } from "../telemetry.ts";
import type { GroupMetadata } from "../producer/_transaction.ts";
import { ConnectionCounters } from "../cluster/connection_stats.ts";
import { DEFAULT_CLIENT_ID } from "../version.ts";

export type { PartitionAssignment, PartitionStart, ReaderConfig, ReaderStats };
export type { PartitionOffset, TopicPartition };
export { LogTruncationError } from "./log_truncation.ts";

/** A reader was used after `close()`. */
export class ReaderClosedError extends KafkitError {
  /** Creates the error. */
  constructor() {
    super("the reader is closed");
  }
}

/**
 * Reads messages from Kafka (kafka-go's `Reader`).
 *
 * Failures are never silent, and the rule is the same for a partition reader and a group
 * reader:
 * - Every failure the reader retries (a dial refused, a name that does not resolve, a broker
 *   that does not answer within `connectTimeout`/`requestTimeout`, a topic the broker does
 *   not know) is passed to `onError` and `errorLogger` as it happens, before the retry.
 * - Once no broker can be reached — no connection is open and every known broker address
 *   failed its last `maxAttempts` dials in a row — `readMessage()`, `fetchMessage()` and
 *   `for await` reject with the last dial error (a `ConnectionError` or `TimeoutError`
 *   naming the broker), waiting reads at once and later ones until a dial works again. The
 *   reader keeps trying meanwhile: once a broker answers, reads go on where they were.
 * - A topic that does not exist is waited for (as kafka-go and the Java consumer do: it may
 *   be about to be created), with `onError` called with `UNKNOWN_TOPIC_OR_PARTITION` on each
 *   retry; pass a `signal` to bound the wait.
 * - `close()` is bounded by `closeTimeout` (or its `signal`).
 *
 * @example
 * ```ts
 * import { Reader } from "@kafkit/kafkit";
 * await using r = new Reader({ brokers: ["localhost:9092"], groupId: "g", topic: "topic-A" });
 * for await (const m of r) {
 *   console.log(m.offset, new TextDecoder().decode(m.value!));
 * }
 * ```
 */
export class Reader implements AsyncIterable<Message>, AsyncDisposable {
  readonly #topic: string | undefined;
  readonly #partition: number;
  readonly #groupId: string | undefined;
  /** The partitions of a reader over an explicit set (no group). */
  readonly #partitions: readonly TopicPartition[] | undefined;
  /** Paused partitions a rebalance revoked: paused again if the same rebalance gives them back. */
  #pausedRevoked = new Map<string, TopicPartition>();
  /** Counts the group's changes to what this member owns (seekToCommitted asks again on one). */
  #assignmentChanges = 0;
  /**
   * Partitions being given up: the membership still lists them as owned until the revoke
   * handler returns (it commits their offsets meanwhile), but nothing may place them again.
   */
  readonly #givingUp = new Set<string>();
  readonly #startOffset: number;
  readonly #commitInterval: number;
  readonly #maxAttempts: number;
  readonly #backoff: { backoffMin: number; backoffMax: number };
  readonly #readCommitted: boolean;
  readonly #config: ReaderConfig;
  readonly #cluster: Cluster;
  /** Whether the cluster is the reader's own (closed with it) or shared. */
  readonly #ownCluster: boolean;
  readonly #fetcher: Fetcher;
  readonly #counters = new ReaderCounters();
  readonly #connections = new ConnectionCounters();
  readonly #stopObserving: () => void;
  readonly #log: (message: string) => void;
  readonly #logError: (message: string, error: unknown) => void;
  readonly #membership: GroupMembership | undefined;
  readonly #stop = new AbortController();
  readonly #closeTimeout: number;
  /** Reads waiting for a message, woken with the error once no broker can be reached. */
  readonly #waiting = new Set<(error: Error) => void>();
  /** Errors already passed to `onError` (one failure may reach it by several paths). */
  readonly #reported = new WeakSet<object>();
  readonly #stopWatchingDials: () => void;
  #closing: Promise<void> | undefined;
  #running: Promise<void> | undefined;
  #failure: unknown;
  /** Offsets waiting for the next commit. */
  readonly #pending = new PendingOffsets();
  #commitTimer: ReturnType<typeof setInterval> | undefined;
  #commitChain: Promise<void> = Promise.resolve();
  #offset: number;
  #lag = -1;
  /** Messages handed over, counted to check the time only every so often. */
  #handedOver = 0;
  #closed = false;
  #readable: ReadableStream<Message> | undefined;
  readonly #telemetry: Telemetry | undefined;

  /** Creates a reader; nothing is dialed until the first read (or, in a group, right away). */
  constructor(config: ReaderConfig) {
    const c = resolveReaderConfig(config);
    this.#config = config;
    this.#topic = c.topic;
    this.#partition = c.partition;
    this.#groupId = c.groupId;
    this.#partitions = c.partitions?.map((p) => ({ topic: p.topic, partition: p.partition }));
    this.#startOffset = c.startOffset;
    this.#offset = c.startOffset;
    this.#readCommitted = c.readCommitted;
    this.#commitInterval = c.commitInterval;
    this.#maxAttempts = c.maxAttempts;
    this.#closeTimeout = c.closeTimeout;
    this.#backoff = c.backoff;
    const log = clientLog(config, c.cluster instanceof Cluster ? c.cluster : undefined);
    this.#log = (message) => log.info(message);
    this.#logError = (message, error) => log.warn(message, { error });
    this.#ownCluster = !(c.cluster instanceof Cluster);
    // One core: fetches take its "fetch" lane, group traffic its "group" lane, so a fetch
    // the broker holds for maxWait never delays a heartbeat or a commit.
    this.#cluster = c.cluster instanceof Cluster
      ? c.cluster
      : new Cluster({ ...c.cluster, log: log.logger });
    this.#telemetry = this.#cluster.telemetry;
    this.#stopObserving = this.#cluster.observe(this.#connections);
    // A failed dial is reported as it fails, not after the retries of whatever dialed.
    this.#stopWatchingDials = this.#cluster.onDialError((e, address) => {
      if (this.#reported.has(e)) return;
      this.#logError(`kafkit: cannot reach broker ${address}`, e);
      this.#groupFailed(e);
    });
    this.#fetcher = new Fetcher({
      cluster: this.#cluster,
      minBytes: c.minBytes,
      maxBytes: c.maxBytes,
      maxWait: c.maxWait,
      fetchTimeout: c.maxWait + c.readBatchTimeout,
      readCommitted: this.#readCommitted,
      checkCrcs: c.checkCrcs,
      fetchSessions: c.fetchSessions,
      startOffset: c.startOffset,
      queueCapacity: c.queueCapacity,
      ...this.#backoff,
      log: this.#log,
      logError: this.#logError,
      onEof: config.onPartitionEof,
      onError: (e) => this.#fetchFailed(e),
      onFetch: (messages, bytes) => this.#counters.fetched(messages, bytes),
      rackId: config.rackId,
    });
    if (this.#groupId !== undefined) {
      const options: MembershipOptions = {
        cluster: this.#cluster,
        groupId: this.#groupId,
        topics: c.topics,
        groupInstanceId: config.groupInstanceId ?? null,
        sessionTimeout: c.sessionTimeout,
        rebalanceTimeout: c.rebalanceTimeout,
        heartbeatInterval: c.heartbeatInterval,
        rackId: config.rackId ?? null,
        retentionTime: c.retentionTime,
        joinGroupBackoff: c.joinGroupBackoff,
        partitionWatchInterval: c.partitionWatchInterval,
        log: this.#log,
        logError: this.#logError,
        onError: (e) => this.#groupFailed(e),
      };
      this.#membership = c.groupProtocol === "consumer"
        ? new ConsumerProtocolMembership(options, { serverAssignor: config.groupRemoteAssignor })
        : new ClassicMembership(options, c.groupBalancers);
      this.#running = this.#membership.run({
        assigned: (ps) => this.#assigned(ps),
        revoked: (ps) => this.#revoked(ps),
        lost: (ps) => this.#lost(ps),
      }, this.#stop.signal).catch((e) => {
        this.#failure = e;
        this.#logError(`kafkit: group ${this.#groupId} failed`, e);
        this.#fetcher.fail(e);
      });
      if (this.#commitInterval > 0) {
        this.#commitTimer = setInterval(() => {
          this.#flushCommits().catch((e) => this.#logError("kafkit: interval commit failed", e));
        }, this.#commitInterval);
      }
    } else {
      this.#fetcher.add(
        c.partitions ??
          [{ topic: this.#topic!, partition: this.#partition, offset: c.startOffset }],
      );
    }
  }

  /** The configuration the reader was created with. */
  get config(): Readonly<ReaderConfig> {
    return this.#config;
  }

  /**
   * Reads the next message; in a group its offset is committed before it is returned (with
   * `commitInterval`, queued for the next interval commit instead).
   */
  readMessage(options: { signal?: AbortSignal } = NO_OPTIONS): Promise<Message> {
    // A queued message is taken here, not through fetchMessage: one call per message, not
    // two (the second cost a group reader ~20% more CPU per message than fetchMessage).
    let m: Message | undefined;
    try {
      if (options !== NO_OPTIONS) rejectUnknownOptions("Reader.readMessage", options, SIGNAL_ONLY);
      m = this.#takeQueued();
    } catch (e) {
      return Promise.reject(e);
    }
    const pause = m !== undefined && this.#handOverDue();
    // The fast path, with no async function: nothing to wait for before it is returned.
    if (m !== undefined && !pause && (this.#groupId === undefined || this.#commitInterval > 0)) {
      if (this.#groupId !== undefined) this.#pending.advance(m.topic, m.partition, m.offset + 1);
      return Promise.resolve(m);
    }
    return this.#readMessage(m, pause, options);
  }

  /** readMessage's slow path: a wait for the message, a turn for the loop, or a commit. */
  async #readMessage(
    queued: Message | undefined,
    pause: boolean,
    options: { signal?: AbortSignal },
  ): Promise<Message> {
    let m = queued;
    if (m === undefined) m = await this.fetchMessage(options);
    else if (pause) await consumerSlices.pause();
    if (this.#groupId === undefined) return m;
    this.#pending.advance(m.topic, m.partition, m.offset + 1);
    // With an interval the commit is the timer's: nothing to wait for per message.
    if (this.#commitInterval > 0) return m;
    await this.#commitOrUnread([m]);
    return m;
  }

  /**
   * Commits what `messages` advanced; if that fails they were not committed, so they are not
   * returned either: they go back to the queue, to be the next read, and the error is thrown.
   * No signal: a commit once started finishes, so nothing is committed without being returned.
   */
  async #commitOrUnread(messages: Message[]): Promise<void> {
    try {
      await this.#flushCommits();
    } catch (e) {
      for (let i = messages.length - 1; i >= 0; i--) {
        const m = messages[i];
        if (this.#pending.get(m.topic, m.partition) === m.offset + 1) {
          this.#pending.delete(m.topic, m.partition);
        }
        this.#fetcher.unread(m);
      }
      throw e;
    }
  }

  /** Reads the next message without committing it (commit with `commitMessages`). */
  fetchMessage(options: { signal?: AbortSignal } = NO_OPTIONS): Promise<Message> {
    // No async function on the fast path (a queued message): ~10% less CPU per message on
    // Deno and Node 24, ~17% on Bun.
    let m: Message | undefined;
    try {
      if (options !== NO_OPTIONS) rejectUnknownOptions("Reader.fetchMessage", options, SIGNAL_ONLY);
      m = this.#takeQueued();
    } catch (e) {
      return Promise.reject(e);
    }
    if (m === undefined) return this.#waitMessage(options);
    if (!this.#handOverDue()) return Promise.resolve(m);
    return consumerSlices.pause().then(() => m);
  }

  /** Waits for the next message (none is queued). */
  async #waitMessage(options: { signal?: AbortSignal }): Promise<Message> {
    const down = this.#cluster.unreachable(this.#maxAttempts);
    if (down) throw down;
    const started = performance.now();
    // Ends the wait once no broker can be reached (the reason, a kafkit error, is thrown).
    const unreachable = new AbortController();
    const wake = (e: Error) => unreachable.abort(e);
    this.#waiting.add(wake);
    let m: Message;
    try {
      m = await this.#fetcher.next(anySignal(options.signal, unreachable.signal));
    } finally {
      this.#waiting.delete(wake);
    }
    this.#took(m, performance.now() - started);
    return m;
  }

  /**
   * Reads the messages queued now, waiting for at least one, at most `max` (default 1000); in
   * a group their offsets are committed before they are returned (with `commitInterval`,
   * queued for the next interval commit). One call per batch instead of one per message: the
   * fastest way to drain a reader. A failure of the commit
   * puts every message back, to be read again.
   */
  async readMessages(options: { signal?: AbortSignal; max?: number } = {}): Promise<Message[]> {
    rejectUnknownOptions("Reader.readMessages", options, BATCH_OPTIONS);
    const messages = await this.fetchMessages(options);
    if (this.#groupId === undefined) return messages;
    for (const m of messages) this.#pending.advance(m.topic, m.partition, m.offset + 1);
    if (this.#commitInterval > 0) return messages;
    await this.#commitOrUnread(messages);
    return messages;
  }

  /**
   * Reads the messages queued now without committing them (commit with `commitMessages`),
   * waiting for at least one, at most `max` (default 1000: a batch the application works
   * through in one go holds the event loop for as long, so it is not the whole queue).
   */
  async fetchMessages(options: { signal?: AbortSignal; max?: number } = {}): Promise<Message[]> {
    rejectUnknownOptions("Reader.fetchMessages", options, BATCH_OPTIONS);
    const max = options.max ?? DEFAULT_BATCH;
    if (!(Number.isInteger(max) && max >= 1)) {
      throw new RangeError(`max must be an integer >= 1, got ${max}`);
    }
    const messages = this.#takeQueuedMany(max);
    if (messages.length === 0) {
      // Waiting for the first one, as fetchMessage does; then whatever came with it.
      const first = await this.fetchMessage({ signal: options.signal });
      return [first, ...this.#takeQueuedMany(max - 1)];
    }
    // The application works through the whole batch before it asks again: a turn for
    // timers and I/O when one is due.
    if (consumerSlices.due()) await consumerSlices.pause();
    return messages;
  }

  /** Up to `max` queued messages, taken. */
  #takeQueuedMany(max: number): Message[] {
    if (this.#closed) throw new ReaderClosedError();
    if (this.#failure) throw this.#failure;
    const messages = max > 0 ? this.#fetcher.pollMany(max) : [];
    for (const m of messages) this.#took(m, 0);
    return messages;
  }

  /** The next queued message, taken, or undefined when none is queued (the fast path). */
  #takeQueued(): Message | undefined {
    if (this.#closed) throw new ReaderClosedError();
    if (this.#failure) throw this.#failure;
    const m = this.#fetcher.poll();
    if (m) this.#took(m, 0);
    return m;
  }

  /** Counts a message handed over after `waited` ms and moves the reader past it. */
  #took(m: Message, waited: number): void {
    this.#counters.read(m, waited);
    // The receive span covers the wait for it, as fetchMessage's caller saw it.
    this.#telemetry?.received(this.#where(m), m, messageBytes(m), Date.now() - waited);
    this.#offset = m.offset + 1;
    this.#lag = Math.max(0, m.highWaterMark - m.offset - 1);
  }

  /**
   * Whether the event loop is due a turn: queued messages are handed over in microtasks,
   * which starve timers and I/O, so every 64 the time is checked against the slice.
   */
  #handOverDue(): boolean {
    return (++this.#handedOver & 63) === 0 && consumerSlices.due();
  }

  /**
   * Commits the offsets after `messages` (the highest per partition). With `commitInterval`
   * they are committed by the next interval (or on close). Partitions this member no longer
   * owns are skipped: their new owner re-reads from the last commit.
   */
  async commitMessages(
    messages: readonly Message[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    rejectUnknownOptions("Reader.commitMessages", options, SIGNAL_ONLY);
    this.#group("commitMessages");
    // O(1) per message, whatever the number of partitions owned: which of them are still
    // owned is checked once per commit.
    for (const m of messages) this.#pending.advance(m.topic, m.partition, m.offset + 1);
    if (this.#commitInterval === 0) await abortable(this.#flushCommits(), options.signal);
  }

  /** Moves a partition reader to `offset` (or FirstOffset/LastOffset). Not in a group. */
  setOffset(offset: number): void {
    this.#single("setOffset");
    if (!Number.isInteger(offset) || offset < LastOffset - 1) {
      throw new RangeError(`offset must be >= 0, FirstOffset or LastOffset, got ${offset}`);
    }
    this.#fetcher.add([{ topic: this.#topic!, partition: this.#partition, offset }]);
    this.#offset = offset;
  }

  /** Moves a partition reader to the first message at or after `time`. Not in a group. */
  async setOffsetAt(time: Date | number, options: { signal?: AbortSignal } = {}): Promise<void> {
    rejectUnknownOptions("Reader.setOffsetAt", options, SIGNAL_ONLY);
    this.#single("setOffsetAt");
    const timestamp = typeof time === "number" ? time : time.getTime();
    if (!Number.isFinite(timestamp) || timestamp < 0) {
      throw new RangeError(`time must be a valid date, got ${String(time)}`);
    }
    const found = await listOffsets(
      this.#cluster,
      [{ topic: this.#topic!, partition: this.#partition, timestamp }],
      { readCommitted: this.#readCommitted, signal: options.signal },
    );
    const offset = found.get(partitionKey(this.#topic!, this.#partition)) ?? -1;
    this.setOffset(offset < 0 ? LastOffset : offset);
  }

  /**
   * The offset of the next message (after the last one read); before the first read, where
   * the reader starts (FirstOffset unless set). -1 in a group, as kafka-go's `Offset()`: a
   * group reader has no single offset (see `stats()` per read and the group's lag). A reader
   * over several partitions has none either: a TypeError.
   */
  get offset(): number {
    if (this.#groupId !== undefined) return -1;
    this.#single("offset");
    return this.#offset;
  }

  /**
   * Messages behind the high watermark as of the last message read, -1 before it and -1 in a
   * group (as kafka-go's `Lag()`). A reader over several partitions throws a TypeError.
   */
  get lag(): number {
    if (this.#groupId !== undefined) return -1;
    this.#single("lag");
    return this.#lag;
  }

  /**
   * Asks the broker how far behind the end of the partition the reader is; before the first
   * read, the partition's whole length from where the reader starts (as kafka-go). A group
   * reader rejects with a TypeError, as kafka-go's `ReadLag` returns an error in a group.
   */
  async readLag(options: { signal?: AbortSignal } = {}): Promise<number> {
    rejectUnknownOptions("Reader.readLag", options, SIGNAL_ONLY);
    this.#single("readLag");
    const key = partitionKey(this.#topic!, this.#partition);
    const end = await listOffsets(
      this.#cluster,
      [{ topic: this.#topic!, partition: this.#partition, timestamp: -1 }],
      { readCommitted: this.#readCommitted, signal: options.signal },
    );
    let at = this.#offset;
    if (at < 0) {
      const first = await listOffsets(this.#cluster, [{
        topic: this.#topic!,
        partition: this.#partition,
        timestamp: at === LastOffset ? -1 : -2,
      }], { readCommitted: this.#readCommitted, signal: options.signal });
      at = first.get(key) ?? 0;
    }
    this.#lag = Math.max(0, (end.get(key) ?? at) - at);
    return this.#lag;
  }

  /**
   * Counters since the last call (reset by this call, as kafka-go's `Stats`), their `totals`
   * since creation (never reset), and the reader's state and configuration.
   */
  stats(): ReaderStats {
    const single = this.#groupId === undefined && !this.#partitions;
    return this.#counters.take({
      clientId: this.#config.dialer?.clientId ?? this.#config.clientId ?? DEFAULT_CLIENT_ID,
      topic: this.#topic ??
        [...new Set(this.#config.groupTopics ?? this.#partitions?.map((p) => p.topic))].join(","),
      partition: single ? String(this.#partition) : "",
      offset: single ? this.#offset : -1,
      lag: single ? this.#lag : -1,
      queueLength: this.#fetcher.queued,
      queueCapacity: this.#config.queueCapacity ?? 100,
      minBytes: this.#config.minBytes ?? 1,
      maxBytes: this.#config.maxBytes ?? 1_000_000,
      maxWait: this.#config.maxWait ?? 500,
    }, this.#connections.take());
  }

  /**
   * The member as its group knows it now: what a transactional Writer's `sendOffsets`
   * needs so that the group's coordinator takes the offsets only from a current member
   * (KIP-447). Ask for it right before each `sendOffsets`: it changes with every rebalance.
   * Group readers only.
   */
  groupMetadata(): GroupMetadata {
    const membership = this.#group("groupMetadata");
    return {
      groupId: this.#groupId!,
      generationId: membership.generationId,
      memberId: membership.memberId,
      groupInstanceId: this.#config.groupInstanceId ?? null,
    };
  }

  /**
   * Moves every partition this member owns back to the group's committed offset, dropping
   * what was fetched after it: after an aborted transaction, its messages are read again.
   * Group readers only.
   */
  async seekToCommitted(options: { signal?: AbortSignal } = {}): Promise<void> {
    rejectUnknownOptions("Reader.seekToCommitted", options, SIGNAL_ONLY);
    const membership = this.#group("seekToCommitted");
    for (;;) {
      const changes = this.#assignmentChanges;
      const owned = this.#stillOwned(membership.owned);
      if (owned.length === 0) return;
      const starts = await abortable(this.#committedStarts(owned), options.signal);
      // Partitions given or taken away while the offsets were asked for: ask again for what
      // is owned now. Placing a partition a rebalance took away would make this member read
      // it beside its new owner (and an exactly-once pipeline commit its input twice); so
      // would placing one whose revoke is under way (still listed as owned until it ends).
      if (this.#assignmentChanges === changes) return this.#fetcher.add(starts);
    }
  }

  /** `partitions` less those the group no longer gives this member, or is taking away. */
  #stillOwned<T extends TopicPartition>(partitions: readonly T[]): T[] {
    const owned = new Set(this.#membership!.owned.map((p) => partitionKey(p.topic, p.partition)));
    return partitions.filter((p) => {
      const key = partitionKey(p.topic, p.partition);
      return owned.has(key) && !this.#givingUp.has(key);
    });
  }

  /**
   * The partitions a group reader owns now, or those a reader over `partitions` was given
   * (empty for a partition reader).
   */
  get assignments(): TopicPartition[] {
    return this.#membership ? [...this.#membership.owned] : [...this.#partitions ?? []];
  }

  /**
   * Stops fetching `partitions` without leaving the group (back-pressure): messages already
   * fetched for them are held back until {@linkcode resume}; the other partitions keep
   * flowing. Each must be read by this reader now (`TypeError` otherwise). A paused partition
   * stays paused across a rebalance that leaves it with this member, and is forgotten by one
   * that moves it elsewhere.
   */
  pause(partitions: readonly TopicPartition[]): void {
    this.#fetcher.pause(this.#partitionsRead("pause", partitions));
  }

  /** Fetches paused `partitions` again, their held-back messages first. */
  resume(partitions: readonly TopicPartition[]): void {
    this.#fetcher.resume(this.#partitionsRead("resume", partitions));
  }

  /** The partitions paused now. */
  paused(): TopicPartition[] {
    return this.#fetcher.paused;
  }

  /**
   * Stops reading: pending and later reads reject with `ReaderClosedError`. A group reader
   * commits what is pending, gives its partitions up and leaves the group, for at most
   * `closeTimeout` (default 5 s) or until `signal` aborts; then (or at once when no broker
   * can be reached) the rest is given up and the reader's connections are closed, so close()
   * returns promptly whatever state the brokers are in. Calling it again returns the same
   * promise.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      rejectUnknownOptions("Reader.close", options, SIGNAL_ONLY);
    } catch (e) {
      return Promise.reject(e);
    }
    this.#closing ??= this.#close(options.signal);
    return this.#closing;
  }

  async #close(signal: AbortSignal | undefined): Promise<void> {
    this.#closed = true;
    this.#stopWatchingDials();
    if (this.#commitTimer !== undefined) clearInterval(this.#commitTimer);
    this.#stop.abort(new ReaderClosedError());
    const graceful = (async () => {
      await this.#running;
      // A commit nobody can take would only use up the grace period.
      if (this.#cluster.unreachable(1)) return;
      await this.#flushCommits().catch((e) => this.#logError("kafkit: final commit failed", e));
      // Ends the fetch sessions on the brokers (itself bounded by maxWait + 2 s).
      await this.#fetcher.close(new ReaderClosedError());
    })();
    const over = new AbortController();
    const graceOver = delay(this.#closeTimeout, { signal: anySignal(signal, over.signal) })
      .catch(() => {});
    try {
      await Promise.race([graceful, graceOver]);
    } finally {
      over.abort();
      this.#stopObserving();
      // Past the grace, closing the core fails whatever still waits on it (a commit, a
      // LeaveGroup, a session's end); the fetcher's loops end at once.
      await Promise.all([
        this.#fetcher.close(new ReaderClosedError()),
        this.#ownCluster ? this.#cluster.close() : undefined,
      ]);
    }
  }

  /** Closes the reader (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Reads messages until the reader is closed. A group reader commits each message when the
   * loop asks for the next one, so one the loop body failed on (or broke out at) is read
   * again after a restart or rebalance: at least once.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    // Not a generator: `return()` must be able to cancel a pending read (a generator queues
    // it behind the read), so a loop that stops, or mergeIterators, takes no message it then
    // drops.
    const stop = new AbortController();
    let previous: Message | undefined;
    // The application's work on a message: from handing it over to asking for the next.
    let processing: OtelSpan | undefined;
    const processed = () => {
      processing?.end();
      processing = undefined;
    };
    const end = (): IteratorResult<Message> => ({ done: true, value: undefined });
    const iterator: AsyncIterableIterator<Message> = {
      next: async () => {
        processed();
        if (stop.signal.aborted) return end();
        if (previous && this.#groupId !== undefined) await this.commitMessages([previous]);
        previous = undefined;
        try {
          previous = await this.fetchMessage({ signal: stop.signal });
          processing = this.#startProcess(previous);
          return { done: false, value: previous };
        } catch (e) {
          if (this.#closed || stop.signal.aborted) return end();
          throw e;
        }
      },
      return: () => {
        processed();
        stop.abort();
        return Promise.resolve(end());
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** A Web `ReadableStream` of the messages; group readers commit as the iterator does. */
  get readable(): ReadableStream<Message> {
    let previous: Message | undefined;
    let processing: OtelSpan | undefined;
    this.#readable ??= new ReadableStream<Message>({
      pull: async (controller) => {
        processing?.end();
        processing = undefined;
        try {
          if (previous && this.#groupId !== undefined) await this.commitMessages([previous]);
          previous = await this.fetchMessage();
          processing = this.#startProcess(previous);
          controller.enqueue(previous);
        } catch (e) {
          if (this.#closed) controller.close();
          else controller.error(e);
        }
      },
      cancel: () => {
        processing?.end();
        return this.close();
      },
    }, { highWaterMark: 0 });
    return this.#readable;
  }

  /** Where a message was read, for its spans and metrics. */
  #where(m: Message): Destination {
    return { topic: m.topic, partition: m.partition, groupId: this.#groupId };
  }

  /** Starts a message's `process` span, handed to the application's loop. */
  #startProcess(m: Message): OtelSpan | undefined {
    return this.#telemetry?.startProcess(this.#where(m), m);
  }

  #group(what: string): GroupMembership {
    if (!this.#membership) throw new TypeError(`${what} is only available with groupId`);
    return this.#membership;
  }

  #single(what: string): void {
    if (this.#groupId !== undefined) {
      throw new TypeError(`${what} is unavailable when the reader is part of a consumer group`);
    }
    if (this.#partitions) {
      throw new TypeError(`${what} is unavailable on a reader over several partitions`);
    }
  }

  /** `partitions` checked as an array of partitions this reader reads now. */
  #partitionsRead(what: string, partitions: readonly TopicPartition[]): TopicPartition[] {
    if (this.#closed) throw new ReaderClosedError();
    const reading = new Set(
      (this.#membership || this.#partitions
        ? this.assignments
        : [{ topic: this.#topic!, partition: this.#partition }]).map((p) =>
          partitionKey(p.topic, p.partition)
        ),
    );
    return listOf(`${what}: partitions`, partitions).map((p, i) => {
      const tp = topicPartitionOf(`partitions[${i}]`, p);
      if (!reading.has(partitionKey(tp.topic, tp.partition))) {
        throw new TypeError(
          `${what}: partitions[${i}] (${tp.topic}/${tp.partition}) is not read by this reader`,
        );
      }
      return tp;
    });
  }

  #fetchFailed(e: unknown): void {
    this.#groupFailed(e);
    // Errors no retry can fix reach the application; the fetcher keeps trying meanwhile.
    if (!(e instanceof KafkitError && e.retriable)) this.#fetcher.fail(e);
  }

  /**
   * A failure being retried: counted and reported (once, however many paths it takes), not
   * thrown at the application — unless no broker can be reached any more: then the reads
   * waiting for a message reject with it.
   */
  #groupFailed(e: unknown): void {
    if (typeof e === "object" && e !== null) {
      if (this.#reported.has(e)) return;
      this.#reported.add(e);
    }
    this.#counters.errors++;
    this.#config.onError?.(e);
    if (this.#waiting.size === 0) return;
    const down = this.#cluster.unreachable(this.#maxAttempts);
    if (down) { for (const wake of [...this.#waiting]) wake(down); }
  }

  async #assigned(partitions: TopicPartition[]): Promise<void> {
    this.#assignmentChanges++;
    for (const p of partitions) this.#givingUp.delete(partitionKey(p.topic, p.partition));
    const repause = this.#pausedRevoked;
    this.#pausedRevoked = new Map();
    this.#counters.rebalances++;
    if (partitions.length === 0) return;
    const starts = await this.#committedStarts(partitions);
    await this.#config.onAssigned?.(starts);
    // Paused partitions the same rebalance revoked and gave back stay paused.
    this.#fetcher.pause(starts.filter((p) => repause.has(partitionKey(p.topic, p.partition))));
    // Not those a rebalance took away meanwhile.
    this.#fetcher.add(this.#stillOwned(starts));
  }

  /** Where each partition starts: its committed offset, else `startOffset`. */
  async #committedStarts(partitions: TopicPartition[]): Promise<PartitionAssignment[]> {
    const committed = await this.#committed(partitions);
    return partitions.map((p) => {
      const c = committed.get(partitionKey(p.topic, p.partition));
      return { ...p, offset: c && c.offset >= 0 ? c.offset : this.#startOffset };
    });
  }

  /**
   * The committed offsets of newly assigned partitions. Retried: pending transactional
   * commits (UNSTABLE_OFFSET_COMMIT) and a member epoch that just moved clear up.
   */
  #committed(partitions: TopicPartition[]) {
    return retry(() =>
      fetchOffsets(this.#cluster, this.#groupId!, partitions, {
        signal: this.#stop.signal,
        memberId: this.#membership!.memberId,
        memberEpoch: this.#membership!.generationId,
        onRetry: (e) => this.#groupFailed(e),
      }), {
      attempts: 10,
      ...this.#backoff,
      signal: this.#stop.signal,
      isRetriable: retriableCommit,
      onRetry: (e, attempt) => {
        this.#logError(`kafkit: fetching committed offsets failed (attempt ${attempt})`, e);
        this.#groupFailed(e);
      },
    });
  }

  async #revoked(partitions: TopicPartition[]): Promise<void> {
    this.#assignmentChanges++;
    for (const p of partitions) this.#givingUp.add(partitionKey(p.topic, p.partition));
    this.#forgetPaused(partitions);
    this.#fetcher.remove(partitions);
    await this.#flushCommits(partitions).catch((e) => {
      this.#logError("kafkit: committing revoked partitions failed", e);
    });
    // Whatever happened, these offsets are not ours to commit any more.
    for (const p of partitions) this.#pending.delete(p.topic, p.partition);
    await this.#config.onRevoked?.(partitions);
  }

  async #lost(partitions: TopicPartition[]): Promise<void> {
    this.#assignmentChanges++;
    for (const p of partitions) this.#givingUp.add(partitionKey(p.topic, p.partition));
    this.#forgetPaused(partitions);
    this.#fetcher.remove(partitions);
    for (const p of partitions) this.#pending.delete(p.topic, p.partition);
    await this.#config.onRevoked?.(partitions);
  }

  /** Unpauses partitions given up, noting which were paused for the assignment that follows. */
  #forgetPaused(partitions: readonly TopicPartition[]): void {
    const gone = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    const paused = this.#fetcher.paused.filter((p) => gone.has(partitionKey(p.topic, p.partition)));
    for (const p of paused) this.#pausedRevoked.set(partitionKey(p.topic, p.partition), p);
    this.#fetcher.resume(paused);
  }

  /** Commits pending offsets (of `only`, if given), one commit at a time, with retries. */
  #flushCommits(only?: readonly TopicPartition[]): Promise<void> {
    const run = this.#commitChain.then(async () => {
      if (!this.#membership) return;
      // Only partitions still owned: an old offset must never overwrite a new owner's.
      const owned = new Set(this.#membership.owned.map((p) => partitionKey(p.topic, p.partition)));
      const dropped = this.#pending.retain((t, p) => owned.has(partitionKey(t, p)));
      for (const p of dropped) {
        this.#log(`kafkit: not committing ${p.topic}/${p.partition}: no longer assigned`);
      }
      const offsets = this.#pending.snapshot(only);
      if (offsets.length === 0) return;
      const membership = this.#membership;
      await retry(() => membership.commit(offsets), {
        attempts: this.#maxAttempts,
        ...this.#backoff,
        isRetriable: retriableCommit,
        onRetry: (e, attempt) => {
          this.#logError(`kafkit: commit failed (attempt ${attempt})`, e);
          this.#groupFailed(e);
        },
      });
      this.#pending.settle(offsets);
      this.#counters.commits += offsets.length;
    });
    this.#commitChain = run.catch(() => {});
    return run;
  }
}

/** The most messages a batch call returns by default. */
const DEFAULT_BATCH = 1000;
const BATCH_OPTIONS: ReadonlySet<string> = new Set(["signal", "max"]);

/** Commit errors that clear up once the member has rejoined. */
const REJOINING: ReadonlySet<number> = new Set([
  ErrorCodes.REBALANCE_IN_PROGRESS,
  ErrorCodes.STALE_MEMBER_EPOCH,
]);

/** Commit (and committed-offset) errors worth another try. */
function retriableCommit(e: unknown): boolean {
  return e instanceof KafkitError && e.retriable ||
    e instanceof KafkaError && REJOINING.has(e.code);
}
