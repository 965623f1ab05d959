// A tiny in-memory Kafka for unit tests, reached through the `connect` option: it answers
// ApiVersions, Metadata, InitProducerId and Produce, keeps each partition's log, and checks
// idempotent sequences as a broker does (a recent duplicate is answered with its first
// offset, a gap with OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch with INVALID_PRODUCER_EPOCH).
// A test injects faults per partition through `onProduce`. It is not a mock of Kafka's
// behaviour beyond that: integration tests use the real broker.

import type { Connect, Socket } from "../../mod.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../src/protocol/api.ts";
import { ApiVersions } from "../../src/protocol/generated/api_versions.ts";
import { InitProducerId } from "../../src/protocol/generated/init_producer_id.ts";
import { Metadata } from "../../src/protocol/generated/metadata.ts";
import {
  type PartitionProduceResponse,
  Produce,
  type ProduceRequest,
} from "../../src/protocol/generated/produce.ts";
import { readRequestHeader } from "../../src/protocol/generated/request_header.ts";
import { writeResponseHeader } from "../../src/protocol/generated/response_header.ts";
import { readRecordBatches } from "../../src/protocol/records.ts";
import { ByteReader } from "../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../src/wire/byte_writer.ts";

const APIS = [ApiVersions, Metadata, InitProducerId, Produce];

/** The producer fields and record count of a batch, read from its header. */
export interface BatchHeader {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  count: number;
}

/** What a test's `onProduce` hook may answer for one partition of a Produce. */
export type Fault =
  /** Answer with this error code; nothing is appended. */
  | { errorCode: number }
  /** Append the batch, then close the connection without answering (a lost answer). */
  | { dropAnswer: true }
  /** Append the batch and never answer, leaving the connection open (a hung broker). */
  | { noAnswer: true }
  | undefined;

/** One Produce the broker received. */
export interface ReceivedProduce {
  nodeId: number;
  version: number;
  partitions: { topic: string; partition: number; batch: BatchHeader }[];
}

interface Appended {
  header: BatchHeader;
  records: Uint8Array;
  baseOffset: number;
}

interface ProducerState {
  epoch: number;
  nextSequence: number;
  recent: { sequence: number; count: number; baseOffset: number }[];
}

/** A fake cluster of `brokers` nodes (ids 1..n) holding topics. */
export class FakeKafka {
  readonly topics = new Map<string, { id: string; leaders: number[] }>();
  readonly logs = new Map<string, Appended[]>();
  readonly produces: ReceivedProduce[] = [];
  readonly initProducerIds: { producerId: bigint; producerEpoch: number }[] = [];
  /** Sockets opened, and closed by the client. */
  readonly sockets = { opened: 0, closed: 0 };
  /** Decides a fault for a partition of a Produce (called before the sequence checks). */
  onProduce: (topic: string, partition: number, batch: BatchHeader, nodeId: number) => Fault = () =>
    undefined;
  readonly #brokers: number;
  #held: (() => void)[] | undefined;
  #arrivals: { count: number; resolve: () => void }[] = [];
  readonly #states = new Map<string, ProducerState>();
  #nextProducerId = 1000n;

  constructor(brokers = 1) {
    this.#brokers = brokers;
  }

  /** Holds Produce answers back until the returned function is called. */
  holdAnswers(): () => void {
    this.#held = [];
    return () => {
      const held = this.#held ?? [];
      this.#held = undefined;
      for (const send of held) send();
    };
  }

