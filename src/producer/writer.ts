/**
 * The Writer: kafka-go's batching producer. Messages are routed to partitions by a balancer,
 * batched per partition, and sent by the sender: one Produce per broker carrying every
 * partition's ready batch, up to `maxInFlight` batches per partition, retried on retriable
 * errors and (by default) written idempotently, so retries never duplicate or reorder a
 * partition.
 *
 * @module
 */

import { Cluster } from "../cluster/cluster.ts";
import { abortable } from "../_async/abortable.ts";
import { retry } from "../_async/retry.ts";
import { KafkitError, MessageTooLargeError } from "../errors.ts";
import { type MessageInput, payloadSize, toRecord } from "../message.ts";
import type { RecordInput } from "../protocol/records.ts";
import { ProducerIds } from "./_idempotence.ts";
import { type Entry, LingerClock, PartitionQueue, WriteCall } from "./_partition_queue.ts";
import { Sender } from "./_sender.ts";
import { type Summary, WriterCounters } from "./_stats.ts";
import {
  type ResolvedWriterConfig,
  resolveWriterConfig,
  type WriterConfig,
} from "./_writer_config.ts";

export type { WriterConfig } from "./_writer_config.ts";

/** What `stats()` returns (kafka-go's `WriterStats`), counted since the last call. */
export interface WriterStats {
  writes: number;
  messages: number;
  bytes: number;
  errors: number;
  retries: number;
  batchTime: Summary;
  batchQueueTime: Summary;
  writeTime: Summary;
  waitTime: Summary;
  batchSize: Summary;
  batchBytes: Summary;
  maxAttempts: number;
  writeBackoffMin: number;
  writeBackoffMax: number;
  maxBatchSize: number;
  batchTimeout: number;
  readTimeout: number;
  writeTimeout: number;
  requiredAcks: number;
  async: boolean;
  topic: string;
  clientId: string;
}

/**
 * Some messages of a `writeMessages` call failed (kafka-go's `WriteErrors`): `errors[i]` is
 * the error of message `i`, or `undefined` if it was written.
 */
export class WriteErrors extends KafkitError {
  /** One entry per message of the call. */
  readonly errors: readonly (Error | undefined)[];

  /** Creates the error for a call whose messages had these outcomes. */
  constructor(errors: readonly (Error | undefined)[]) {
    const failed = errors.filter((e) => e !== undefined) as Error[];
    super(
      `${failed.length} of ${errors.length} messages failed: ${failed[0]?.message}`,
      failed.every((e) => (e as { retriable?: boolean }).retriable === true),
    );
    this.errors = errors;
  }

  /** How many messages failed. */
  get count(): number {
    return this.errors.filter((e) => e !== undefined).length;
  }
}

/** A writer was used after `close()`. */
export class WriterClosedError extends KafkitError {
  /** Creates the error. */
  constructor() {
    super("the writer is closed");
  }
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
  readonly #queues = new Map<string, PartitionQueue>();
  readonly #lingerClock = new LingerClock();
  readonly #counters = new WriterCounters();
  #outstanding = 0;
  #drained: (() => void)[] = [];
  #closed = false;
  #writable: WritableStream<MessageInput> | undefined;

