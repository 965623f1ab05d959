/**
 * The general path of the sticky assignment (Java's `GeneralAssignmentBuilder`), used when
 * members subscribe to different topics: keep what members own and may still have, place the
 * rest on the least loaded members, then move partitions until no member could take one from a
 * member holding two or more partitions more. A partition whose owner was behind the newest
 * generation moves back to that owner first; two members never swap partitions of one topic.
 *
 * @module
 */

import {
  compareStrings,
  javaBucket,
  javaTableSize,
  type Member,
  NO_GENERATION,
  type Ownership,
  partitionHash,
  type PartitionUniverse,
  type RackInfo,
  removeFirst,
  type StickyAssignment,
  type TopicPartition,
} from "./_sticky.ts";

/** Member ids sorted by partition count, then id (Java's `TreeSet` with its comparator). */
class ByLoad {
  private readonly ids: string[] = [];
  private readonly assignment: StickyAssignment;

  constructor(assignment: StickyAssignment) {
    this.assignment = assignment;
  }

  private compare(a: string, b: string): number {
    return this.assignment.get(a)!.length - this.assignment.get(b)!.length ||
      compareStrings(a, b);
  }

  /** Inserts a member at its place for its current count. */
  add(id: string): void {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.ids[mid], id) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (this.ids[lo] !== id) this.ids.splice(lo, 0, id);
  }

  /** Removes a member (before its count changes). */
  remove(id: string): void {
    removeFirst(this.ids, id);
  }

  /** The least loaded member. */
  first(): string {
    return this.ids[0];
  }

  /** The most loaded member. */
  last(): string {
    return this.ids[this.ids.length - 1];
  }

  /** Members from least to most loaded. */
  [Symbol.iterator](): Iterator<string> {
    return this.ids[Symbol.iterator]();
  }
}

/** Partitions that moved between one pair of members, in Java `HashSet` order. */
class MovedSet {
  readonly items: TopicPartition[] = [];
  private largest = 0;

  /** Adds a partition unless present. */
  add(tp: TopicPartition): void {
    if (this.items.includes(tp)) return;
    this.items.push(tp);
    this.largest = Math.max(this.largest, this.items.length);
  }

  /** The element a Java `HashSet` with the same history would iterate first. */
  first(): TopicPartition {
    const size = javaTableSize(this.largest);
    let best = this.items[0];
    let bestBucket = javaBucket(partitionHash(best), size);
    for (const tp of this.items) {
      const bucket = javaBucket(partitionHash(tp), size);
      if (bucket < bestBucket) [best, bestBucket] = [tp, bucket];
    }
    return best;
  }
}

/** Where partitions moved during one rebalance (Java's `PartitionMovements`). */
class Movements {
  private readonly moves = new Map<TopicPartition, { from: string; to: string }>();
  private readonly byTopic = new Map<string, Map<string, MovedSet>>();

  private static key(from: string, to: string): string {
    return JSON.stringify([from, to]);
  }

  private forget(tp: TopicPartition): { from: string; to: string } {
    const move = this.moves.get(tp)!;
    this.moves.delete(tp);
    const pairs = this.byTopic.get(tp.topic)!;
    const key = Movements.key(move.from, move.to);
    const set = pairs.get(key)!;
    removeFirst(set.items, tp);
    if (set.items.length === 0) pairs.delete(key);
    if (pairs.size === 0) this.byTopic.delete(tp.topic);
    return move;
  }

  private record(tp: TopicPartition, from: string, to: string): void {
    this.moves.set(tp, { from, to });
    let pairs = this.byTopic.get(tp.topic);
    if (pairs === undefined) this.byTopic.set(tp.topic, pairs = new Map());
    const key = Movements.key(from, to);
    let set = pairs.get(key);
    if (set === undefined) pairs.set(key, set = new MovedSet());
    set.add(tp);
  }

  /** Records a move; a partition moving back where it came from leaves no record. */
  move(tp: TopicPartition, from: string, to: string): void {
    if (!this.moves.has(tp)) return this.record(tp, from, to);
    const earlier = this.forget(tp);
    if (earlier.from !== to) this.record(tp, earlier.from, to);
  }

  /**
   * The partition to move from `from` to `to` instead of `tp`: one of the same topic that moved
   * the other way earlier, so the pair's moves cancel out rather than swap partitions.
   */
  substitute(tp: TopicPartition, from: string, to: string): TopicPartition {
    const pairs = this.byTopic.get(tp.topic);
    if (pairs === undefined) return tp;
    const earlier = this.moves.get(tp);
    if (earlier !== undefined) from = earlier.from;
    return pairs.get(Movements.key(to, from))?.first() ?? tp;
  }
}

/**
 * Java's `GeneralAssignmentBuilder`: as balanced as the subscriptions allow, keeping owned
 * partitions where that does not cost balance.
 */
