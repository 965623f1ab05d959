/**
 * The offsets a group reader has yet to commit, per partition. Recording a read message is
 * O(1) and allocates nothing (two map lookups by topic and partition), since it runs for
 * every message; the work proportional to the partitions owned happens once per commit.
 *
 * @module
 */
import type { PartitionOffset, TopicPartition } from "../offsets.ts";

/** Highest offset to commit per partition, until a commit has taken it. */
export class PendingOffsets {
  readonly #topics = new Map<string, Map<number, number>>();

  /** Raises the partition's pending offset to `offset` (a lower one is ignored). */
  advance(topic: string, partition: number, offset: number): void {
    let partitions = this.#topics.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.#topics.set(topic, partitions);
    }
    const pending = partitions.get(partition);
    if (pending === undefined || pending < offset) partitions.set(partition, offset);
  }

  /** The partition's pending offset, or undefined. */
  get(topic: string, partition: number): number | undefined {
    return this.#topics.get(topic)?.get(partition);
  }

  /** Forgets the partition's pending offset. */
  delete(topic: string, partition: number): void {
    const partitions = this.#topics.get(topic);
    if (partitions === undefined) return;
    partitions.delete(partition);
    if (partitions.size === 0) this.#topics.delete(topic);
  }

  /** Forgets every partition `keep` refuses; returns those. */
  retain(keep: (topic: string, partition: number) => boolean): TopicPartition[] {
    const dropped: TopicPartition[] = [];
    for (const [topic, partitions] of this.#topics) {
      for (const partition of partitions.keys()) {
        if (!keep(topic, partition)) dropped.push({ topic, partition });
      }
    }
    for (const p of dropped) this.delete(p.topic, p.partition);
    return dropped;
  }

  /** The pending offsets (of `only`, if given), to commit. */
  snapshot(only?: readonly TopicPartition[]): PartitionOffset[] {
    const out: PartitionOffset[] = [];
    if (only) {
      for (const { topic, partition } of only) {
        const offset = this.get(topic, partition);
        if (offset !== undefined) out.push({ topic, partition, offset });
      }
      return out;
    }
    for (const [topic, partitions] of this.#topics) {
      for (const [partition, offset] of partitions) out.push({ topic, partition, offset });
    }
    return out;
  }

  /** Forgets what `committed` holds, except where a higher offset was recorded meanwhile. */
  settle(committed: readonly PartitionOffset[]): void {
    for (const o of committed) {
      if (this.get(o.topic, o.partition) === o.offset) this.delete(o.topic, o.partition);
    }
  }
}