  /** Creates a writer; bad configuration throws a TypeError or RangeError naming the field. */
  constructor(config: WriterConfig) {
    const c = resolveWriterConfig(config);
    this.#config = c;
    this.#ownsCluster = c.cluster === undefined;
    this.#cluster = c.cluster ?? new Cluster(c.clusterOptions!);
    const producerIds = c.idempotent
      ? new ProducerIds(this.#cluster, {
        attempts: c.maxAttempts,
        ...c.backoff,
        timeout: c.readTimeout,
      })
      : undefined;
    this.#sender = new Sender({
      cluster: this.#cluster,
      producerIds,
      acks: c.acks,
      writeTimeout: c.writeTimeout,
      codec: c.codec,
      maxInFlight: c.maxInFlight,
      maxAttempts: c.maxAttempts,
      backoff: c.backoff,
      counters: this.#counters,
      log: c.logger,
      completed: (queue, entries, error) => this.#completed(queue, entries, error),
    });
  }

  /**
   * Writes messages. Resolves when every message is acknowledged, or rejects with
   * `WriteErrors` saying which failed and why; with `async` it resolves once they are queued.
   */
  async writeMessages(
    messages: MessageInput[],
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (this.#closed) throw new WriterClosedError();
    if (!Array.isArray(messages)) throw new TypeError("writeMessages takes an array of messages");
    const call = new WriteCall(messages.length);
    const now = Date.now();
    const byTopic = new Map<string, number[]>();
    const records = new Array<RecordInput>(messages.length);
    // Every message is checked before any is queued: a bad one fails the call as a whole.
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
      const list = byTopic.get(topic) ?? [];
      list.push(i);
      byTopic.set(topic, list);
    });
    this.#counters.writes++;
    this.#outstanding += messages.length;
    await Promise.all(
      [...byTopic].map(([topic, indexes]) => this.#route(topic, indexes, messages, records, call)),
    );
    if (this.#config.async) return;
    await abortable(call.done, options.signal);
    if (call.errors.some((e) => e !== undefined)) throw new WriteErrors(call.errors);
  }

  /** Looks the topic up and queues each message on its partition. */
  async #route(
    topic: string,
    indexes: number[],
    messages: MessageInput[],
    records: RecordInput[],
    call: WriteCall,
  ) {
    let partitions: readonly number[];
    try {
      partitions = (await this.#withMetadataRetry(topic)).partitionIds;
    } catch (e) {
      for (const i of indexes) this.#fail(call, i, messages[i], e as Error);
      return;
    }
    // The linger counts from when messages reach their queues, not from the call: a slow
    // metadata lookup must not make the first message leave alone.
    const queuedAt = Date.now();
    for (const i of indexes) {
      const message = messages[i];
      const record = records[i];
      const bytes = payloadSize(record);
      const limit = this.#config.limits.batchBytes;
      if (bytes > limit) {
        this.#fail(
          call,
          i,
          message,
          new MessageTooLargeError(
            `message ${i} of ${bytes} payload bytes exceeds batchBytes ${limit}`,
          ),
        );
        continue;
      }
      let partition: number;
      try {
        partition = message.partition ?? this.#config.balancer.balance(message, partitions);
      } catch (e) {
        // A user balancer that throws fails its message, not the others (nor close()).
        this.#fail(call, i, message, e instanceof Error ? e : new Error(String(e)));
        continue;
      }
      if (!partitions.includes(partition)) {
        this.#fail(
          call,
          i,
          message,
          new RangeError(`partition ${partition} is not a partition of ${topic}`),
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

  /** The topic's metadata, retried (with backoff) while the answer is retriable. */
  #withMetadataRetry(topic: string) {
    return retry(() => this.#cluster.topic(topic), {
      attempts: this.#config.maxAttempts,
      ...this.#config.backoff,
      onRetry: () => this.#counters.retries++,
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
  #completed(queue: PartitionQueue, batch: Entry[], error: Error | undefined): void {
    const c = this.#counters;
    c.batchTime.observe(Date.now() - (batch[0].sealedAt ?? batch[0].enqueuedAt));
    c.batchSize.observe(batch.length);
    const bytes = batch.reduce((n, e) => n + e.bytes, 0);
    c.batchBytes.observe(bytes);
    if (error) {
      c.errors++;
      this.#config.errorLogger(
        `writing ${batch.length} messages to ${queue.topic}/${queue.partition} failed: ${error.message}`,
      );
    } else {
      c.messages += batch.length;
      c.bytes += bytes;
    }
    this.#complete(batch, error);
  }

  #complete(batch: Entry[], error: Error | undefined): void {
    for (const e of batch) e.call.settle(e.index, error);
    this.#report(batch.map((e) => e.message), error);
    this.#settled(batch.length);
  }

  #fail(call: WriteCall, index: number, message: MessageInput, error: Error): void {
    this.#counters.errors++;
    call.settle(index, error);
    this.#report([message], error);
    this.#settled(1);
  }

  #report(messages: MessageInput[], error: Error | undefined): void {
    try {
      this.#config.completion?.(messages, error);
    } catch (e) {
      this.#config.errorLogger(`completion callback threw: ${e}`);
    }
  }

  #settled(count: number): void {
    this.#outstanding -= count;
    if (this.#outstanding === 0) { for (const resolve of this.#drained.splice(0)) resolve(); }
  }

  /** Sends everything queued now and resolves when all of it is delivered or failed. */
  async flush(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#outstanding === 0) return;
    const drained = new Promise<void>((resolve) => this.#drained.push(resolve));
    for (const q of this.#queues.values()) q.hurry();
    try {
      await abortable(drained, options.signal);
    } finally {
      // Also after an aborted flush: batching (batchTimeout) goes on as before.
      for (const q of this.#queues.values()) q.urgent = this.#closed;
    }
  }

  /**
   * Flushes, then closes every connection (a shared `cluster` stays open). New writes are
   * rejected from now on.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writable?.close().catch(() => {});
    await this.flush();
    if (this.#ownsCluster) await this.#cluster.close();
  }

  /** Closes the writer (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A Web `WritableStream` of messages: each write is queued; when more than a few batches'
   * worth is in flight, writes wait for delivery (backpressure). Failures error the stream.
   */
  get writable(): WritableStream<MessageInput> {
    if (this.#writable) return this.#writable;
    const inFlight = new Set<Promise<void>>();
    const limit = this.#config.limits.batchSize * 4;
    let failure: unknown;
    this.#writable = new WritableStream<MessageInput>({
      write: async (message) => {
        if (failure) throw failure;
        const p: Promise<void> = this.writeMessages([message]).catch((e) => {
          failure ??= e;
        }).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= limit) await Promise.all(inFlight);
        if (failure) throw failure;
      },
      close: async () => {
        await Promise.all(inFlight);
        if (failure) throw failure;
      },
    });
    return this.#writable;
  }

  /** Counters since the last call, and the configuration (kafka-go's `Stats`). */
  stats(): WriterStats {
    const c = this.#counters;
    const cfg = this.#config;
    return {
      ...c.takeCounts(),
      batchTime: c.batchTime.take(),
      batchQueueTime: c.batchQueueTime.take(),
      writeTime: c.writeTime.take(),
      waitTime: c.waitTime.take(),
      batchSize: c.batchSize.take(),
      batchBytes: c.batchBytes.take(),
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
