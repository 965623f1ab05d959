// One partition's queue of messages waiting to be sent. Messages collect until a batch is
// full (batchSize messages or batchBytes) or batchTimeout passes; a batch is sealed only
// while the sender has room for it (maxInFlight sealed batches per partition), so while the
// sender is busy the next batch fills up. The lingers of all of a Writer's queues run on one
// LingerClock, so batches due together are sealed in one callback and share one drain (one
// Produce per broker).

import type { MessageInput } from "../message.ts";
import type { RecordInput } from "../protocol/records.ts";
import { type DeliveryReport, reportOf } from "./delivery_report.ts";

/** A writeMessages call waiting for its messages. */
export class WriteCall {
  readonly messages: readonly MessageInput[];
  /**
   * When its messages fail if not acknowledged (ms since the epoch): their acceptance plus
   * deliveryTimeout. Kept per call, not per message (a number field per entry costs an
   * allocation each).
   */
  readonly deadline: number;
  /** One entry per message, unset until it fails (`WriteErrors` makes it dense). */
  readonly errors: (Error | undefined)[];
  /** Messages that failed so far. */
  failed = 0;
  remaining: number;
  readonly done: Promise<void>;
  /** One delivery report per message, when the caller asked for them (`Writer.deliver`). */
  readonly reports: DeliveryReport[] | undefined;
  #resolve!: () => void;

  constructor(messages: readonly MessageInput[], deadline: number, withReports = false) {
    this.messages = messages;
    this.deadline = deadline;
    this.remaining = messages.length;
    this.errors = new Array(messages.length);
    this.reports = withReports ? new Array(messages.length) : undefined;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    if (messages.length === 0) this.#resolve();
  }

  /**
   * Records the outcome of message `index`: written to `topic`/`partition` at `offset`
   * (-1 when unknown), or failed with `error`.
   */
  settle(
    index: number,
    error: Error | undefined,
    topic: string,
    partition: number,
    offset: number,
  ): void {
    if (error) {
      this.errors[index] = error;
      this.failed++;
    }
    if (this.reports) {
      this.reports[index] = reportOf(this.messages[index], topic, partition, offset, error);
    }
    if (--this.remaining === 0) this.#resolve();
  }
}

/** A message in a queue, with the call it belongs to. */
export interface Entry {
  message: MessageInput;
  record: RecordInput;
  /** Its payload bytes (`payloadSize`), which batchBytes and the buffer budget count. */
  bytes: number;
  call: WriteCall;
  index: number;
  enqueuedAt: number;
  /** When its batch was sealed (set on a batch's first entry). */
  sealedAt?: number;
}

/** Limits that seal a batch. */
export interface QueueLimits {
  batchSize: number;
  batchBytes: number;
  batchTimeout: number;
}

/** Where sealed batches go. */
export interface BatchSink {
  /** Whether the sender takes another batch of this partition now. */
  hasRoom(queue: PartitionQueue): boolean;
  /** Takes a sealed batch; the sender calls `wake()` once it has room again. */
  send(queue: PartitionQueue, batch: Entry[]): void;
}

/**
 * One timer for many queues: each queue asks to be called back when its linger ends; queues
 * due within a millisecond of each other are called back together.
 */
export class LingerClock {
  readonly #due = new Map<PartitionQueue, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Infinity;

  /** Calls `queue.lingerEnded()` at `at` (ms since the epoch), replacing an earlier request. */
  schedule(queue: PartitionQueue, at: number): void {
    this.#due.set(queue, at);
    if (at < this.#armedFor) this.#arm(at);
  }

  /** Forgets `queue`'s request (it sealed its batch meanwhile). */
  cancel(queue: PartitionQueue): void {
    this.#due.delete(queue);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [queue, at] of this.#due) {
      if (at <= now + 1) {
        this.#due.delete(queue);
        queue.lingerEnded();
      } else if (at < next) next = at;
    }
    if (next < Infinity && next < this.#armedFor) this.#arm(next);
  }
}

/** The queue of one topic-partition. */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly #limits: QueueLimits;
  readonly #sink: BatchSink;
  readonly #clock: LingerClock;
  #pending: Entry[] = [];
  #pendingBytes = 0;
  #lingering = false;
  /** Send at once, ignoring batchTimeout (set while flushing or closing). */
  urgent = false;

  constructor(
    topic: string,
    partition: number,
    limits: QueueLimits,
    sink: BatchSink,
    clock: LingerClock,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.key = `${topic}\u0000${partition}`;
    this.#limits = limits;
    this.#sink = sink;
    this.#clock = clock;
  }

  /** Messages waiting to be sealed into a batch. */
  get pending(): number {
    return this.#pending.length;
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
    if (this.#pending.length === 0 || !this.#sink.hasRoom(this)) return;
    const full = this.#pending.length >= this.#limits.batchSize ||
      this.#pendingBytes >= this.#limits.batchBytes;
    if (full || this.urgent) {
      this.#sendNext();
    } else if (!this.#lingering) {
      this.#lingering = true;
      this.#clock.schedule(this, this.#pending[0].enqueuedAt + this.#limits.batchTimeout);
    }
  }

  /** The first waiting message has lingered `batchTimeout` (called by the clock). */
  lingerEnded(): void {
    this.#lingering = false;
    if (this.#pending.length > 0 && this.#sink.hasRoom(this)) this.#sendNext();
  }

  /** The sender has room again: seal what is due. */
  wake(): void {
    this.#schedule();
  }

  /** Removes and returns every message not yet sealed into a batch (the writer is closing). */
  takeAll(): Entry[] {
    if (this.#lingering) {
      this.#clock.cancel(this);
      this.#lingering = false;
    }
    this.#pendingBytes = 0;
    return this.#pending.splice(0);
  }

  /** Flushes what is waiting without further delay. */
  hurry(): void {
    this.urgent = true;
    this.#schedule();
  }

  #sendNext(): void {
    if (this.#lingering) {
      this.#clock.cancel(this);
      this.#lingering = false;
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
    this.#sink.send(this, batch);
    this.#schedule();
  }
}
