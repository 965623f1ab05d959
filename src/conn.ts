/**
 * The kafka-go low-level `Conn`: one connection to one broker, optionally bound to a
 * partition it leads, with reads and writes at a tracked offset.
 *
 * @module
 */

import { parseAddress } from "./address.ts";
import { rejectUnknownOptions } from "./config.ts";
import { Batch } from "./batch.ts";
import { type Message, type MessageInput, payloadSize, toRecord } from "./message.ts";
import { type Broker, brokersOf, type Partition, partitionsOf } from "./metadata.ts";
import type { CompressionCodec, CompressionName } from "./protocol/compression/codec.ts";
import { ErrorCodes, errorForCode, KafkaError } from "./protocol/errors.ts";
import { ALL_APIS } from "./protocol/generated/all.ts";
import { CreateTopics } from "./protocol/generated/create_topics.ts";
import { DeleteTopics } from "./protocol/generated/delete_topics.ts";
import { Fetch } from "./protocol/generated/fetch.ts";
import { ListOffsets } from "./protocol/generated/list_offsets.ts";
import { fetchRequest } from "./cluster/requests/fetch.ts";
import { fetchedMessages } from "./cluster/requests/fetched.ts";
import { listOffsetsRequest, readListOffsets } from "./cluster/requests/list_offsets.ts";
import { FirstOffset, LastOffset } from "./offsets.ts";
import { Metadata } from "./protocol/generated/metadata.ts";
import { metadataRequest } from "./cluster/requests/metadata.ts";
import { Produce } from "./protocol/generated/produce.ts";
import { buildProduceRequest, classifyProduceResponse } from "./cluster/requests/produce.ts";
import { encodeRecordBatch } from "./protocol/records.ts";
import type { Connection } from "./transport/connection.ts";
import {
  createTopicsRequest,
  deleteTopicsRequest,
  type TopicConfig,
} from "./cluster/requests/topics.ts";

/** Seek relative to the first offset of the partition. */
export const SeekStart = 0;
/** Seek to an absolute offset. */
export const SeekAbsolute = 1;
/** Seek back from the last offset: `last - offset`. */
export const SeekEnd = 2;
/** Seek relative to the current offset. */
export const SeekCurrent = 3;
/** Flag to add to a whence: do not check the offset against the partition's range. */
export const SeekDontCheck: number = 1 << 30;
export { FirstOffset, LastOffset };
export type { TopicConfig };

/** Per-call options: a signal and a timeout in ms. */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /** ms the call may take. */
  timeout?: number;
}

/** Options of `readBatchWith` (kafka-go's `ReadBatchConfig`). */
export interface ReadBatchOptions extends CallOptions {
  /** Bytes the broker waits for before answering (default 1). */
  minBytes?: number;
  /** The most bytes the broker returns. */
  maxBytes?: number;
  /** How long the broker may wait for `minBytes` (default: 80% of `timeout`, else 10 s). */
  maxWait?: number;
  /** `read_committed` hides aborted and open transactions' records (default: uncommitted). */
  isolationLevel?: "read_uncommitted" | "read_committed";
}

/** Producer fields passed through to the record batch (idempotent or transactional writes). */
export interface WriteOptions extends CallOptions {
  /** The producer id from InitProducerId (default -1: none). */
  producerId?: bigint;
  /** The producer epoch from InitProducerId (default -1). */
  producerEpoch?: number;
  /** The sequence number of the batch's first record (default -1). */
  baseSequence?: number;
  /** Marks the batch as part of a transaction. */
  transactional?: boolean;
}

const CALL_OPTIONS: ReadonlySet<string> = new Set(["signal", "timeout"]);
const READ_BATCH_OPTIONS: ReadonlySet<string> = new Set([
  ...CALL_OPTIONS,
  ...["minBytes", "maxBytes", "maxWait", "isolationLevel"],
]);
const WRITE_OPTIONS: ReadonlySet<string> = new Set([
  ...CALL_OPTIONS,
  ...["producerId", "producerEpoch", "baseSequence", "transactional"],
]);