export class GeneralAssignment {
  private readonly assignment: StickyAssignment = new Map();
  private readonly ownerOf = new Map<TopicPartition, string>();
  private readonly topicMembers = new Map<string, string[]>();
  private readonly memberTopics = new Map<string, string[]>();
  private readonly memberSubscriptions = new Map<string, ReadonlySet<string>>();
  private readonly sortedPartitions: TopicPartition[];
  private readonly byLoad: ByLoad;
  private readonly movements = new Movements();
  private revocationRequired = false;
  private readonly universe: PartitionUniverse;
  private readonly racks: RackInfo;
  private readonly ownership: Ownership;
  private readonly order: readonly Member[];

  /** An assignment for the members in `order` (Java's visiting order), which must not be empty. */
  constructor(
    universe: PartitionUniverse,
    racks: RackInfo,
    ownership: Ownership,
    order: readonly Member[],
  ) {
    this.universe = universe;
    this.racks = racks;
    this.ownership = ownership;
    this.order = order;
    for (const topic of universe.byTopic.keys()) this.topicMembers.set(topic, []);
    for (const m of order) {
      const topics = m.topics.filter((t) => universe.byTopic.has(t));
      this.memberTopics.set(m.id, topics);
      this.memberSubscriptions.set(m.id, m.topicSet);
      for (const t of topics) this.topicMembers.get(t)!.push(m.id);
    }
    for (const [member, owned] of ownership.owned) {
      this.assignment.set(member, [...owned]);
      for (const tp of owned) this.ownerOf.set(tp, member);
    }
    const topics = [...universe.byTopic.keys()].sort((a, b) =>
      this.topicMembers.get(a)!.length - this.topicMembers.get(b)!.length || compareStrings(a, b)
    );
    this.sortedPartitions = topics.flatMap((t) => universe.byTopic.get(t)!);
    this.byLoad = new ByLoad(this.assignment);
  }

  private size(member: string): number {
    return this.assignment.get(member)!.length;
  }

  /** The assignment, before partitions that change owner are held back. */
  build(): StickyAssignment {
    const previous = this.previousOwners();
    const kept = this.keepOwned();
    const unassigned = this.sortedPartitions.filter((tp) => !kept.has(tp));
    for (const member of this.assignment.keys()) this.byLoad.add(member);
    this.balance(previous, unassigned);
    return this.assignment;
  }

  /**
   * For partitions claimed by members behind the newest generation: the claimant with the
   * highest generation (first in visiting order on a tie), to move the partition back to.
   */
  private previousOwners(): Map<TopicPartition, { member: string; generation: number }> {
    const previous = new Map<TopicPartition, { member: string; generation: number }>();
    const max = this.ownership.maxGeneration;
    for (const m of this.order) {
      let generation: number;
      if (m.generation !== undefined && m.generation < max) generation = m.generation;
      else if (m.generation === undefined && max > NO_GENERATION) generation = NO_GENERATION;
      else continue;
      for (const tp of m.claims) {
        const earlier = previous.get(tp);
        if (earlier === undefined || generation > earlier.generation) {
          previous.set(tp, { member: m.id, generation });
        }
      }
    }
    return previous;
  }

  /** Drops owned partitions a member may no longer have; returns those it keeps. */
  private keepOwned(): Set<TopicPartition> {
    const kept = new Set<TopicPartition>();
    for (const [member, list] of this.assignment) {
      const topics = this.memberSubscriptions.get(member)!;
      for (let i = 0; i < list.length; i++) {
        const tp = list[i];
        if (!topics.has(tp.topic) || this.racks.mismatch(member, tp)) {
          list.splice(i--, 1);
          this.revocationRequired = true;
        } else kept.add(tp);
      }
    }
    return kept;
  }

  /** How many partitions the member could hold at most. */
  private capacity(member: string): number {
    let n = 0;
    for (const t of this.memberTopics.get(member)!) n += this.universe.byTopic.get(t)!.length;
    return n;
  }

  private balance(
    previous: Map<TopicPartition, { member: string; generation: number }>,
    unassigned: TopicPartition[],
  ): void {
    const initializing = this.size(this.byLoad.last()) === 0;
    const rest = this.racks.memberRacks.size > 0 ? this.placeAll(unassigned, true) : unassigned;
    this.placeAll(rest, false);

    // Topics with a single possible member, and members that cannot change, sit this out.
    const movable = (tp: TopicPartition) => this.topicMembers.get(tp.topic)!.length >= 2;
    const candidates = this.sortedPartitions.filter(movable);
    const newcomers = unassigned.filter(movable);
    const fixed = new Map<string, TopicPartition[]>();
    for (const member of this.memberTopics.keys()) {
      if (this.canChange(member)) continue;
      this.byLoad.remove(member);
      fixed.set(member, this.assignment.get(member)!);
      this.assignment.delete(member);
    }

    const before = new Map([...this.assignment].map(([m, list]) => [m, [...list]]));
    const ownersBefore = new Map(this.ownerOf);
    if (!this.revocationRequired) this.reassign(newcomers, previous);
    const changed = this.reassign(candidates, previous);
    if (!initializing && changed && score(this.assignment) >= score(before)) {
      this.assignment.clear();
      for (const [m, list] of before) this.assignment.set(m, list);
      this.ownerOf.clear();
      for (const [tp, m] of ownersBefore) this.ownerOf.set(tp, m);
    }
    for (const [member, list] of fixed) {
      this.assignment.set(member, list);
      this.byLoad.add(member);
    }
  }

