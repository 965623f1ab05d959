// One partition's sealed batches between the queue and the broker's acknowledgement, in
// sequence order: which of them may go now (up to maxInFlight, strictly in order, never past
// a batch waiting for its retry), and the idempotent sequence numbers they carry.

import type { RecordInput } from "../protocol/records.ts";
import type { ProducerIdentity } from "./_idempotence.ts";
import type { Entry } from "./_partition_queue.ts";

/** Where a batch is: waiting to be sent, sent and unanswered, or waiting out a backoff. */
export type BatchState = "waiting" | "inFlight" | "backoff";

/** A sealed batch of one partition. */
export class ProducerBatch {
  readonly entries: Entry[];
  readonly records: RecordInput[];
  state: BatchState = "backoff";
  /** The producer id, epoch and first sequence it was encoded with (idempotent writes). */
  identity: (ProducerIdentity & { baseSequence: number }) | undefined;
  /** The encoded batch; kept across retries so a resend is byte-identical. */
  encoded: Uint8Array | undefined;
  /** Settles the current attempt: written at a base offset (-1: unknown), or failed. */
  attempt: { resolve(baseOffset: number): void; reject(error: unknown): void } | undefined;
  /** When its oldest message's deliveryTimeout ends (ms since the epoch). */
  readonly deadline: number;
  /** Why its last attempt failed. */
  lastError: unknown;

  constructor(entries: Entry[]) {
    this.entries = entries;
    this.records = entries.map((e) => e.record);
    // The calls' deadlines, not the entries': a batch holds messages of few calls.
    let deadline = Infinity;
    let last: Entry["call"] | undefined;
    for (const e of entries) {
      if (e.call === last) continue;
      last = e.call;
      if (last.deadline < deadline) deadline = last.deadline;
    }
    this.deadline = deadline;
  }
}

/** The unacknowledged batches of one partition, oldest first. */
export class PartitionPipeline {
  readonly topic: string;
  readonly partition: number;
  readonly #maxInFlight: number;
  readonly #batches: ProducerBatch[] = [];
  /** The identity this partition's sequence numbers belong to. */
  #identity: ProducerIdentity | undefined;
  #nextSequence = 0;
  /** The broker lost this producer's state here: bump the epoch before sending more. */
  needsNewEpoch = false;
  /** A bump for this partition is under way. */
  bumping = false;
  /** Why the partition's last failed attempt failed (what its waiting batches wait out). */
  lastError: unknown;

  constructor(topic: string, partition: number, maxInFlight: number) {
    this.topic = topic;
    this.partition = partition;
    this.#maxInFlight = maxInFlight;
  }

  /** Whether another sealed batch may join (sealed batches are bounded by maxInFlight). */
  get hasRoom(): boolean {
    return this.#batches.length < this.#maxInFlight;
  }

  /** Batches sent and not answered. */
  get inFlight(): number {
    return this.#batches.filter((b) => b.state === "inFlight").length;
  }

  /** Unacknowledged batches, oldest first. */
  get batches(): readonly ProducerBatch[] {
    return this.#batches;
  }

  add(batch: ProducerBatch): void {
    this.#batches.push(batch);
  }

  remove(batch: ProducerBatch): void {
    const i = this.#batches.indexOf(batch);
    if (i >= 0) this.#batches.splice(i, 1);
  }

  /** Whether `batch` is the oldest unacknowledged one. */
  isOldest(batch: ProducerBatch): boolean {
    return this.#batches[0] === batch;
  }

  /**
   * The batches to send now, in order: those waiting right after the in-flight ones, while
   * fewer than maxInFlight are out. Nothing while an earlier batch waits out its backoff,
   * while a later one is still in flight (a retry goes only once everything after it has
   * come back, so the partition's order holds), or while the epoch must be bumped.
   */
  sendable(): ProducerBatch[] {
    if (this.needsNewEpoch) return [];
    const out: ProducerBatch[] = [];
    let inFlight = 0;
    let i = 0;
    while (i < this.#batches.length && this.#batches[i].state === "inFlight") {
      inFlight++;
      i++;
    }
    for (; i < this.#batches.length; i++) {
      const b = this.#batches[i];
      if (b.state !== "waiting" || inFlight + out.length >= this.#maxInFlight) break;
      out.push(b);
    }
    // A batch in flight behind the first one not in flight: wait until it is back.
    for (; i < this.#batches.length; i++) if (this.#batches[i].state === "inFlight") return [];
    return out;
  }

  /**
   * Gives `batch` its identity and sequence numbers if it has none. The partition moves to
   * `current` only when none of its batches holds a sequence of the old identity; until then
   * it goes on with the old one (the broker still accepts it there).
   */
  assignSequence(batch: ProducerBatch, current: ProducerIdentity): void {
    if (batch.identity) return;
    if (this.#identity !== current && this.#batches.every((b) => b.identity === undefined)) {
      this.#identity = current;
      this.#nextSequence = 0;
    }
    const identity = this.#identity!;
    batch.identity = { ...identity, baseSequence: this.#nextSequence };
    batch.encoded = undefined;
    this.#nextSequence = (this.#nextSequence + batch.records.length) % 0x8000_0000;
  }

  /** The identity this partition writes with now (undefined before the first batch). */
  get identity(): ProducerIdentity | undefined {
    return this.#identity;
  }

  /**
   * Moves to a new epoch after the broker lost this producer's state: every unacknowledged
   * batch is numbered again from 0, in order, when it is next sent.
   */
  restartSequences(identity: ProducerIdentity): void {
    this.#identity = identity;
    this.#nextSequence = 0;
    for (const b of this.#batches) {
      b.identity = undefined;
      b.encoded = undefined;
    }
    this.needsNewEpoch = false;
  }
}
