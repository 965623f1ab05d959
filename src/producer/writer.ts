/**
 * The Writer: kafka-go's batching producer. Messages are routed to partitions by a balancer,
 * batched per partition, and sent by the sender: one Produce per broker carrying every
 * partition's ready batch, up to `maxInFlight` batches per partition, retried on retriable
 * errors until their `deliveryTimeout` and (by default) written idempotently, so retries
 * never duplicate or reorder a partition. What it holds is bounded by `maxBufferedBytes`:
 * a call waits up to `maxBlock` for room.
 *
 * @module
 */

import { rejectUnknownOptions, SIGNAL_ONLY } from "../config.ts";
import { Cluster } from "../cluster/cluster.ts";
import { abortable, abortError, anySignal, throwIfAborted } from "../_async/abortable.ts";
import { deadline } from "../_async/deadline.ts";
import { withinGrace } from "../_async/delay.ts";
import { retry } from "../_async/retry.ts";
import { MessageTooLargeError, TimeoutError } from "../errors.ts";
import { type MessageInput, payloadSize, toRecord } from "../message.ts";
import type { RecordInput } from "../protocol/records.ts";
import { BufferBudget } from "./_buffer_budget.ts";
import { type DeliveryReport, offsetIn, reportOf } from "./delivery_report.ts";
import {
  BufferFullError,
  DeliveryTimeoutError,
  TransactionStateError,
  WriteErrors,
  WriterClosedError,
} from "./errors.ts";
import { ProducerIds } from "./_idempotence.ts";
import { type GroupMetadata, Transactions } from "./_transaction.ts";
import type { PartitionOffset } from "../offsets.ts";
import { type Entry, LingerClock, PartitionQueue, WriteCall } from "./_partition_queue.ts";
import { Sender } from "./_sender.ts";
import { type Summary, WriterCounters, type WriterTotals } from "./_stats.ts";
import { endSpan, type OtelSpan, type Telemetry, telemetryOf } from "../telemetry.ts";
import {
  ConnectionCounters,
  type ConnectionStats,
  type ConnectionTotals,
} from "../cluster/connection_stats.ts";
import {
  type ResolvedWriterConfig,
  resolveWriterConfig,
  type WriterConfig,
} from "./_writer_config.ts";

export type { WriterConfig } from "./_writer_config.ts";
export type { GroupMetadata, TransactionVersion } from "./_transaction.ts";
export type { DeliveryReport } from "./delivery_report.ts";
export {
  AbortableTransactionError,
  BufferFullError,
  DeliveryTimeoutError,
  FatalTransactionError,
  ProducerFencedError,
  TransactionStateError,
  WriteErrors,
  type WriteFailure,
  WriterClosedError,
} from "./errors.ts";

/** InitProducerId attempts within one batch attempt; the batches' own retries go on after. */
const INIT_PRODUCER_ID_ATTEMPTS = 3;

/**
 * How long a transaction's coordinator requests are retried (CONCURRENT_TRANSACTIONS while
 * the previous transaction's markers are written, a coordinator moving), at least.
 */
const TRANSACTION_RETRY_FOR = 60_000;

/**
 * What an accepted message costs besides its payload (key, value and headers), counted
 * against maxBufferedBytes: its record's framing and what the Writer keeps about it (record,
 * queue entry, bookkeeping — about 400 bytes measured on V8), so small messages are bounded
 * in memory too.
 */
export const MESSAGE_OVERHEAD = 400;

/**
 * What `stats()` returns (kafka-go's `WriterStats`). The counters and summaries cover the time
 * since the previous `stats()` call: reading them resets them, as in kafka-go, so a poller can
 * export rates. `totals` holds the same counters since the Writer was created, never reset, for
 * metric systems that expect monotonic counters. The other fields are the state now and the
 * configuration. `dials`, `timeouts` and `dialTime` are those of the Writer's client core (a
 * shared `cluster`'s).
 */