  /** Resolves once `count` Produce requests have arrived. */
  producesArrived(count: number): Promise<void> {
    if (this.produces.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#arrivals.push({ count, resolve }));
  }

  /** Bootstrap addresses. */
  get brokers(): string[] {
    return Array.from({ length: this.#brokers }, (_, i) => `fake:${i + 1}`);
  }

  /** Adds a topic; partition i is led by broker (i % brokers) + 1. */
  createTopic(name: string, partitions: number): void {
    const id = btoa(name.padEnd(16, "_").slice(0, 16)).replace(/=+$/, "").replace(/\+/g, "-")
      .replace(/\//g, "_");
    this.topics.set(name, {
      id,
      leaders: Array.from({ length: partitions }, (_, i) => (i % this.#brokers) + 1),
    });
  }

  /** The values in a partition's log, in offset order. */
  async values(topic: string, partition: number): Promise<string[]> {
    const out: string[] = [];
    for (const a of this.logs.get(`${topic}/${partition}`) ?? []) {
      for (const b of await readRecordBatches(a.records)) {
        for (const r of b.records) out.push(new TextDecoder().decode(r.value!));
      }
    }
    return out;
  }

  /** The batch headers in a partition's log, in offset order. */
  log(topic: string, partition: number): BatchHeader[] {
    return (this.logs.get(`${topic}/${partition}`) ?? []).map((a) => a.header);
  }

  /** The `connect` option: a socket to the broker the port names. */
  readonly connect: Connect = (options) => {
    const nodeId = options.port;
    if (nodeId < 1 || nodeId > this.#brokers) {
      return Promise.reject(new Error(`no fake broker ${nodeId}`));
    }
    this.sockets.opened++;
    return Promise.resolve(
      new FakeSocket(
        (frame, socket) => this.#handle(nodeId, frame, socket),
        () => this.sockets.closed++,
      ),
    );
  };

  #handle(nodeId: number, frame: Uint8Array, socket: FakeSocket): void {
    const view = new DataView(frame.buffer, frame.byteOffset);
    const api = APIS.find((a) => a.key === view.getInt16(0));
    if (!api) return socket.close();
    const version = view.getInt16(2);
    const r = new ByteReader(frame);
    const header = readRequestHeader(r, requestHeaderVersion(api, version));
    const w = new ByteWriter(256);
    const sizeAt = w.reserve(4);
    writeResponseHeader(
      w,
      { correlationId: header.correlationId },
      responseHeaderVersion(api, version),
    );
    switch (api.key) {
      case ApiVersions.key:
        ApiVersions.writeResponse(w, {
          errorCode: 0,
          apiKeys: APIS.map((a) => ({
            apiKey: a.key,
            minVersion: a.minVersion,
            maxVersion: a.maxVersion,
          })),
          throttleTimeMs: 0,
          supportedFeatures: [],
          finalizedFeaturesEpoch: -1n,
          finalizedFeatures: [],
          zkMigrationReady: false,
        }, version);
        break;
      case Metadata.key:
        Metadata.writeResponse(w, this.#metadata(Metadata.readRequest(r, version).topics), version);
        break;
      case InitProducerId.key: {
        const req = InitProducerId.readRequest(r, version);
        this.initProducerIds.push({
          producerId: req.producerId ?? -1n,
          producerEpoch: req.producerEpoch ?? -1,
        });
        // A bump keeps the id with the next epoch; a first request gets a new id.
        const bump = (req.producerId ?? -1n) >= 0n;
        InitProducerId.writeResponse(w, {
          throttleTimeMs: 0,
          errorCode: 0,
          producerId: bump ? req.producerId! : this.#nextProducerId++,
          producerEpoch: bump ? req.producerEpoch! + 1 : 0,
          ongoingTxnProducerId: -1n,
          ongoingTxnProducerEpoch: -1,
        }, version);
        break;
      }
      case Produce.key: {
        const res = this.#produce(nodeId, version, Produce.readRequest(r, version));
        if (res === "drop") return socket.close();
        if (res === "silent") return;
        Produce.writeResponse(w, res, version);
        break;
      }
    }
    w.patchInt32(sizeAt, w.length - 4);
    const answer = w.bytes();
    if (api.key === Produce.key && this.#held) this.#held.push(() => socket.push(answer));
    else socket.push(answer);
  }

  #metadata(topics: { name?: string | null }[] | null | undefined) {
    const names = topics == null ? [...this.topics.keys()] : topics.map((t) => t.name ?? "");
    return {
      throttleTimeMs: 0,
      brokers: this.brokers.map((_, i) => ({
        nodeId: i + 1,
        host: "fake",
        port: i + 1,
        rack: null,
      })),
      clusterId: "fake-cluster",
      controllerId: 1,
      clusterAuthorizedOperations: 0,
      errorCode: 0,
      topics: names.map((name) => {
        const t = this.topics.get(name);
        return {
          errorCode: t ? 0 : 3,
          name,
          topicId: t?.id ?? "AAAAAAAAAAAAAAAAAAAAAA",
          isInternal: false,
          topicAuthorizedOperations: 0,
          partitions: (t?.leaders ?? []).map((leaderId, partitionIndex) => ({
            errorCode: 0,
            partitionIndex,
            leaderId,
            leaderEpoch: 0,
            replicaNodes: [leaderId],
            isrNodes: [leaderId],
            offlineReplicas: [],
          })),
        };
      }),
    };
  }

  #produce(nodeId: number, version: number, req: ProduceRequest) {
    const received: ReceivedProduce = { nodeId, version, partitions: [] };
    this.produces.push(received);
    for (const a of this.#arrivals.filter((a) => a.count <= this.produces.length)) a.resolve();
    let drop = false;
    let silent = false;
    const responses = (req.topicData ?? []).map((t) => {
      const name = t.name || [...this.topics].find(([, v]) => v.id === t.topicId)?.[0] || "";
      return {
        name: t.name ?? "",
        topicId: t.topicId ?? "",
        partitionResponses: (t.partitionData ?? []).map((p): PartitionProduceResponse => {
          const header = readHeader(p.records!);
          const partition = p.index ?? 0;
          received.partitions.push({ topic: name, partition, batch: header });
          const fault = this.onProduce(name, partition, header, nodeId);
          let answer: { errorCode: number; baseOffset: number };
          if (fault && "errorCode" in fault) {
            answer = { errorCode: fault.errorCode, baseOffset: -1 };
          } else answer = this.#append(`${name}/${partition}`, header, p.records!);
          if (fault && "dropAnswer" in fault) drop = true;
          if (fault && "noAnswer" in fault) silent = true;
          return {
            index: partition,
            errorCode: answer.errorCode,
            baseOffset: BigInt(answer.baseOffset),
            logAppendTimeMs: -1n,
            logStartOffset: 0n,
            recordErrors: [],
            errorMessage: null,
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
          };
        }),
      };
    });
    if (drop) return "drop" as const;
    if (silent) return "silent" as const;
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  }

  /** Appends a batch after the idempotence checks a broker makes. */
  #append(
    key: string,
    h: BatchHeader,
    records: Uint8Array,
  ): { errorCode: number; baseOffset: number } {
    const log = this.logs.get(key) ?? [];
    this.logs.set(key, log);
    const next = () => log.reduce((n, a) => n + a.header.count, 0);
    if (h.producerId < 0n) {
      const baseOffset = next();
      log.push({ header: h, records, baseOffset });
      return { errorCode: 0, baseOffset };
    }
    const stateKey = `${key}/${h.producerId}`;
    const state = this.#states.get(stateKey);
    if (state && h.producerEpoch < state.epoch) return { errorCode: 47, baseOffset: -1 }; // INVALID_PRODUCER_EPOCH
    if (state && h.producerEpoch === state.epoch) {
      const dup = state.recent.find((b) => b.sequence === h.baseSequence && b.count === h.count);
      if (dup) return { errorCode: 0, baseOffset: dup.baseOffset };
      if (h.baseSequence !== state.nextSequence) return { errorCode: 45, baseOffset: -1 }; // OUT_OF_ORDER
    } else if (h.baseSequence !== 0) {
      return { errorCode: 45, baseOffset: -1 };
    }
    const baseOffset = next();
    log.push({ header: h, records, baseOffset });
    const s: ProducerState = state && state.epoch === h.producerEpoch
      ? state
      : { epoch: h.producerEpoch, nextSequence: 0, recent: [] };
    s.nextSequence = h.baseSequence + h.count;
    s.recent = [...s.recent, { sequence: h.baseSequence, count: h.count, baseOffset }].slice(-5);
    this.#states.set(stateKey, s);
    return { errorCode: 0, baseOffset };
  }

  /** Forgets every producer's state (as a broker whose producer state expired). */
  forgetProducers(): void {
    this.#states.clear();
  }
}

function readHeader(batch: Uint8Array): BatchHeader {
  const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  return {
    producerId: v.getBigInt64(43),
    producerEpoch: v.getInt16(51),
    baseSequence: v.getInt32(53),
    count: v.getInt32(57),
  };
}

/** One connection: request frames in, answer frames out. */
class FakeSocket implements Socket {
  readonly #handle: (frame: Uint8Array, socket: FakeSocket) => void;
  readonly #onClose: () => void;
  #input = new Uint8Array(0);
  readonly #output: Uint8Array[] = [];
  #reader: ((chunk: Uint8Array | null) => void) | undefined;
  #closed = false;

  constructor(handle: (frame: Uint8Array, socket: FakeSocket) => void, onClose: () => void) {
    this.#handle = handle;
    this.#onClose = onClose;
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("socket closed"));
    const joined = new Uint8Array(this.#input.length + data.length);
    joined.set(this.#input);
    joined.set(data, this.#input.length);
    this.#input = joined;
    while (this.#input.length >= 4 && !this.#closed) {
      const size = new DataView(this.#input.buffer).getInt32(0);
      if (this.#input.length < 4 + size) break;
      const frame = this.#input.slice(4, 4 + size);
      this.#input = this.#input.slice(4 + size);
      this.#handle(frame, this);
    }
    return Promise.resolve();
  }

  /** Queues an answer frame for the client. */
  push(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#reader) {
      const r = this.#reader;
      this.#reader = undefined;
      r(frame);
    } else this.#output.push(frame);
  }

  read(): Promise<Uint8Array | null> {
    const next = this.#output.shift();
    if (next) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.#reader = resolve));
  }

  close(): void {
    if (!this.#closed) this.#onClose();
    this.#closed = true;
    const r = this.#reader;
    this.#reader = undefined;
    r?.(null);
  }
}
