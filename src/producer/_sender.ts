// The Writer's sender: drains every sendable batch led by one broker into one Produce
// request for that broker (one batch per partition and request), keeps up to maxInFlight
// batches in flight per partition in sequence order, and takes each batch through the one
// retry helper until it is written or fails for good: a non-retriable error, its messages'
// deliveryTimeout (the retries' time budget), the optional attempt cap, or the writer
// closing. A Produce that times out or whose connection fails drops that connection and
// refreshes the topics' metadata; a batch is then sent again byte for byte, so the broker
// deduplicates it by its sequence numbers.
//
// A batch whose time is up fails before its next attempt, never while it is in flight: its
// answer is awaited (the request has its own timeout). With idempotence, an expired batch
// that had been sent leaves its sequence numbers in doubt; the batches after it keep theirs,
// and the broker settles it — it accepts the next one if the expired batch was written, or
// answers OUT_OF_ORDER_SEQUENCE_NUMBER if not, which (on the partition's oldest batch)
// bumps the epoch and numbers the rest again from 0. Nothing is written twice either way.

import type { Cluster } from "../cluster/cluster.ts";
import {
  buildProduceRequest,
  classifyProduceResponse,
  type PartitionBatch,
  type PartitionOutcome,
  PRODUCER_STATE_LOST,
} from "../cluster/requests/produce.ts";
import { isRetriable, retry } from "../_async/retry.ts";
import { abortError } from "../_async/abortable.ts";
import { ConnectionError, TimeoutError } from "../errors.ts";
import { DeliveryTimeoutError } from "./errors.ts";
import type { Connection } from "../transport/connection.ts";
import type { CompressionCodec } from "../protocol/compression/codec.ts";
import { KafkaError } from "../protocol/errors.ts";
import { Produce } from "../protocol/generated/produce.ts";
import { encodeRecordBatch } from "../protocol/records.ts";
import type { ProducerIds } from "./_idempotence.ts";
import { PartitionPipeline, ProducerBatch } from "./_partition_pipeline.ts";
import type { BatchSink, Entry, PartitionQueue } from "./_partition_queue.ts";
import type { WriterCounters } from "./_stats.ts";

/** What the sender needs. */
export interface SenderOptions {
  cluster: Cluster;
  /** The idempotent producer's ids; undefined for plain writes. */
  producerIds: ProducerIds | undefined;
  /**
   * A transactional producer's transaction: each batch goes only once `beforeSend` resolves
   * (v1 adds its partition to the transaction), Produce carries the transactional id and is
   * capped at `produceMaxVersion`, and only the coordinator gives out new epochs (a lost
   * sequence fails the batch, and with it the transaction).
   */
  transaction?: {
    transactionalId: string;
    beforeSend(topic: string, partition: number): Promise<void>;
    produceMaxVersion(): number | undefined;
  };
  acks: -1 | 0 | 1;
  writeTimeout: number;
  codec: CompressionCodec | undefined;
  maxInFlight: number;
  /** Attempts per batch (`Infinity`: time alone bounds them). */
  maxAttempts: number;
  /** A message's time from acceptance to acknowledgement, in ms. */
  deliveryTimeout: number;
  /**
   * Aborts every batch (the writer is closing): each fails at once with
   * `closedError(its last error)`, in flight or not.
   */
  signal: AbortSignal;
  closedError: (lastError: unknown) => Error;
  backoff: { backoffMin: number; backoffMax: number };
  counters: WriterCounters;
  log: (message: string) => void;
  /**
   * A batch is done: written at `baseOffset` (-1 when the broker does not say, with acks 0)
   * or failed for good with `error`. Called once per batch.
   */
  completed: (
    queue: PartitionQueue,
    entries: Entry[],
    error: Error | undefined,
    baseOffset: number,
  ) => void;
}

/** One sent batch, where it went. */
interface Sent {
  pipeline: PartitionPipeline;
  batch: ProducerBatch;
  topicId: string;
}

/** Sends sealed batches (the queues' {@linkcode BatchSink}). */
export class Sender implements BatchSink {
  readonly #o: SenderOptions;
  readonly #pipelines = new Map<string, PartitionPipeline>();
  /** Lost-sequence errors a transactional batch must not retry (see `#complete`). */
  readonly #lostForGood = new WeakSet<object>();
  #scheduled = false;
  #draining = false;
  #again = false;

