// One partition's queue of messages waiting to be sent. Messages collect until a batch is
// full (batchSize messages or batchBytes) or batchTimeout passes; one batch per partition is
// in flight at a time, which keeps the partition's order and makes retries safe for the
// idempotent producer. While a batch is in flight the next one fills up.

import type { MessageInput } from "../message.ts";
import type { RecordInput } from "../protocol/records.ts";

/** A writeMessages call waiting for its messages. */
export class WriteCall {
  remaining: number;
  readonly errors: (Error | undefined)[];
  readonly done: Promise<void>;
  #resolve!: () => void;

  constructor(count: number) {
    this.remaining = count;
    this.errors = new Array(count);
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    if (count === 0) this.#resolve();
  }

  /** Records the outcome of message `index`. */
  settle(index: number, error: Error | undefined): void {
    if (error) this.errors[index] = error;
    if (--this.remaining === 0) this.#resolve();
  }
}

/** A message in a queue, with the call it belongs to. */
export interface Entry {
  message: MessageInput;
  record: RecordInput;
  bytes: number;
  call: WriteCall;
  index: number;
  enqueuedAt: number;
}

/** Limits that seal a batch. */
export interface QueueLimits {
  batchSize: number;
  batchBytes: number;
  batchTimeout: number;
}

/** Sends a sealed batch; settles when the batch is delivered or has failed for good. */
export type SendBatch = (queue: PartitionQueue, batch: Entry[]) => Promise<void>;

/** The queue of one topic-partition. */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly #limits: QueueLimits;
  readonly #send: SendBatch;
  #pending: Entry[] = [];
  #pendingBytes = 0;
  #inFlight = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Send at once, ignoring batchTimeout (set while flushing or closing). */
  urgent = false;

  constructor(topic: string, partition: number, limits: QueueLimits, send: SendBatch) {
    this.topic = topic;
    this.partition = partition;
    this.key = `${topic}\u0000${partition}`;
    this.#limits = limits;
    this.#send = send;
  }

  /** Messages waiting or in flight. */
  get idle(): boolean {
    return !this.#inFlight && this.#pending.length === 0;
  }

  add(entry: Entry): void {
    this.#pending.push(entry);
    this.#pendingBytes += entry.bytes;
    this.#schedule();
  }

  /**
   * Sends now if a batch is full (or urgent); otherwise arms the batch timer, even when the
   * linger has already passed, so that every message a call adds in one go joins the batch.
   */
  #schedule(): void {
    if (this.#inFlight || this.#pending.length === 0) return;
    const full = this.#pending.length >= this.#limits.batchSize ||
      this.#pendingBytes >= this.#limits.batchBytes;
    if (full || this.urgent) {
      this.#sendNext();
    } else if (this.#timer === undefined) {
      const waited = Date.now() - this.#pending[0].enqueuedAt;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#inFlight && this.#pending.length > 0) this.#sendNext();
      }, Math.max(0, this.#limits.batchTimeout - waited));
    }
  }

  /** Flushes what is waiting without further delay. */
  hurry(): void {
    this.urgent = true;
    this.#schedule();
  }

  #sendNext(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    let count = 0;
    let bytes = 0;
    while (
      count < this.#pending.length && count < this.#limits.batchSize &&
      (count === 0 || bytes + this.#pending[count].bytes <= this.#limits.batchBytes)
    ) {
      bytes += this.#pending[count].bytes;
      count++;
    }
    const batch = this.#pending.splice(0, count);
    this.#pendingBytes -= bytes;
    this.#inFlight = true;
    this.#send(this, batch).finally(() => {
      this.#inFlight = false;
      this.#schedule();
    });
  }
}