/** What a write reports: payload bytes (`payloadSize`), and where the batch landed. */
export interface WriteResult {
  /** Payload bytes written (keys, values and headers). */
  bytes: number;
  /** The partition written to. */
  partition: number;
  /** The base offset of the batch (-1 with acks 0, which gets no answer). */
  offset: number;
  /** The broker's append time when the topic uses log-append time, else `null`. */
  appendTime: Date | null;
}

const DEFAULT_MAX_WAIT = 10_000;

/**
 * A connection to one broker, like kafka-go's `Conn`. Open it with `dial`, `dialLeader` or
 * a {@linkcode Dialer}; a connection bound to a partition (from `dialLeader`) also writes
 * and reads messages of that partition at a tracked offset.
 *
 * @example
 * ```ts
 * import { dialLeader } from "@kafkit/kafkit";
 * await using conn = await dialLeader("127.0.0.1:9092", "my-topic", 0);
 * await conn.writeMessages([{ value: "one!" }, { value: "two!" }, { value: "three!" }]);
 * const batch = await conn.readBatch(10e3, 1e6);
 * for await (const m of batch) console.log(new TextDecoder().decode(m.value!));
 * ```
 */
export class Conn implements AsyncDisposable {
  readonly #connection: Connection;
  readonly #partition: Partition | undefined;
  readonly #transactionalId: string | null;
  #offset: number = FirstOffset;
  #requiredAcks = -1;
  /** Resolves when the open batch (if any) is closed. */
  #reading: Promise<void> = Promise.resolve();

  /** @internal Created by a `Dialer`. */
  constructor(
    connection: Connection,
    options: { transactionalId?: string; partition?: Partition },
  ) {
    this.#connection = connection;
    this.#partition = options.partition;
    this.#transactionalId = options.transactionalId ?? null;
  }

  /** The underlying protocol connection, for requests this API does not cover. */
  get connection(): Connection {
    return this.#connection;
  }

  /** The broker this connection is to (its id is known for partition connections). */
  broker(): Broker {
    const { host, port } = parseAddress(this.#connection.address);
    return {
      host,
      port,
      id: this.#partition?.leader.id ?? -1,
      rack: this.#partition?.leader.rack ?? null,
    };
  }

  /** The version ranges the broker supports for the APIs kafkit knows. */
  apiVersions(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return ALL_APIS.flatMap((api) => {
      const r = this.#connection.brokerVersions(api.key);
      return r ? [{ apiKey: api.key, minVersion: r.min, maxVersion: r.max }] : [];
    });
  }

  /** The brokers of the cluster. */
  async brokers(options: CallOptions = {}): Promise<Broker[]> {
    rejectUnknownOptions("Conn.brokers", options, CALL_OPTIONS);
    return brokersOf(await this.#connection.request(Metadata, metadataRequest([]), options));
  }

  /** The broker Metadata names as controller (in KRaft mode, a broker that forwards). */
  async controller(options: CallOptions = {}): Promise<Broker> {
    rejectUnknownOptions("Conn.controller", options, CALL_OPTIONS);
    const meta = await this.#connection.request(Metadata, metadataRequest([]), options);
    const broker = brokersOf(meta).find((b) => b.id === meta.controllerId);
    if (!broker) {
      throw new KafkaError(ErrorCodes.BROKER_NOT_AVAILABLE, {
        api: "Metadata",
        nodeId: meta.controllerId,
      });
    }
    return broker;
  }

  /** The partitions of `topics`, or of every topic when none are named. */
  async readPartitions(topics?: string[], options: CallOptions = {}): Promise<Partition[]> {
    rejectUnknownOptions("Conn.readPartitions", options, CALL_OPTIONS);
    const all = topics === undefined || topics.length === 0;
    const meta = await this.#connection.request(
      Metadata,
      metadataRequest(all ? null : topics),
      options,
    );
    return partitionsOf(meta);
  }

  /** Creates topics; one that already exists is not an error (as in kafka-go). */
  async createTopics(topics: TopicConfig[], options: CallOptions = {}): Promise<void> {
    rejectUnknownOptions("Conn.createTopics", options, CALL_OPTIONS);
    const timeoutMs = options.timeout ?? 30_000;
    const res = await this.#connection.request(
      CreateTopics,
      createTopicsRequest(topics, { timeoutMs }),
      { ...options, timeout: timeoutMs + 5_000 },
    );
    for (const t of res.topics) {
      if (t.errorCode === ErrorCodes.TOPIC_ALREADY_EXISTS) continue;
      const err = errorForCode(t.errorCode, {
        api: "CreateTopics",
        topic: t.name,
        brokerMessage: t.errorMessage,
      });
      if (err) throw err;
    }
  }

