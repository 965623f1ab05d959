/**
 * The Writer: kafka-go's batching producer. Messages are routed to partitions by a balancer,
 * batched per partition, sent to each partition's leader, retried on retriable errors, and
 * (by default) written idempotently, so retries never duplicate or reorder a partition.
 *
 * @module
 */

import { Cluster } from "../cluster/cluster.ts";
import { positiveInt } from "../config.ts";
import { abortable } from "../_async/abortable.ts";
import { delay } from "../_async/delay.ts";
import { backoffDelay } from "../_async/retry.ts";
import { ConnectionError, KafkitError, MessageTooLargeError, TimeoutError } from "../errors.ts";
import { type MessageInput, toRecord } from "../message.ts";
import type { CompressionCodec, CompressionName } from "../protocol/compression/codec.ts";
import { compressionCodec } from "../protocol/compression/registry.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { Produce } from "../protocol/generated/produce.ts";
import { encodeRecordBatch, type RecordInput } from "../protocol/records.ts";
import type { ConnectionOptions } from "../transport/connection.ts";
import type { Balancer } from "./balancers.ts";
import { RoundRobin } from "./balancers.ts";
import { IdempotentState, type ProducerIdentity } from "./_idempotence.ts";
import { type Entry, PartitionQueue, WriteCall } from "./_partition_queue.ts";
import { type Summary, WriterCounters } from "./_stats.ts";

/** Configuration of a {@linkcode Writer} (kafka-go's `WriterConfig`). */
export interface WriterConfig extends Omit<ConnectionOptions, "host" | "port" | "signal"> {
  /** Bootstrap brokers, `host:port`. */
  brokers: string | readonly string[];
  /** The topic of every message; without it, each message names its own. */
  topic?: string;
  /** Picks partitions (default: `RoundRobin`, as in kafka-go). */
  balancer?: Balancer;
  /** Attempts per batch before its messages fail (default 10). */
  maxAttempts?: number;
  /** First retry delay in ms (default 100). */
  writeBackoffMin?: number;
  /** Largest retry delay in ms (default 1000). */
  writeBackoffMax?: number;
  /** Messages per batch (default 100). */
  batchSize?: number;
  /** Bytes per batch; a larger message fails alone (default 1 MiB). */
  batchBytes?: number;
  /** How long a partition's first message waits for more, in ms (default 5). */
  batchTimeout?: number;
  /** Time allowed for a Produce request, in ms (default 10000). */
  writeTimeout?: number;
  /** Time allowed for metadata and other reads, in ms (default 10000). */
  readTimeout?: number;
  /** -1 waits for all in-sync replicas (default), 1 for the leader, 0 for nothing. */
  requiredAcks?: -1 | 0 | 1;
  /** Resolve `writeMessages` at once and report through `completion`. */
  async?: boolean;
  /** Called once per batch with its messages and, if they failed, the error. */
  completion?: (messages: MessageInput[], error?: Error) => void;
  /** Codec for batches (default none). */
  compression?: CompressionName | CompressionCodec;
  /** Idempotent writes (default true with requiredAcks -1; requires it). */
  idempotent?: boolean;
  /** Let metadata lookups create missing topics (default false). */
  allowAutoTopicCreation?: boolean;
  /**
   * Refresh a topic's metadata at least this often, in ms (default 5 minutes): how soon new
   * partitions are used (kafka-go's `rebalanceInterval` role).
   */
  metadataMaxAge?: number;
  /** Informational messages (retries, metadata refreshes). */
  logger?: (message: string) => void;
  /** Errors. */
  errorLogger?: (message: string) => void;
}

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