  /** Puts each partition on the least loaded member that may take it; returns the rest. */
  private placeAll(list: readonly TopicPartition[], sameRack: boolean): TopicPartition[] {
    const rest: TopicPartition[] = [];
    for (const tp of list) {
      const member = this.leastLoaded(tp, sameRack);
      if (member === undefined) {
        rest.push(tp);
        continue;
      }
      this.byLoad.remove(member);
      this.assignment.get(member)!.push(tp);
      this.ownerOf.set(tp, member);
      this.byLoad.add(member);
    }
    return rest;
  }

  /** Whether a member's assignment may change at all. */
  private canChange(member: string): boolean {
    const list = this.assignment.get(member)!;
    if (list.length < this.capacity(member)) return true;
    return list.some((tp) => this.topicMembers.get(tp.topic)!.length >= 2);
  }

  /** Java's `isBalanced`: no partition could move to a member with two or more fewer. */
  private isBalanced(): boolean {
    if (this.size(this.byLoad.first()) >= this.size(this.byLoad.last()) - 1) return true;
    for (const member of this.byLoad) {
      const count = this.size(member);
      if (count === this.capacity(member)) continue;
      for (const topic of this.memberTopics.get(member)!) {
        for (const tp of this.universe.byTopic.get(topic)!) {
          const owner = this.ownerOf.get(tp);
          if (owner === undefined || owner === member) continue;
          const other = this.assignment.get(owner);
          if (other !== undefined && count + 1 < other.length) return false;
        }
      }
    }
    return true;
  }

  /** Moves partitions until balanced or nothing moves; true if anything moved. */
  private reassign(
    partitions: readonly TopicPartition[],
    previous: Map<TopicPartition, { member: string; generation: number }>,
  ): boolean {
    let changed = false;
    let modified: boolean;
    do {
      modified = false;
      for (const tp of partitions) {
        if (this.isBalanced()) break;
        const owner = this.ownerOf.get(tp)!;
        const count = this.size(owner);
        // Back to the member that held it in an older generation, if that evens things out.
        // Unlike Java, only if that member still subscribes to the topic and can still change:
        // Java would hand it a topic it no longer reads, or fail on a member it set aside.
        const back = previous.get(tp)?.member;
        if (
          back !== undefined && this.assignment.has(back) &&
          this.memberTopics.get(back)!.includes(tp.topic) && count > this.size(back) + 1
        ) {
          this.moveTo(tp, back);
          changed = modified = true;
          continue;
        }
        const candidates = this.topicMembers.get(tp.topic)!;
        if (candidates.some((other) => count > this.size(other) + 1)) {
          // Java looks for a less loaded member in the partition's racks first, but either way
          // hands the partition to the least loaded subscriber.
          this.moveTo(tp, this.leastLoaded(tp, false)!);
          changed = modified = true;
        }
      }
    } while (modified);
    return changed;
  }

  /** The least loaded member subscribed to the partition's topic (and in its racks). */
  private leastLoaded(tp: TopicPartition, sameRack: boolean): string | undefined {
    for (const member of this.byLoad) {
      if (!this.memberTopics.get(member)!.includes(tp.topic)) continue;
      if (!sameRack || !this.racks.mismatch(member, tp)) return member;
    }
    return undefined;
  }

  private moveTo(tp: TopicPartition, to: string): void {
    const chosen = this.movements.substitute(tp, this.ownerOf.get(tp)!, to);
    const from = this.ownerOf.get(chosen)!;
    this.byLoad.remove(from);
    this.byLoad.remove(to);
    this.movements.move(chosen, from, to);
    removeFirst(this.assignment.get(from)!, chosen);
    this.assignment.get(to)!.push(chosen);
    this.ownerOf.set(chosen, to);
    this.byLoad.add(to);
    this.byLoad.add(from);
  }
}

/** The sum of count differences over all member pairs; 0 when perfectly even. */
function score(assignment: StickyAssignment): number {
  const counts = [...assignment.values()].map((l) => l.length).sort((a, b) => a - b);
  let total = 0;
  let prefix = 0;
  counts.forEach((c, i) => {
    total += c * i - prefix;
    prefix += c;
  });
  return total;
}