  /** Deletes topics by name. */
  async deleteTopics(topics: string[], options: CallOptions = {}): Promise<void> {
    rejectUnknownOptions("Conn.deleteTopics", options, CALL_OPTIONS);
    const timeoutMs = options.timeout ?? 30_000;
    const res = await this.#connection.request(
      DeleteTopics,
      deleteTopicsRequest(topics, timeoutMs),
      { ...options, timeout: timeoutMs + 5_000 },
    );
    for (const t of res.responses) {
      const err = errorForCode(t.errorCode, {
        api: "DeleteTopics",
        topic: t.name ?? undefined,
        brokerMessage: t.errorMessage,
      });
      if (err) throw err;
    }
  }

  /** Sets the acks writes wait for: -1 (all in-sync replicas, the default), 0 or 1. */
  setRequiredAcks(acks: number): void {
    if (acks !== -1 && acks !== 0 && acks !== 1) {
      throw new RangeError(`requiredAcks must be -1, 0 or 1, got ${acks}`);
    }
    this.#requiredAcks = acks;
  }

  /** Writes messages to the partition; resolves with their payload bytes (`payloadSize`). */
  async writeMessages(messages: MessageInput[], options: WriteOptions = {}): Promise<number> {
    rejectUnknownOptions("Conn.writeMessages", options, WRITE_OPTIONS);
    return (await this.writeCompressedMessagesAt(null, messages, options)).bytes;
  }

  /** Writes messages compressed with `codec`; resolves with the payload bytes. */
  async writeCompressedMessages(
    codec: CompressionName | CompressionCodec | null,
    messages: MessageInput[],
    options: WriteOptions = {},
  ): Promise<number> {
    rejectUnknownOptions("Conn.writeCompressedMessages", options, WRITE_OPTIONS);
    return (await this.writeCompressedMessagesAt(codec, messages, options)).bytes;
  }

  /** Writes messages and reports where the batch landed. */
  async writeMessagesAt(
    messages: MessageInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    rejectUnknownOptions("Conn.writeMessagesAt", options, WRITE_OPTIONS);
    return await this.writeCompressedMessagesAt(null, messages, options);
  }

  /** Writes messages compressed with `codec` and reports where the batch landed. */
  async writeCompressedMessagesAt(
    codec: CompressionName | CompressionCodec | null,
    messages: MessageInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    rejectUnknownOptions("Conn.writeCompressedMessagesAt", options, WRITE_OPTIONS);
    const p = this.#bound("write");
    if (messages.length === 0) return { bytes: 0, partition: p.id, offset: -1, appendTime: null };
    const now = Date.now();
    const records = messages.map((m) => toRecord(m, now));
    const batch = await encodeRecordBatch(records, {
      compression: codec ?? "none",
      producerId: options.producerId,
      producerEpoch: options.producerEpoch,
      baseSequence: options.baseSequence,
      transactional: options.transactional,
    });
    const bytes = records.reduce((n, r) => n + payloadSize(r), 0);
    const timeoutMs = options.timeout ?? 10_000;
    const sent = [{ topic: p.topic, topicId: p.topicId, partition: p.id, records: batch }];
    const request = buildProduceRequest(sent, {
      acks: this.#requiredAcks,
      timeoutMs,
      transactionalId: this.#transactionalId,
    });
    if (this.#requiredAcks === 0) {
      await this.#connection.sendWithoutResponse(Produce, request);
      return { bytes, partition: p.id, offset: -1, appendTime: null };
    }
    const res = await this.#connection.request(Produce, request, {
      signal: options.signal,
      timeout: timeoutMs + 5_000,
    });
    const outcome = classifyProduceResponse(res, sent)[0];
    if (outcome.kind !== "written") throw outcome.error;
    return { bytes, partition: p.id, offset: outcome.baseOffset, appendTime: outcome.appendTime };
  }

  /** The current offset and how it is expressed (always absolute here). */
  offset(): { offset: number; whence: number } {
    return { offset: this.#offset, whence: SeekAbsolute };
  }

  /**
   * Moves the read offset. `whence` is `SeekStart`, `SeekAbsolute`, `SeekEnd` (back from the
   * last offset) or `SeekCurrent`, optionally `| SeekDontCheck` to skip the range check.
   * Resolves with the new absolute offset; an offset outside the partition is a
   * `KafkaError` OFFSET_OUT_OF_RANGE.
   */
  async seek(offset: number, whence: number, options: CallOptions = {}): Promise<number> {
    rejectUnknownOptions("Conn.seek", options, CALL_OPTIONS);
    const dontCheck = (whence & SeekDontCheck) !== 0;
    const base = whence & ~SeekDontCheck;
    if (![SeekStart, SeekAbsolute, SeekEnd, SeekCurrent].includes(base)) {
      throw new RangeError(
        `whence must be SeekStart, SeekAbsolute, SeekEnd or SeekCurrent, got ${whence}`,
      );
    }
    if (!Number.isSafeInteger(offset)) {
      throw new RangeError(`offset must be a safe integer, got ${offset}`);
    }
    if (dontCheck && (base === SeekAbsolute || base === SeekCurrent)) {
      this.#offset = base === SeekAbsolute ? offset : this.#offset + offset;
      return this.#offset;
    }
    const { first, last } = await this.readOffsets(options);
    const target = base === SeekStart
      ? first + offset
      : base === SeekEnd
      ? last - offset
      : base === SeekCurrent
      ? this.#offset + offset
      : offset;
    if (!dontCheck && (target < first || target > last)) {
      const p = this.#bound("seek");
      throw new KafkaError(ErrorCodes.OFFSET_OUT_OF_RANGE, {
        api: "ListOffsets",
        topic: p.topic,
        partition: p.id,
      });
    }
    this.#offset = target;
    return target;
  }

  /** The first offset whose timestamp is at or after `time` (-1 if there is none). */
  async readOffset(time: Date | number, options: CallOptions = {}): Promise<number> {
    rejectUnknownOptions("Conn.readOffset", options, CALL_OPTIONS);
    return await this.#listOffset(
      BigInt(typeof time === "number" ? time : time.getTime()),
      options,
    );
  }

  /** The first offset still in the partition. */
  async readFirstOffset(options: CallOptions = {}): Promise<number> {
    rejectUnknownOptions("Conn.readFirstOffset", options, CALL_OPTIONS);
    return await this.#listOffset(-2n, options);
  }

  /** The offset after the last message (the log end offset). */
  async readLastOffset(options: CallOptions = {}): Promise<number> {
    rejectUnknownOptions("Conn.readLastOffset", options, CALL_OPTIONS);
    return await this.#listOffset(-1n, options);
  }

  /** Both ends of the partition. */
  async readOffsets(options: CallOptions = {}): Promise<{ first: number; last: number }> {
    rejectUnknownOptions("Conn.readOffsets", options, CALL_OPTIONS);
    const [first, last] = await Promise.all([
      this.readFirstOffset(options),
      this.readLastOffset(options),
    ]);
    return { first, last };
  }

  async #listOffset(timestamp: bigint, options: CallOptions): Promise<number> {
    const p = this.#bound("list offsets of");
    const res = await this.#connection.request(
      ListOffsets,
      listOffsetsRequest([{ topic: p.topic, partition: p.id, timestamp: Number(timestamp) }]),
      options,
    );
    const part = readListOffsets(res)[0];
    if (!part) {
      throw new KafkaError(ErrorCodes.UNKNOWN_SERVER_ERROR, { api: "ListOffsets", topic: p.topic });
    }
    if (part.error) throw part.error;
    return part.offset;
  }

  /** Fetches a batch at the current offset (kafka-go's `ReadBatch`). */
  async readBatch(minBytes: number, maxBytes: number, options: CallOptions = {}): Promise<Batch> {
    rejectUnknownOptions("Conn.readBatch", options, CALL_OPTIONS);
    return await this.readBatchWith({ ...options, minBytes, maxBytes });
  }

  /**
   * Fetches a batch at the current offset. The connection serves one batch at a time: the
   * next call waits until this batch is closed.
   */
  async readBatchWith(options: ReadBatchOptions = {}): Promise<Batch> {
    rejectUnknownOptions("Conn.readBatchWith", options, READ_BATCH_OPTIONS);
    const p = this.#bound("read");
    const minBytes = options.minBytes ?? 1;
    const maxBytes = options.maxBytes ?? 1 << 20;
    if (!(minBytes >= 0 && maxBytes >= 1 && minBytes <= maxBytes)) {
      throw new RangeError(
        `readBatch needs 0 <= minBytes <= maxBytes and maxBytes >= 1, got ${minBytes}, ${maxBytes}`,
      );
    }
    const previous = this.#reading;
    let release!: (offset: number) => void;
    this.#reading = new Promise((resolve) => {
      release = (offset) => {
        this.#offset = offset;
        resolve();
      };
    });
    await previous;
    try {
      if (this.#offset === FirstOffset) this.#offset = await this.#listOffset(-2n, options);
      else if (this.#offset === LastOffset) this.#offset = await this.#listOffset(-1n, options);
      return await this.#fetch(p, this.#offset, minBytes, maxBytes, options, release);
    } catch (e) {
      release(this.#offset);
      throw e;
    }
  }

  async #fetch(
    p: Partition,
    offset: number,
    minBytes: number,
    maxBytes: number,
    options: ReadBatchOptions,
    release: (offset: number) => void,
  ): Promise<Batch> {
    // Like kafka-go deriving the wait from the read deadline: most of the call's timeout.
    const maxWait = options.maxWait ??
      (options.timeout === undefined ? DEFAULT_MAX_WAIT : Math.floor(options.timeout * 0.8));
    const timeout = options.timeout ?? maxWait + 30_000;
    const committed = options.isolationLevel === "read_committed";
    const res = await this.#connection.request(
      Fetch,
      fetchRequest([{ topic: p.topic, topicId: p.topicId, partition: p.id, offset }], {
        minBytes,
        maxBytes,
        maxWait,
        readCommitted: committed,
      }),
      { signal: options.signal, timeout },
    );
    const part = res.responses[0]?.partitions[0];
    const highWaterMark = Number(part?.highWatermark ?? -1);
    const fields = { offset, throttle: res.throttleTimeMs, highWaterMark };
    const err = part
      ? errorForCode(part.errorCode, { api: "Fetch", topic: p.topic, partition: p.id })
      : errorForCode(res.errorCode, { api: "Fetch", topic: p.topic });
    if (err || !part) return new Batch([], { ...fields, err }, release);
    const { messages, endOffset } = await fetchedMessages(part, p.topic, p.id, offset, {
      readCommitted: committed,
      maxBytes,
    });
    return new Batch(messages, { ...fields, endOffset }, release);
  }

  /** Reads one message at the current offset (kafka-go's `ReadMessage`). */
  async readMessage(maxBytes: number, options: CallOptions = {}): Promise<Message> {
    rejectUnknownOptions("Conn.readMessage", options, CALL_OPTIONS);
    for (;;) {
      await using batch = await this.readBatch(1, maxBytes, options);
      const m = await batch.readMessage();
      if (m) return m;
    }
  }

  #bound(what: string): Partition {
    if (!this.#partition) {
      throw new TypeError(
        `cannot ${what} a connection that is not bound to a partition: use dialLeader`,
      );
    }
    return this.#partition;
  }

  /** Closes the connection. */
  close(): Promise<void> {
    this.#connection.close();
    return Promise.resolve();
  }

  /** Closes the connection (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