export interface WriterStats extends WriterTotals, ConnectionStats {
  /** The counters since the Writer was created (never reset). */
  totals: WriterTotals & ConnectionTotals;
  /** ms from a batch's sealing to its completion (acknowledged or failed). */
  batchTime: Summary;
  /** ms a batch's first message waited in its partition queue before the batch was sealed. */
  batchQueueTime: Summary;
  /** ms per produce request, sent to answered. */
  writeTime: Summary;
  /** ms waited in backoff before a retry. */
  waitTime: Summary;
  /** Messages per batch. */
  batchSize: Summary;
  /** Payload bytes per batch. */
  batchBytes: Summary;
  /** Bytes of messages accepted and not yet acknowledged or failed, now (not reset). */
  bufferedBytes: number;
  /** Messages accepted and not yet acknowledged or failed, now (kafka-go's `QueueLength`). */
  queueLength: number;
  /** The `maxBufferedBytes` setting. */
  maxBufferedBytes: number;
  /** The `maxBlock` setting, in ms. */
  maxBlock: number;
  /** The `deliveryTimeout` setting, in ms. */
  deliveryTimeout: number;
  /** The `maxAttempts` setting. */
  maxAttempts: number;
  /** The `writeBackoffMin` setting, in ms. */
  writeBackoffMin: number;
  /** The `writeBackoffMax` setting, in ms. */
  writeBackoffMax: number;
  /** The `batchSize` setting (messages per batch). */
  maxBatchSize: number;
  /** The `batchTimeout` setting, in ms. */
  batchTimeout: number;
  /** The `readTimeout` setting, in ms. */
  readTimeout: number;
  /** The `writeTimeout` setting, in ms. */
  writeTimeout: number;
  /** The `requiredAcks` setting (-1 all, 0 none, 1 leader). */
  requiredAcks: number;
  /** The `async` setting. */
  async: boolean;
  /** The `topic` setting ("" when each message names its topic). */
  topic: string;
  /** The `clientId` setting. */
  clientId: string;
}

/**
 * Writes messages to Kafka in batches (kafka-go's `Writer`).
 *
 * @example
 * ```ts
 * import { Writer } from "@kafkit/kafkit";
 * await using w = new Writer({ brokers: ["localhost:9092"], topic: "topic-A" });
 * await w.writeMessages([
 *   { key: "Key-A", value: "Hello World!" },
 *   { key: "Key-B", value: "One!" },
 *   { key: "Key-C", value: "Two!" },
 * ]);
 * ```
 */
export class Writer implements AsyncDisposable {
  readonly #config: ResolvedWriterConfig;
  readonly #cluster: Cluster;
  readonly #ownsCluster: boolean;
  readonly #sender: Sender;
  /** The transactions of a transactional Writer. */
  readonly #txn: Transactions | undefined;
  readonly #queues = new Map<string, PartitionQueue>();
  readonly #lingerClock = new LingerClock();
  readonly #counters = new WriterCounters();
  readonly #connections = new ConnectionCounters();
  readonly #stopObserving: () => void;
  readonly #budget: BufferBudget;
  /** Aborted when close() gives up waiting: everything still pending fails. */
  readonly #giveUp = new AbortController();
  #outstanding = 0;
  #drained: (() => void)[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;
  #writable: WritableStream<MessageInput> | undefined;
  readonly #stopWatchingDials: () => void;
  /** Called on each failed dial while close() waits (to end its grace early). */
  #onDialError: (() => void) | undefined;
  readonly #telemetry: Telemetry | undefined;
  /** The `send` span of each message of a call, while telemetry is on. */
  readonly #spans = new WeakMap<WriteCall, OtelSpan[]>();

