/**
 * A share session with one broker (KIP-932): the first ShareFetch (epoch 0) names every
 * partition to fetch from; later ones (epoch 1, 2, …) name only partitions added, carrying
 * acknowledgements, or forgotten. Acknowledgements wait here until the next request to the
 * broker leading their partition; the broker never sees acknowledgements in an epoch-0
 * request, since a new session holds no acquired records.
 *
 * @module
 */
import type { TopicPartition } from "../offsets.ts";

/** What happens to a delivered record (the broker's acknowledge type ids). */
export type AcknowledgeType = "accept" | "release" | "reject";

/** The wire ids of the acknowledge types; 0 marks an offset with no record (a gap). */
export const ACK_TYPE_ID: Record<AcknowledgeType | "gap", number> = {
  gap: 0,
  accept: 1,
  release: 2,
  reject: 3,
};

/** One partition's acknowledgements in a request: ranges with one type id per offset. */
export interface AckBatch {
  firstOffset: bigint;
  lastOffset: bigint;
  acknowledgeTypes: number[];
}

/** The partitions and acknowledgements of one request, by topic. */
export interface SessionRequest {
  epoch: number;
  /** Partitions to fetch from (or acknowledge on), with their acknowledgements. */
  partitions: { part: TopicPartition; acks: AckBatch[] }[];
  /** Partitions the session should drop. */
  forgotten: TopicPartition[];
}

const keyOf = (p: TopicPartition) => `${p.topic}\u0000${p.partition}`;

/** Offset → type id, as contiguous ranges (one type id per offset). */
export function ackBatches(acks: ReadonlyMap<number, number>): AckBatch[] {
  const offsets = [...acks.keys()].sort((a, b) => a - b);
  const batches: AckBatch[] = [];
  for (const o of offsets) {
    const last = batches[batches.length - 1];
    if (last && Number(last.lastOffset) === o - 1) {
      last.lastOffset = BigInt(o);
      last.acknowledgeTypes.push(acks.get(o)!);
    } else {
      batches.push({
        firstOffset: BigInt(o),
        lastOffset: BigInt(o),
        acknowledgeTypes: [acks.get(o)!],
      });
    }
  }
  return batches;
}

/** How many records `req` acknowledges (gaps left out: they are no records). */
export function recordsAcknowledged(req: SessionRequest): number {
  let n = 0;
  for (const { acks } of req.partitions) {
    for (const b of acks) n += b.acknowledgeTypes.filter((t) => t !== ACK_TYPE_ID.gap).length;
  }
  return n;
}

/** The session with one broker: its epoch, its partitions, the acknowledgements queued. */
export class ShareSession {
  #epoch = 0;
  #generation = 0;
  /** Partitions the broker has in the session. */
  readonly #inSession = new Map<string, TopicPartition>();
  /** Acknowledgements not sent yet, per partition: offset → type id. */
  readonly #acks = new Map<string, { part: TopicPartition; acks: Map<number, number> }>();

  /** Queues an acknowledgement for the next request (the last one given for an offset wins). */
  acknowledge(part: TopicPartition, offset: number, typeId: number): void {
    const k = keyOf(part);
    let entry = this.#acks.get(k);
    if (!entry) this.#acks.set(k, entry = { part, acks: new Map() });
    entry.acks.set(offset, typeId);
  }

  /** Whether acknowledgements wait to be sent. */
  get hasAcks(): boolean {
    return this.#acks.size > 0;
  }

  /** Whether the session has partitions the broker fetches from. */
  get holdsPartitions(): boolean {
    return this.#inSession.size > 0;
  }

  /**
   * Which session this is: it changes on each {@linkcode reset}, so a record can tell whether
   * the session it was acquired in still stands.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Whether the broker holds a session (epoch > 0). */
  get open(): boolean {
    return this.#epoch > 0;
  }

  /**
   * The next request for fetching from `wanted` (empty to only acknowledge). Acknowledgements
   * leave the queue here: {@linkcode sent} or {@linkcode reset} settle what became of them.
   */
  next(wanted: readonly TopicPartition[]): SessionRequest {
    const want = new Map(wanted.map((p) => [keyOf(p), p]));
    const partitions = new Map<string, { part: TopicPartition; acks: AckBatch[] }>();
    for (const [k, p] of want) {
      if (this.#epoch === 0 || !this.#inSession.has(k)) partitions.set(k, { part: p, acks: [] });
    }
    if (this.#epoch > 0) {
      for (const [k, { part, acks }] of this.#acks) {
        partitions.set(k, { part, acks: ackBatches(acks) });
      }
      this.#acks.clear();
    }
    const forgotten = this.#epoch === 0
      ? []
      : [...this.#inSession].filter(([k]) => !want.has(k)).map(([, p]) => p);
    return { epoch: this.#epoch, partitions: [...partitions.values()], forgotten };
  }

  /** The broker accepted `req`: its partitions are in the session, the epoch moves on. */
  sent(req: SessionRequest, fetched: boolean): void {
    if (req.epoch === 0) this.#inSession.clear();
    if (fetched) { for (const { part } of req.partitions) this.#inSession.set(keyOf(part), part); }
    for (const p of req.forgotten) this.#inSession.delete(keyOf(p));
    this.#epoch = this.#epoch >= 0x7fffffff ? 1 : this.#epoch + 1;
  }

  /**
   * The session ended (closed, lost by the broker, or its connection failed): start again at
   * epoch 0. The records acquired in it go back to the group, so the acknowledgements queued
   * for them cannot be sent; returns how many records they were.
   */
  reset(): number {
    let dropped = 0;
    for (const { acks } of this.#acks.values()) {
      for (const t of acks.values()) if (t !== ACK_TYPE_ID.gap) dropped++;
    }
    this.#epoch = 0;
    this.#generation++;
    this.#inSession.clear();
    this.#acks.clear();
    return dropped;
  }
}
