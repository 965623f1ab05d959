// Produce and InitProducerId handlers for the fake cluster of `_fake_broker.ts`: each
// partition keeps a log, and idempotent sequences are checked as a broker does (a recent
// duplicate is answered with its first offset, a gap with OUT_OF_ORDER_SEQUENCE_NUMBER, an
// old epoch with INVALID_PRODUCER_EPOCH). A test injects faults per partition through
// `onProduce`. Integration tests use the real broker for anything beyond that.

import {
  InitProducerId,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from "../../src/protocol/generated/init_producer_id.ts";
import {
  type PartitionProduceResponse,
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from "../../src/protocol/generated/produce.ts";
import { readRecordBatches } from "../../src/protocol/records.ts";
import { FakeKafka, never, type RequestContext } from "./_fake_broker.ts";

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

/** A fake cluster of `brokers` nodes (ids 1..n) that keeps what is produced to it. */
export class ProduceKafka extends FakeKafka {
  readonly logs = new Map<string, Appended[]>();
  readonly produces: ReceivedProduce[] = [];
  readonly initProducerIds: { producerId: bigint; producerEpoch: number }[] = [];
  /** Decides a fault for a partition of a Produce (called before the sequence checks). */
  onProduce: (topic: string, partition: number, batch: BatchHeader, nodeId: number) => Fault = () =>
    undefined;
  #held: (() => void)[] | undefined;
  #arrivals: { count: number; resolve: () => void }[] = [];
  readonly #states = new Map<string, ProducerState>();
  #nextProducerId = 1000n;

  constructor(brokers = 1) {
    super(Array.from({ length: brokers }, (_, i) => i + 1));
    this.on(InitProducerId, (req) => this.#initProducerId(req));
    this.on(Produce, (req, ctx) => this.#produce(req, ctx));
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

  /** Forgets every producer's state (as a broker whose producer state expired). */
  forgetProducers(): void {
    this.#states.clear();
  }

  #initProducerId(req: InitProducerIdRequest): InitProducerIdResponse {
    this.initProducerIds.push({
      producerId: req.producerId ?? -1n,
      producerEpoch: req.producerEpoch ?? -1,
    });
    // A bump keeps the id with the next epoch; a first request gets a new id.
    const bump = (req.producerId ?? -1n) >= 0n;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: bump ? req.producerId! : this.#nextProducerId++,
      producerEpoch: bump ? req.producerEpoch! + 1 : 0,
      ongoingTxnProducerId: -1n,
      ongoingTxnProducerEpoch: -1,
    };
  }

  #produce(req: ProduceRequest, ctx: RequestContext): ProduceResponse | Promise<ProduceResponse> {
    const received: ReceivedProduce = { nodeId: ctx.node.id, version: ctx.version, partitions: [] };
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
          const fault = this.onProduce(name, partition, header, ctx.node.id);
          const answer = fault && "errorCode" in fault
            ? { errorCode: fault.errorCode, baseOffset: -1 }
            : this.#append(`${name}/${partition}`, header, p.records!);
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
    if (drop) ctx.socket.close();
    if (drop || silent) return never();
    const res = { responses, throttleTimeMs: 0, nodeEndpoints: [] };
    const held = this.#held;
    return held ? new Promise((resolve) => held.push(() => resolve(res))) : res;
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