  /** Creates a writer; bad configuration throws a TypeError or RangeError naming the field. */
  constructor(config: WriterConfig) {
    const c = resolveWriterConfig(config);
    this.#config = c;
    this.#ownsCluster = c.cluster === undefined;
    this.#cluster = c.cluster ?? new Cluster(c.clusterOptions!);
    this.#stopObserving = this.#cluster.observe(this.#connections);
    this.#budget = new BufferBudget(c.maxBufferedBytes);
    // A failed dial is logged as it fails, not after the retries of whatever dialed.
    this.#stopWatchingDials = this.#cluster.onDialError((error, address) => {
      c.log.warn("kafkit: cannot reach broker", { address, error });
      this.#onDialError?.();
    });
    this.#telemetry = telemetryOf(config.telemetry, this.#cluster);
    const t = c.transaction;
    const retryFor = Math.max(TRANSACTION_RETRY_FOR, t?.transactionTimeout ?? 0);
    const producerIds = c.idempotent
      ? new ProducerIds(this.#cluster, {
        attempts: Math.min(c.maxAttempts, INIT_PRODUCER_ID_ATTEMPTS),
        ...c.backoff,
        timeout: c.readTimeout,
        transactional: t && {
          transactionalId: t.transactionalId,
          transactionTimeoutMs: t.transactionTimeout,
          retryFor,
        },
      })
      : undefined;
    const txn = t && new Transactions({
      cluster: this.#cluster,
      transactionalId: t.transactionalId,
      producerIds: producerIds!,
      timeout: c.readTimeout,
      retryFor,
      backoff: c.backoff,
      version: t.version,
      log: (message) => c.log.info(message),
    });
    this.#txn = txn;
    this.#sender = new Sender({
      cluster: this.#cluster,
      producerIds,
      transaction: txn && {
        transactionalId: txn.transactionalId,
        beforeSend: (topic, partition) => txn.beforeSend(topic, partition),
        produceMaxVersion: () => txn.produceMaxVersion(),
      },
      acks: c.acks,
      writeTimeout: c.writeTimeout,
      codec: c.codec,
      maxInFlight: c.maxInFlight,
      maxAttempts: c.maxAttempts,
      deliveryTimeout: c.deliveryTimeout,
      backoff: c.backoff,
      counters: this.#counters,
      log: (message) => c.log.info(message),
      signal: this.#giveUp.signal,
      closedError: (last) => this.#closedError(last),
      completed: (queue, entries, error, baseOffset) =>
        this.#completed(queue, entries, error, baseOffset),
    });
  }

  /**
   * Writes messages. Resolves when every message is acknowledged, or rejects with
   * `WriteErrors` saying which failed and why; with `async` it resolves once they are queued.
   * When the buffer (`maxBufferedBytes`) has no room for the call, it waits for room up to
   * `maxBlock` and then rejects with a `BufferFullError`, having accepted nothing. The signal
   * ends the wait (for room, or for the acknowledgements); messages already accepted are
   * still delivered or reported (`completion`).
   */
  async writeMessages(
    messages: MessageInput[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    rejectUnknownOptions("Writer.writeMessages", options, SIGNAL_ONLY);
    // The signal also ends a wait for the topic's metadata (brokers down, topic missing):
    // what was accepted meanwhile is still delivered or reported.
    const call = await abortable(this.#enqueue(messages, options.signal), options.signal);
    if (this.#config.async) return;
    await abortable(call.done, options.signal);
    if (call.failed > 0) throw new WriteErrors(call.errors, messages);
  }

  /**
   * Writes messages and resolves, once each is acknowledged or has failed, with one
   * {@linkcode DeliveryReport} per message in the order given: its topic, partition and
   * offset, or its `error` (confluent-kafka-go's delivery reports, as a result). It never
   * rejects for a message that failed, only for the call itself (a bad message, a closed
   * writer, a full buffer after `maxBlock`, the signal). Waits also when `async` is set.
   *
   * @example
   * ```ts ignore
   * const reports = await writer.deliver([{ value: "a" }, { value: "b" }]);
   * for (const r of reports) console.log(r.partition, r.offset, r.error);
   * ```
   */
  async deliver(
    messages: MessageInput[],
    options: { signal?: AbortSignal } = {},
  ): Promise<DeliveryReport[]> {
    rejectUnknownOptions("Writer.deliver", options, SIGNAL_ONLY);
    const call = await abortable(this.#enqueue(messages, options.signal, true), options.signal);
    await abortable(call.done, options.signal);
    return call.reports!;
  }

  /**
   * Checks the messages, takes room for them in the buffer and queues each on its partition;
   * resolves once they are queued, with the call that settles as they are delivered.
   */
  async #enqueue(
    messages: MessageInput[],
    signal: AbortSignal | undefined,
    withReports = false,
  ): Promise<WriteCall> {
    if (this.#closed) throw new WriterClosedError();
    if (!Array.isArray(messages)) throw new TypeError("writeMessages takes an array of messages");
    this.#txn?.checkWritable("writeMessages");
    const now = Date.now();
    const byTopic = new Map<string, number[]>();
    const records = new Array<RecordInput>(messages.length);
    const payloads = new Array<number>(messages.length);
    let total = messages.length * MESSAGE_OVERHEAD;
    const telemetry = this.#telemetry;
    const spans: OtelSpan[] = [];
    // Every message is checked before any is queued: a bad one fails the call as a whole.
    try {
      // Without telemetry no callback runs per message.
      const traced = telemetry === undefined ? undefined : (topic: string, record: RecordInput) => {
        spans.push(telemetry.startSend(topic, record.headers ??= []));
      };
      this.#check(messages, now, records, payloads, byTopic, traced);
      for (const p of payloads) total += p;
      if (!this.#budget.tryTake(total)) await this.#waitForRoom(total, signal);
    } catch (e) {
      for (const span of spans) endSpan(span, e);
      throw e;
    }
    // A message's delivery time counts from here, when it is accepted.
    const call = new WriteCall(messages, Date.now() + this.#config.deliveryTimeout, withReports);
    if (telemetry) this.#spans.set(call, spans);
    this.#counters.writes++;
    this.#outstanding += messages.length;
    await Promise.all(
      [...byTopic].map(([topic, indexes]) => this.#route(topic, indexes, call, records, payloads)),
    );
    return call;
  }

  /**
   * Makes each message a record (`traced`, given when telemetry is on, may add headers), its
   * payload size and its topic's list; throws a TypeError for the first bad one.
   */
  #check(
    messages: MessageInput[],
    now: number,
    records: RecordInput[],
    payloads: number[],
    byTopic: Map<string, number[]>,
    traced: ((topic: string, record: RecordInput) => void) | undefined,
  ): void {
    messages.forEach((m, i) => {
      try {
        records[i] = toRecord(m, now);
      } catch (e) {
        throw new TypeError(`message ${i}: ${(e as Error).message}`);
      }
      if (m.topic !== undefined && this.#config.topic !== undefined) {
        throw new TypeError(
          `message ${i} names topic "${m.topic}" but the writer is bound to "${this.#config.topic}"`,
        );
      }
      const topic = m.topic ?? this.#config.topic;
      if (topic === undefined) {
        throw new TypeError(`message ${i} names no topic and the writer has none`);
      }
      if (traced) traced(topic, records[i]);
      payloads[i] = payloadSize(records[i]);
      const list = byTopic.get(topic) ?? [];
      list.push(i);
      byTopic.set(topic, list);
    });
  }

  /** Waits (in turn) for room for `bytes`; a closing writer fails the wait. */
  async #waitForRoom(bytes: number, signal: AbortSignal | undefined): Promise<void> {
    const { maxBlock, maxBufferedBytes } = this.#config;
    await this.#budget.take(bytes, {
      timeout: maxBlock,
      signal,
      timedOut: () =>
        new BufferFullError({ maxBlock, maxBufferedBytes, bytes, used: this.#budget.used }),
    });
    if (this.#closed) {
      // Room came as the writer closed: the call is not accepted after all.
      this.#budget.release(bytes);
      throw new WriterClosedError();
    }
  }

  /** Looks the topic up and queues each message on its partition. */
  async #route(
    topic: string,
    indexes: number[],
    call: WriteCall,
    records: RecordInput[],
    payloads: number[],
  ) {
    const messages = call.messages;
    let partitions: readonly number[];
    try {
      partitions = (await this.#withMetadataRetry(topic, call.deadline)).partitionIds;
      throwIfAborted(this.#giveUp.signal);
    } catch (e) {
      const gaveUp = this.#giveUp.signal.aborted && e === abortError(this.#giveUp.signal);
      const error = gaveUp ? this.#closedError(undefined) : e as Error;
      this.#config.log.error("kafkit: looking up a topic failed; failing its messages", {
        topic,
        messages: indexes.length,
        error,
      });
      for (const i of indexes) this.#fail(call, i, payloads[i], error, topic);
      return;
    }
    // The linger counts from when messages reach their queues, not from the call: a slow
    // metadata lookup must not make the first message leave alone.
    const queuedAt = Date.now();
    for (const i of indexes) {
      const message = messages[i];
      const record = records[i];
      const bytes = payloads[i];
      const limit = this.#config.limits.batchBytes;
      if (bytes > limit) {
        this.#fail(
          call,
          i,
          bytes,
          new MessageTooLargeError(
            `message ${i} of ${bytes} payload bytes exceeds batchBytes ${limit}`,
          ),
          topic,
        );
        continue;
      }
      let partition: number;
      try {
        partition = message.partition ?? this.#config.balancer.balance(message, partitions);
      } catch (e) {
        // A user balancer that throws fails its message, not the others (nor close()).
        this.#fail(call, i, bytes, e instanceof Error ? e : new Error(String(e)), topic);
        continue;
      }
      if (!partitions.includes(partition)) {
        this.#fail(
          call,
          i,
          bytes,
          new RangeError(`partition ${partition} is not a partition of ${topic}`),
          topic,
        );
        continue;
      }
      this.#queue(topic, partition).add({
        message,
        record,
        bytes,
        call,
        index: i,
        enqueuedAt: queuedAt,
      });
    }
  }

  /**
   * The topic's metadata, retried (with backoff) while the answer is retriable — a timeout
   * too — until the messages' delivery time runs out (or `maxAttempts`), or the writer
   * gives up at close.
   */
  #withMetadataRetry(topic: string, until: number) {
    const signal = this.#giveUp.signal;
    const options = { allowAutoTopicCreation: this.#config.allowAutoTopicCreation };
    // Each lookup is cut at the delivery deadline too (a dial to a silent broker takes its
    // connectTimeout): the call fails when its time is up, not an attempt later.
    const cut = `Metadata for topic ${topic} (within the delivery timeout)`;
    // The broker's last answer (UNKNOWN_TOPIC_OR_PARTITION, a refused dial) says more than
    // the cut itself: it is the cause when there is one.
    let answer: unknown;
    const lookup = () =>
      deadline(this.#cluster.topic(topic, options), Math.max(0, until - Date.now()), {
        signal,
        what: cut,
      }).catch((e) => {
        if (!(e instanceof TimeoutError && e.message.startsWith(cut))) answer = e;
        throw e;
      });
    return retry(lookup, {
      attempts: this.#config.maxAttempts,
      ...this.#config.backoff,
      until,
      timeUp: (e) => new DeliveryTimeoutError(this.#config.deliveryTimeout, answer ?? e),
      signal,
      onRetry: (e, attempt) => {
        this.#counters.retries++;
        // Each failed lookup is said: a missing topic is retried until deliveryTimeout.
        this.#config.log.warn("kafkit: looking up a topic failed, retrying", {
          topic,
          attempt,
          error: e,
        });
      },
    });
  }

  #queue(topic: string, partition: number): PartitionQueue {
    const key = `${topic}\u0000${partition}`;
    let q = this.#queues.get(key);
    if (!q) {
      q = new PartitionQueue(topic, partition, this.#config.limits, {
        hasRoom: (queue) => this.#sender.hasRoom(queue),
        send: (queue, batch) => this.#sealed(queue, batch),
      }, this.#lingerClock);
      q.urgent = this.#closed;
      this.#queues.set(key, q);
    }
    return q;
  }

  /** A batch was sealed: hand it to the sender. */
  #sealed(queue: PartitionQueue, batch: Entry[]): void {
    batch[0].sealedAt = Date.now();
    this.#counters.batchQueueTime.observe(batch[0].sealedAt - batch[0].enqueuedAt);
    this.#config.balancer.onBatchFlushed?.(queue.partition);
    this.#sender.send(queue, batch);
  }

  /** The sender is done with a batch: count it and settle its messages. */
  #completed(
    queue: PartitionQueue,
    batch: Entry[],
    error: Error | undefined,
    baseOffset: number,
  ): void {
    const c = this.#counters;
    c.batchTime.observe(Date.now() - (batch[0].sealedAt ?? batch[0].enqueuedAt));
    c.batchSize.observe(batch.length);
    const bytes = batch.reduce((n, e) => n + e.bytes, 0);
    c.batchBytes.observe(bytes);
    if (error) {
      c.errors++;
      this.#txn?.batchFailed(error);
      this.#config.log.error("kafkit: writing messages failed", {
        topic: queue.topic,
        partition: queue.partition,
        messages: batch.length,
        error,
      });
    } else {
      c.messages += batch.length;
      c.bytes += bytes;
    }
    this.#telemetry?.sent(
      queue,
      batch.length,
      bytes,
      Date.now() - (batch[0].sealedAt ?? batch[0].enqueuedAt),
      error,
    );
    this.#complete(queue, batch, bytes, error, baseOffset);
  }

  /**
   * Settles the messages of `batch` (one partition's, whose payloads sum to `bytes`): written
   * from `baseOffset` on (-1: unknown), or failed with `error`.
   */
  #complete(
    queue: PartitionQueue,
    batch: Entry[],
    bytes: number,
    error: Error | undefined,
    baseOffset: number,
  ): void {
    const { topic, partition } = queue;
    for (let k = 0; k < batch.length; k++) {
      const e = batch[k];
      e.call.settle(e.index, error, topic, partition, error ? -1 : offsetIn(baseOffset, k));
    }
    if (this.#telemetry) {
      for (const e of batch) {
        this.#endSpan(e.call, e.index, partition, error);
      }
    }
    if (this.#config.completion) {
      this.#report(
        batch.map((e) => e.message),
        error,
        batch.map((e, k) => reportOf(e.message, topic, partition, offsetIn(baseOffset, k), error)),
      );
    }
    this.#settled(batch.length, bytes);
  }

  /** Message `index` failed before it joined a batch of `topic`. */
  #fail(call: WriteCall, index: number, bytes: number, error: Error, topic: string): void {
    this.#counters.errors++;
    this.#txn?.batchFailed(error);
    const message = call.messages[index];
    const partition = message.partition ?? -1;
    call.settle(index, error, topic, partition, -1);
    this.#endSpan(call, index, undefined, error);
    this.#telemetry?.sent({ topic }, 1, 0, undefined, error);
    if (this.#config.completion) {
      this.#report([message], error, [reportOf(message, topic, partition, -1, error)]);
    }
    this.#settled(1, bytes);
  }

  #report(messages: MessageInput[], error: Error | undefined, reports: DeliveryReport[]): void {
    try {
      this.#config.completion?.(messages, error, reports);
    } catch (e) {
      this.#config.log.error("kafkit: the completion callback threw", { error: e });
    }
  }

  #endSpan(call: WriteCall, index: number, partition: number | undefined, error?: Error): void {
    const span = this.#telemetry && this.#spans.get(call)?.[index];
    if (span) this.#telemetry!.endSend(span, partition, error);
  }

  /** `count` messages of `bytes` payload are done: their room in the buffer is free again. */
  #settled(count: number, bytes: number): void {
    this.#budget.release(bytes + count * MESSAGE_OVERHEAD);
    this.#outstanding -= count;
    if (this.#outstanding === 0) { for (const resolve of this.#drained.splice(0)) resolve(); }
  }

  /** What a message still pending when close() gives up fails with. */
  #closedError(lastError: unknown): WriterClosedError {
    return new WriterClosedError(
      `the writer closed before the message was acknowledged (closeTimeout ${this.#config.closeTimeout} ms)`,
      lastError === undefined ? undefined : { cause: lastError },
    );
  }

  /** Sends everything queued now and resolves when all of it is delivered or failed. */
  async flush(options: { signal?: AbortSignal } = {}): Promise<void> {
    rejectUnknownOptions("Writer.flush", options, SIGNAL_ONLY);
    if (this.#outstanding === 0) return;
    const drained = this.#whenDrained();
    for (const q of this.#queues.values()) q.hurry();
    try {
      await abortable(drained, options.signal);
    } finally {
      // Also after an aborted flush: batching (batchTimeout) goes on as before.
      for (const q of this.#queues.values()) q.urgent = this.#closed;
    }
  }

  #whenDrained(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  /**
   * Rejects new writes, flushes, then closes every connection (a shared `cluster` stays
   * open). What is queued or in flight gets `closeTimeout` (default 5 s) to be delivered, or
   * until `signal` aborts, or until no broker can be reached (every known address failed its
   * last dial and no connection is open: nothing could be delivered); then every message still pending fails at once with a
   * `WriterClosedError` (reported to its call and to `completion`), so close() returns
   * promptly even while brokers are down. Calls waiting for room in the buffer fail with a
   * `WriterClosedError` at once. Every accepted message ends acknowledged or reported.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      rejectUnknownOptions("Writer.close", options, SIGNAL_ONLY);
    } catch (e) {
      return Promise.reject(e);
    }
    this.#closing ??= this.#close(options.signal);
    return this.#closing;
  }

  async #close(signal: AbortSignal | undefined): Promise<void> {
    this.#closed = true;
    this.#budget.rejectWaiting(new WriterClosedError());
    const streamClosed = this.#writable?.close().catch(() => {});
    const delivered = Promise.all([this.flush(), streamClosed]).then(async () => {
      // An open transaction is aborted, not left for the coordinator's timeout.
      if (this.#txn?.open) {
        await this.#txn.abort(() => this.flush()).catch((error) =>
          this.#config.log.error("kafkit: aborting the open transaction at close failed", {
            error,
          })
        );
      }
      return true;
    });
    const over = new AbortController();
    // Nothing can be delivered while no broker can be reached: the grace ends then.
    const unreachable = () => {
      if (this.#cluster.unreachable(1)) over.abort();
    };
    this.#onDialError = unreachable;
    unreachable();
    const allDelivered = await withinGrace(
      delivered,
      this.#config.closeTimeout,
      anySignal(signal, over.signal),
    );
    over.abort();
    this.#onDialError = undefined;
    this.#stopWatchingDials();
    if (!allDelivered) {
      // The grace period is over: fail what is left, unsent or in flight.
      this.#giveUp.abort(new WriterClosedError());
      for (const q of this.#queues.values()) {
        const entries = q.takeAll();
        const bytes = entries.reduce((n, e) => n + e.bytes, 0);
        if (entries.length > 0) {
          this.#complete(q, entries, bytes, this.#closedError(undefined), -1);
        }
      }
      await this.#whenDrained();
      await streamClosed;
    }
    this.#stopObserving();
    if (this.#ownsCluster) await this.#cluster.close();
  }

  // --- transactions (_transaction.ts) ---

  /**
   * Opens a transaction (the Writer needs a `transactionalId`). The first one gets the
   * producer id from the transaction coordinator, which fences any older Writer of the same
   * id and aborts its open transaction. Writes and `sendOffsets` go into it until
   * `commitTransaction()` or `abortTransaction()`.
   */
  async beginTransaction(): Promise<void> {
    if (this.#closed) throw new WriterClosedError();
    await this.#transactions("beginTransaction").begin();
  }

  /**
   * Delivers every pending message of the transaction, then commits it: readers with
   * `read_committed` see all of it. If a message failed, nothing is committed and this
   * rejects with an `AbortableTransactionError`: abort, then try again in a new transaction.
   * A `FatalTransactionError` (`ProducerFencedError`) ends the Writer.
   */
  async commitTransaction(): Promise<void> {
    await this.#transactions("commitTransaction").commit(() => this.flush());
  }

  /**
   * Aborts the open transaction once what was sent has been answered (what had not been sent
   * is dropped, its writes fail): `read_committed` readers never see its messages, and its
   * offsets are not committed.
   */
  async abortTransaction(): Promise<void> {
    await this.#transactions("abortTransaction").abort(() => this.flush());
  }

  /**
   * Runs `fn` in a transaction: commits when it returns, aborts when it (or the commit)
   * throws, and rethrows. Resolves with what `fn` returned.
   *
   * @example
   * ```ts ignore
   * await writer.transaction(async (tx) => {
   *   await tx.writeMessages([{ value: "a" }, { value: "b" }]);
   * });
   * ```
   */
  async transaction<T>(fn: (writer: Writer) => Promise<T> | T): Promise<T> {
    await this.beginTransaction();
    let result: T;
    try {
      result = await fn(this);
      await this.commitTransaction();
    } catch (e) {
      if (this.#txn!.open) {
        await this.abortTransaction().catch((error) =>
          this.#config.log.error("kafkit: aborting the transaction failed", { error })
        );
      }
      throw e;
    }
    return result;
  }

  /**
   * Adds a consumer group's offsets to the open transaction (KIP-447): they are committed
   * with it, or not at all. `group` is the consuming member as the group knows it
   * (`reader.groupMetadata()`): the group's coordinator refuses a member it has moved on
   * from, so a zombie consumer's transaction can only abort. Each offset is the next one to
   * read, as `commitMessages` commits.
   */
  async sendOffsets(offsets: readonly PartitionOffset[], group: GroupMetadata): Promise<void> {
    const txn = this.#transactions("sendOffsets");
    checkOffsets(offsets, group);
    await txn.sendOffsets(offsets, group);
  }

  /** Whether a transaction is open (begun, or failed and not yet aborted). */
  get inTransaction(): boolean {
    return this.#txn?.open ?? false;
  }

  #transactions(what: string): Transactions {
    if (!this.#txn) {
      throw new TransactionStateError(`${what} needs a Writer with a transactionalId`);
    }
    return this.#txn;
  }

  /** Closes the writer (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A Web `WritableStream` of messages: each write is queued once the buffer has room for it
   * (the same `maxBufferedBytes` and `maxBlock` as `writeMessages`: a full buffer is the
   * stream's backpressure). A failed delivery errors the stream.
   */
  get writable(): WritableStream<MessageInput> {
    if (this.#writable) return this.#writable;
    const delivering = new Set<Promise<void>>();
    let failure: unknown;
    this.#writable = new WritableStream<MessageInput>({
      write: async (message) => {
        if (failure) throw failure;
        const call = await this.#enqueue([message], undefined);
        const p: Promise<void> = call.done.then(() => {
          if (call.failed > 0) failure ??= new WriteErrors(call.errors, call.messages);
          delivering.delete(p);
        });
        delivering.add(p);
      },
      close: async () => {
        await Promise.all(delivering);
        if (failure) throw failure;
      },
    });
    return this.#writable;
  }

  /**
   * Counters since the last call (reset by this call, as kafka-go's `Stats`), their `totals`
   * since creation (never reset), and the configuration.
   */
  stats(): WriterStats {
    const c = this.#counters;
    const cfg = this.#config;
    const counts = c.takeCounts();
    const connections = this.#connections.take();
    return {
      ...counts,
      ...connections.window,
      totals: { ...counts.totals, ...connections.totals },
      batchTime: c.batchTime.take(),
      batchQueueTime: c.batchQueueTime.take(),
      writeTime: c.writeTime.take(),
      waitTime: c.waitTime.take(),
      batchSize: c.batchSize.take(),
      batchBytes: c.batchBytes.take(),
      bufferedBytes: this.#budget.used,
      queueLength: this.#outstanding,
      maxBufferedBytes: cfg.maxBufferedBytes,
      maxBlock: cfg.maxBlock,
      deliveryTimeout: cfg.deliveryTimeout,
      maxAttempts: cfg.maxAttempts,
      writeBackoffMin: cfg.backoff.backoffMin,
      writeBackoffMax: cfg.backoff.backoffMax,
      maxBatchSize: cfg.limits.batchSize,
      batchTimeout: cfg.limits.batchTimeout,
      readTimeout: cfg.readTimeout,
      writeTimeout: cfg.writeTimeout,
      requiredAcks: cfg.acks,
      async: cfg.async,
      topic: cfg.topic ?? "",
      clientId: cfg.clientId,
    };
  }
}