  constructor(options: SenderOptions) {
    this.#o = options;
    options.signal.addEventListener("abort", () => this.#abortAll(), { once: true });
  }

  hasRoom(queue: PartitionQueue): boolean {
    return this.#pipeline(queue).hasRoom;
  }

  send(queue: PartitionQueue, entries: Entry[]): void {
    const pipeline = this.#pipeline(queue);
    const batch = new ProducerBatch(entries);
    pipeline.add(batch);
    void this.#deliver(queue, pipeline, batch);
  }

  #pipeline(queue: PartitionQueue): PartitionPipeline {
    let p = this.#pipelines.get(queue.key);
    if (!p) {
      p = new PartitionPipeline(queue.topic, queue.partition, this.#o.maxInFlight);
      this.#pipelines.set(queue.key, p);
    }
    return p;
  }

  /** Takes a batch through its attempts; reports it exactly once. */
  async #deliver(queue: PartitionQueue, pipeline: PartitionPipeline, batch: ProducerBatch) {
    let error: Error | undefined;
    let baseOffset = -1;
    try {
      baseOffset = await retry(() => this.#attempt(pipeline, batch), {
        attempts: this.#o.maxAttempts,
        ...this.#o.backoff,
        until: batch.deadline,
        timeUp: (e) => new DeliveryTimeoutError(this.#o.deliveryTimeout, e),
        signal: this.#o.signal,
        isRetriable: (e) => this.#isRetriable(e),
        onRetry: (e, attempt, wait) => {
          pipeline.lastError = e;
          this.#o.counters.retries++;
          this.#o.counters.waitTime.observe(wait);
          this.#o.log(
            `retrying ${queue.topic}/${queue.partition} after ${messageOf(e)} (attempt ${attempt})`,
          );
        },
      });
    } catch (e) {
      // A backoff cut short by the close ends with the signal's abort error.
      const why = this.#o.signal.aborted && e === abortError(this.#o.signal)
        ? this.#o.closedError(batch.lastError)
        : e;
      error = why instanceof Error ? why : new Error(String(why));
    }
    pipeline.remove(batch);
    this.#o.completed(queue, batch.entries, error, baseOffset);
    queue.wake();
    this.#wake();
  }

  /** One attempt: the batch waits for the next drain; settles with its answer. */
  #attempt(pipeline: PartitionPipeline, batch: ProducerBatch): Promise<number> {
    if (Date.now() >= batch.deadline) return Promise.reject(this.#expired(pipeline, batch));
    return new Promise((resolve, reject) => {
      batch.attempt = { resolve, reject };
      batch.state = "waiting";
      this.#wake();
    });
  }

  /** The error of a batch whose time ran out before an attempt. */
  #expired(pipeline: PartitionPipeline, batch: ProducerBatch): DeliveryTimeoutError {
    // A batch that never went out waited behind its partition's failing ones: say why.
    return new DeliveryTimeoutError(
      this.#o.deliveryTimeout,
      batch.lastError ?? pipeline.lastError,
    );
  }

  /** The writer is closing for good: every batch fails now, in flight or not. */
  #abortAll(): void {
    for (const pipeline of this.#pipelines.values()) {
      for (const batch of pipeline.batches) {
        batch.state = "backoff";
        batch.attempt?.reject(this.#o.closedError(batch.lastError));
      }
    }
  }

  #isRetriable(e: unknown): boolean {
    if (e instanceof DeliveryTimeoutError || this.#o.signal.aborted) return false;
    if (isRetriable(e)) return true;
    // The sequence starts over (epoch bump), or the error echoes an earlier batch's failure.
    return this.#o.producerIds !== undefined && !this.#lostForGood.has(e as object) &&
      e instanceof KafkaError && PRODUCER_STATE_LOST.has(e.code);
  }

  /**
   * Drains on a microtask: batches sealed in the same turn share their brokers' requests, and
   * those sealed while a drain is under way go together in the next one. (A timer would cost
   * a millisecond or more per batch: a third of the throughput with one batch in flight.)
   */
  #wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#again = false;
        await this.#drainOnce();
      } while (this.#again);
    } finally {
      this.#draining = false;
    }
  }

  /** Every sendable batch, grouped by its leader; one Produce per broker. */
  async #drainOnce(): Promise<void> {
    if (this.#o.signal.aborted) return;
    // Per broker, a list of requests: a partition's k-th batch goes in request k.
    const byNode = new Map<number, Sent[][]>();
    const taken: Sent[] = [];
    const due: { pipeline: PartitionPipeline; ready: ProducerBatch[] }[] = [];
    const now = Date.now();
    for (const pipeline of this.#pipelines.values()) {
      if (pipeline.needsNewEpoch) {
        if (pipeline.inFlight === 0 && !pipeline.bumping) void this.#bump(pipeline);
        continue;
      }
      const ready = pipeline.sendable();
      // A batch whose time ran out while it waited to go fails unsent; those behind it wait
      // for the next drain (once it has left the pipeline).
      const expired = ready.findIndex((b) => now >= b.deadline);
      if (expired >= 0) {
        this.#fail(ready[expired], this.#expired(pipeline, ready[expired]));
        ready.length = expired;
      }
      if (ready.length > 0) due.push({ pipeline, ready });
    }
    // Leaders come from the cached metadata; a stale topic costs one shared refresh.
    const leaders = await Promise.all(due.map(async ({ pipeline, ready }) => {
      try {
        const leader = await this.#o.cluster.leader(pipeline.topic, pipeline.partition);
        await this.#o.transaction?.beforeSend(pipeline.topic, pipeline.partition);
        await this.#number(pipeline, ready);
        return leader;
      } catch (e) {
        // Only the first waits out a backoff; the rest stay queued behind it.
        this.#fail(ready[0], e);
        return undefined;
      }
    }));
    due.forEach(({ pipeline, ready }, i) => {
      const leader = leaders[i];
      if (!leader) return;
      const requests = byNode.get(leader.nodeId) ?? [];
      byNode.set(leader.nodeId, requests);
      ready.forEach((batch, k) => {
        batch.state = "inFlight"; // taken: no bump renumbers it now
        const sent = { pipeline, batch, topicId: leader.topicId };
        (requests[k] ??= []).push(sent);
        taken.push(sent);
      });
    });
    const failed = new Set<Sent>();
    await Promise.all(taken.map((sent) =>
      this.#encode(sent.batch).catch((e) => {
        failed.add(sent);
        this.#fail(sent.batch, e);
      })
    ));
    for (const [nodeId, requests] of byNode) {
      const ok = requests.map((r) => r.filter((sent) => this.#keep(sent, failed)));
      void this.#produceAll(nodeId, ok.filter((r) => r.length > 0));
    }
  }

  /** Gives the batches their sequence numbers (idempotent writes), in order. */
  async #number(pipeline: PartitionPipeline, batches: ProducerBatch[]): Promise<void> {
    const ids = this.#o.producerIds;
    if (!ids || batches.every((b) => b.identity)) return;
    const current = await ids.current();
    for (const b of batches) pipeline.assignSequence(b, current);
  }

  /** Encodes a batch, unless a retry already has its bytes. */
  async #encode(batch: ProducerBatch): Promise<void> {
    batch.encoded ??= await encodeRecordBatch(batch.records, {
      compression: this.#o.codec ?? "none",
      ...batch.identity,
      transactional: this.#o.transaction !== undefined,
    });
  }

  /**
   * Whether a taken batch still goes: not when it failed to encode, nor when an earlier batch
   * of its partition did (it goes back to waiting, behind that one).
   */
  #keep(sent: Sent, failed: Set<Sent>): boolean {
    if (failed.has(sent)) return false;
    if (sent.batch.state !== "inFlight") return false;
    const earlierFailed = sent.pipeline.batches.some((b) =>
      b.state === "backoff" &&
      sent.pipeline.batches.indexOf(b) < sent.pipeline.batches.indexOf(sent.batch)
    );
    if (earlierFailed) {
      sent.batch.state = "waiting";
      this.#wake();
      return false;
    }
    return true;
  }

  /**
   * Sends a broker's requests in order on its produce connection: the broker handles one
   * connection's requests in order, so a partition's batches arrive in sequence order.
   */
  async #produceAll(nodeId: number, requests: Sent[][]): Promise<void> {
    let conn: Connection;
    try {
      conn = await this.#o.cluster.connection(nodeId, "produce");
    } catch (e) {
      for (const sent of requests) this.#failed(nodeId, sent, e);
      return;
    }
    for (const sent of requests) void this.#produce(conn, nodeId, sent);
  }

  /** Build, send, classify, complete: one Produce to one broker. */
  async #produce(conn: Connection, nodeId: number, sent: Sent[]): Promise<void> {
    const data = sent.map((s): PartitionBatch => ({
      topic: s.pipeline.topic,
      topicId: s.topicId,
      partition: s.pipeline.partition,
      records: s.batch.encoded!,
    }));
    const txn = this.#o.transaction;
    const body = buildProduceRequest(data, {
      acks: this.#o.acks,
      timeoutMs: this.#o.writeTimeout,
      transactionalId: txn?.transactionalId,
    });
    const started = Date.now();
    let outcomes: PartitionOutcome[];
    try {
      if (this.#o.acks === 0) {
        await conn.sendWithoutResponse(Produce, body);
        outcomes = data.map(() => WRITTEN_UNACKNOWLEDGED);
      } else {
        const version = txn ? conn.negotiate(Produce, txn.produceMaxVersion()) : undefined;
        const res = await conn.request(Produce, body, {
          timeout: this.#o.writeTimeout + 5_000,
          version,
        });
        outcomes = classifyProduceResponse(res, data);
      }
    } catch (e) {
      return this.#failed(nodeId, sent, e);
    }
    this.#o.counters.writeTime.observe(Date.now() - started);
    sent.forEach((s, i) => this.#complete(s, outcomes[i]));
  }

  /** A request failed as a whole: a dead connection is dropped and the leaders looked up. */
  #failed(nodeId: number, sent: Sent[], error: unknown): void {
    if (error instanceof ConnectionError || error instanceof TimeoutError) {
      // Its other requests fail too, and are sent again on a new connection.
      this.#o.cluster.brokerFailed(nodeId, "produce");
      for (const s of sent) this.#o.cluster.invalidate(s.pipeline.topic);
    }
    for (const s of sent) this.#fail(s.batch, error);
  }

  /** Settles a sent batch's attempt from its outcome. */
  #complete(s: Sent, outcome: PartitionOutcome): void {
    const { pipeline, batch } = s;
    switch (outcome.kind) {
      case "written":
        // Out of the pipeline at once: left in it, it would look like a failed earlier batch to
        // the batches behind it until it is reported.
        pipeline.remove(batch);
        batch.attempt?.resolve(outcome.baseOffset);
        return;
      case "retriable":
        if (outcome.leaderMoved) this.#o.cluster.invalidate(pipeline.topic);
        break;
      case "producerStateLost":
        // Lost state, unless an older batch of the partition failed first (then this is its
        // echo): start a new epoch before sending more.
        if (pipeline.isOldest(batch) && this.#o.transaction) {
          // Only the coordinator gives a transactional producer a new epoch: the batch fails,
          // and with it the transaction (its abort brings the new epoch).
          this.#lostForGood.add(outcome.error);
        } else if (pipeline.isOldest(batch) && this.#o.producerIds) {
          this.#o.log(
            `producer state lost on ${pipeline.topic}/${pipeline.partition} (${outcome.error.errorName}); bumping the epoch`,
          );
          pipeline.needsNewEpoch = true;
        }
        break;
    }
    this.#fail(batch, outcome.error);
  }

  /** Ends an attempt with `error`; the batch blocks those after it until its retry. */
  #fail(batch: ProducerBatch, error: unknown): void {
    batch.state = "backoff";
    if (!(error instanceof DeliveryTimeoutError)) batch.lastError = error;
    batch.attempt?.reject(error);
  }

  /** A new epoch for a partition whose state the broker lost; its batches are renumbered. */
  async #bump(pipeline: PartitionPipeline): Promise<void> {
    pipeline.bumping = true;
    try {
      const ids = this.#o.producerIds!;
      const stale = pipeline.identity ?? await ids.current();
      pipeline.restartSequences(await ids.bump(stale));
    } catch (e) {
      // The bump failed: the batches are numbered afresh under the identity the next send
      // asks for (a new producer id), or wait out their backoff while none can be had.
      pipeline.needsNewEpoch = false;
      for (const b of pipeline.batches) {
        b.identity = undefined;
        b.encoded = undefined;
      }
      this.#o.log(`epoch bump failed: ${messageOf(e)}`);
    } finally {
      pipeline.bumping = false;
      this.#wake();
    }
  }
}

/** What acks 0 tells: nothing, so the batch counts as written. */
const WRITTEN_UNACKNOWLEDGED: PartitionOutcome = {
  kind: "written",
  baseOffset: -1,
  appendTime: null,
  duplicate: false,
};

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