const RECORD_OVERHEAD = 24; // varints and attributes of one record, a little generously

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
  readonly #cluster: Cluster;
  readonly #topic: string | undefined;
  readonly #balancer: Balancer;
  readonly #maxAttempts: number;
  readonly #backoff: { backoffMin: number; backoffMax: number };
  readonly #limits: { batchSize: number; batchBytes: number; batchTimeout: number };
  readonly #writeTimeout: number;
  readonly #readTimeout: number;
  readonly #acks: -1 | 0 | 1;
  readonly #async: boolean;
  readonly #completion: ((messages: MessageInput[], error?: Error) => void) | undefined;
  readonly #codec: CompressionCodec | undefined;
  readonly #idempotence: IdempotentState | undefined;
  readonly #log: (message: string) => void;
  readonly #logError: (message: string) => void;
  readonly #clientId: string;
  readonly #queues = new Map<string, PartitionQueue>();
  readonly #counters = new WriterCounters();
  #outstanding = 0;
  #drained: (() => void)[] = [];
  #closed = false;
  #writable: WritableStream<MessageInput> | undefined;

  /** Creates a writer; bad configuration throws a TypeError or RangeError naming the field. */
  constructor(config: WriterConfig) {
    const brokers = typeof config.brokers === "string" ? config.brokers.split(",") : config.brokers;
    if (
      !Array.isArray(brokers) || brokers.length === 0 ||
      brokers.some((b) => typeof b !== "string" || !b)
    ) {
      throw new TypeError("brokers must be a non-empty list of host:port addresses");
    }
    if (config.topic !== undefined && (typeof config.topic !== "string" || config.topic === "")) {
      throw new TypeError(`topic must be a non-empty string, got ${JSON.stringify(config.topic)}`);
    }
    const acks = config.requiredAcks ?? -1;
    if (acks !== -1 && acks !== 0 && acks !== 1) {
      throw new RangeError(`requiredAcks must be -1, 0 or 1, got ${acks}`);
    }
    if (config.idempotent === true && acks !== -1) {
      throw new RangeError("idempotent writes need requiredAcks -1 (all in-sync replicas)");
    }
    let codec: CompressionCodec | undefined;
    if (config.compression !== undefined) {
      try {
        codec = typeof config.compression === "string"
          ? compressionCodec(config.compression)
          : config.compression;
      } catch {
        throw new TypeError(
          `compression must be gzip, snappy, lz4, zstd or a codec, got ${
            String(config.compression)
          }`,
        );
      }
    }
    if (config.balancer !== undefined && typeof config.balancer.balance !== "function") {
      throw new TypeError("balancer must have a balance(message, partitions) method");
    }
    this.#topic = config.topic;
    this.#balancer = config.balancer ?? new RoundRobin();
    this.#maxAttempts = positiveInt("maxAttempts", config.maxAttempts, 10);
    this.#backoff = {
      backoffMin: positiveInt("writeBackoffMin", config.writeBackoffMin, 100, 0),
      backoffMax: positiveInt("writeBackoffMax", config.writeBackoffMax, 1000, 0),
    };
    this.#limits = {
      batchSize: positiveInt("batchSize", config.batchSize, 100),
      batchBytes: positiveInt("batchBytes", config.batchBytes, 1_048_576),
      batchTimeout: positiveInt("batchTimeout", config.batchTimeout, 5, 0),
    };
    this.#writeTimeout = positiveInt("writeTimeout", config.writeTimeout, 10_000);
    this.#readTimeout = positiveInt("readTimeout", config.readTimeout, 10_000);
    this.#acks = acks;
    this.#async = config.async ?? false;
    this.#completion = config.completion;
    this.#codec = codec;
    this.#log = config.logger ?? (() => {});
    this.#logError = config.errorLogger ?? (() => {});
    this.#clientId = config.clientId ?? "kafkit";
    const {
      brokers: _b,
      topic: _t,
      balancer: _ba,
      maxAttempts: _ma,
      writeBackoffMin: _w1,
      writeBackoffMax: _w2,
      batchSize: _bs,
      batchBytes: _bb,
      batchTimeout: _bt,
      writeTimeout: _wt,
      readTimeout: _rt,
      requiredAcks: _ra,
      async: _as,
      completion: _c,
      compression: _co,
      idempotent: _id,
      logger: _l,
      errorLogger: _el,
      ...connection
    } = config;
    positiveInt("metadataMaxAge", config.metadataMaxAge, 300_000, 0);
    this.#cluster = new Cluster({
      ...connection,
      brokers,
      requestTimeout: connection.requestTimeout ?? this.#readTimeout,
    });
    this.#idempotence = (config.idempotent ?? acks === -1)
      ? new IdempotentState(this.#cluster)
      : undefined;
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
    messages.forEach((m, i) => {
      if (m.topic !== undefined && this.#topic !== undefined) {
        throw new TypeError(
          `message ${i} names topic "${m.topic}" but the writer is bound to "${this.#topic}"`,
        );
      }
      const topic = m.topic ?? this.#topic;
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
      [...byTopic].map(([topic, indexes]) => this.#route(topic, indexes, messages, call, now)),
    );
    if (this.#async) return;
    await abortable(call.done, options.signal);
    if (call.errors.some((e) => e !== undefined)) throw new WriteErrors(call.errors);
  }

  /** Looks the topic up and queues each message on its partition. */
  async #route(
    topic: string,
    indexes: number[],
    messages: MessageInput[],
    call: WriteCall,
    now: number,
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
      const record = toRecord(message, now);
      const bytes = recordBytes(record);
      if (bytes > this.#limits.batchBytes) {
        this.#fail(
          call,
          i,
          message,
          new MessageTooLargeError(
            `message ${i} of about ${bytes} bytes exceeds batchBytes ${this.#limits.batchBytes}`,
          ),
        );
        continue;
      }
      const partition = message.partition ?? this.#balancer.balance(message, partitions);
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

  async #withMetadataRetry(topic: string) {
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#cluster.topic(topic);
      } catch (e) {
        const retriable = (e instanceof KafkaError || e instanceof ConnectionError) && e.retriable;
        if (!retriable || attempt >= this.#maxAttempts) throw e;
        this.#counters.retries++;
        await delay(backoffDelay(attempt, this.#backoff));
      }
    }
  }

  #queue(topic: string, partition: number): PartitionQueue {
    const key = `${topic}\u0000${partition}`;
    let q = this.#queues.get(key);
    if (!q) {
      q = new PartitionQueue(
        topic,
        partition,
        this.#limits,
        (queue, batch) => this.#sendBatch(queue, batch),
      );
      q.urgent = this.#closed;
      this.#queues.set(key, q);
    }
    return q;
  }

  /** Sends one batch to its partition's leader, retrying until it succeeds or fails for good. */
  async #sendBatch(queue: PartitionQueue, batch: Entry[]): Promise<void> {
    const started = Date.now();
    this.#counters.batchQueueTime.observe(started - batch[0].enqueuedAt);
    this.#balancer.onBatchFlushed?.(queue.partition);
    const records = batch.map((e) => e.record);
    let identity: (ProducerIdentity & { baseSequence: number }) | undefined;
    let encoded: Uint8Array | undefined;
    let error: Error | undefined;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) {
        this.#counters.retries++;
        const wait = backoffDelay(attempt - 1, this.#backoff);
        this.#counters.waitTime.observe(wait);
        await delay(wait);
      }
      let leader = -1;
      try {
        const topic = await this.#cluster.topic(queue.topic);
        const part = topic.partitions.find((p) => p.id === queue.partition);
        leader = part?.leaderId ?? -1;
        if (leader < 0) {
          error = part?.error ??
            new KafkaError(ErrorCodes.LEADER_NOT_AVAILABLE, {
              topic: queue.topic,
              partition: queue.partition,
            });
          this.#cluster.invalidate(queue.topic);
          continue;
        }
        if (this.#idempotence && !identity) {
          const id = await this.#idempotence.identity();
          identity = {
            ...id,
            baseSequence: this.#idempotence.nextSequence(queue.key, records.length),
          };
          encoded = undefined;
        }
        encoded ??= await encodeRecordBatch(records, {
          compression: this.#codec ?? "none",
          ...identity,
        });
        const conn = await this.#cluster.connection(leader);
        const request = {
          transactionalId: null,
          acks: this.#acks,
          timeoutMs: this.#writeTimeout,
          topicData: [{
            name: queue.topic,
            topicId: topic.id,
            partitionData: [{ index: queue.partition, records: encoded }],
          }],
        };
        const sentAt = Date.now();
        if (this.#acks === 0) {
          await conn.sendWithoutResponse(Produce, request);
          error = undefined;
        } else {
          const res = await conn.request(Produce, request, { timeout: this.#writeTimeout + 5_000 });
          const p = res.responses[0]?.partitionResponses[0];
          error = p
            ? errorForCode(p.errorCode, {
              api: "Produce",
              topic: queue.topic,
              partition: queue.partition,
              brokerMessage: p.errorMessage,
            })
            : new KafkaError(ErrorCodes.UNKNOWN_SERVER_ERROR, {
              api: "Produce",
              topic: queue.topic,
            });
        }
        this.#counters.writeTime.observe(Date.now() - sentAt);
        if (
          !error ||
          (error instanceof KafkaError && error.code === ErrorCodes.DUPLICATE_SEQUENCE_NUMBER)
        ) {
          error = undefined;
          break;
        }
        if (!(error instanceof KafkaError)) break;
        if (this.#idempotence && PRODUCER_STATE_LOST.has(error.code)) {
          // The broker no longer knows this producer's sequence: start a new identity.
          this.#log(
            `producer state lost on ${queue.topic}/${queue.partition} (${error.errorName}); resetting`,
          );
          this.#idempotence.reset();
          identity = undefined;
          continue;
        }
        if (!error.retriable) break;
        this.#cluster.invalidate(queue.topic);
        this.#log(
          `retrying ${queue.topic}/${queue.partition} after ${error.errorName} (attempt ${attempt})`,
        );
      } catch (e) {
        error = e as Error;
        if (e instanceof ConnectionError || e instanceof TimeoutError) {
          if (leader >= 0) this.#cluster.brokerFailed(leader);
          this.#cluster.invalidate(queue.topic);
          continue;
        }
        if (e instanceof KafkaError && e.retriable) continue;
        break;
      }
    }
    this.#counters.batchTime.observe(Date.now() - started);
    this.#counters.batchSize.observe(batch.length);
    const bytes = batch.reduce((n, e) => n + e.bytes, 0);
    this.#counters.batchBytes.observe(bytes);
    if (error) {
      this.#counters.errors++;
      this.#logError(
        `writing ${batch.length} messages to ${queue.topic}/${queue.partition} failed: ${error.message}`,
      );
    } else {
      this.#counters.messages += batch.length;
      this.#counters.bytes += bytes;
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
      this.#completion?.(messages, error);
    } catch (e) {
      this.#logError(`completion callback threw: ${e}`);
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
    await abortable(drained, options.signal);
    for (const q of this.#queues.values()) q.urgent = this.#closed;
  }

  /** Flushes, then closes every connection. New writes are rejected from now on. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writable?.close().catch(() => {});
    await this.flush();
    await this.#cluster.close();
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
    const limit = this.#limits.batchSize * 4;
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
    return {
      ...c.takeCounts(),
      batchTime: c.batchTime.take(),
      batchQueueTime: c.batchQueueTime.take(),
      writeTime: c.writeTime.take(),
      waitTime: c.waitTime.take(),
      batchSize: c.batchSize.take(),
      batchBytes: c.batchBytes.take(),
      maxAttempts: this.#maxAttempts,
      writeBackoffMin: this.#backoff.backoffMin,
      writeBackoffMax: this.#backoff.backoffMax,
      maxBatchSize: this.#limits.batchSize,
      batchTimeout: this.#limits.batchTimeout,
      readTimeout: this.#readTimeout,
      writeTimeout: this.#writeTimeout,
      requiredAcks: this.#acks,
      async: this.#async,
      topic: this.#topic ?? "",
      clientId: this.#clientId,
    };
  }
}

/** Errors after which the broker has lost (or never had) this producer's sequence state. */
const PRODUCER_STATE_LOST = new Set<number>([
  ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCodes.UNKNOWN_PRODUCER_ID,
  ErrorCodes.INVALID_PRODUCER_EPOCH,
]);

/** Roughly what a record takes in a batch. */
function recordBytes(r: RecordInput): number {
  let n = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers ?? []) n += h.key.length * 3 + (h.value?.length ?? 0) + 4;
  return n;
}