/** Checks sendOffsets' arguments before anything is sent. */
function checkOffsets(offsets: readonly PartitionOffset[], group: GroupMetadata): void {
  if (group === null || typeof group !== "object") {
    throw new TypeError("sendOffsets: groupMetadata must be an object (reader.groupMetadata())");
  }
  if (typeof group.groupId !== "string" || group.groupId === "") {
    throw new TypeError("sendOffsets: groupMetadata.groupId must be a non-empty string");
  }
  if (!Number.isInteger(group.generationId)) {
    throw new TypeError("sendOffsets: groupMetadata.generationId must be an integer");
  }
  if (typeof group.memberId !== "string") {
    throw new TypeError("sendOffsets: groupMetadata.memberId must be a string");
  }
  if (!Array.isArray(offsets)) throw new TypeError("sendOffsets: offsets must be an array");
  offsets.forEach((o, i) => {
    if (typeof o?.topic !== "string" || o.topic === "") {
      throw new TypeError(`sendOffsets: offsets[${i}].topic must be a non-empty string`);
    }
    if (!Number.isInteger(o.partition) || o.partition < 0) {
      throw new RangeError(`sendOffsets: offsets[${i}].partition must be an integer >= 0`);
    }
    if (!Number.isInteger(o.offset) || o.offset < 0) {
      throw new RangeError(`sendOffsets: offsets[${i}].offset must be an integer >= 0`);
    }
  });
}
