/**
 * The parts of the sticky assignment (Java's `AbstractStickyAssignor`) shared by its two paths,
 * and the path taken when every member subscribes to the same topics (Java's
 * `ConstrainedAssignmentBuilder`): each member keeps owned partitions up to its quota, the rest
 * are dealt round-robin, within racks first when racks matter. The other path is in
 * `_sticky_general.ts`.
 *
 * Where Java's result depends on the iteration order of a `HashMap` or `HashSet`, the same order
 * is reproduced (see {@linkcode javaHashOrder}): members are visited in the order a Java
 * `HashMap` keyed by member id visits them when filled in JoinGroup order.
 *
 * @module
 */

import type { GroupMember, GroupPartition } from "./group_balancers.ts";

/** One topic-partition; there is exactly one object per partition, so identity is equality. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** The generation a member reports when it has none (Java's `DEFAULT_GENERATION`). */
export const NO_GENERATION = -1;

/** Member id → assigned partitions (every member present). */
export type StickyAssignment = Map<string, TopicPartition[]>;

// ---------------------------------------------------------------------------------------------
// Java collection orders

/** Java's `String.hashCode()`: over UTF-16 code units, with 32-bit wrap-around. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java's `TopicPartition.hashCode()`. */
export function partitionHash(tp: TopicPartition): number {
  return (Math.imul(31, (31 + tp.partition) | 0) + javaStringHash(tp.topic)) | 0;
}

/** The table size of a default-constructed Java `HashMap` that has held `n` entries at most. */
export function javaTableSize(n: number): number {
  let size = 16;
  while (n > size * 0.75) size *= 2;
  return size;
}

/** The bucket a hash falls in, in a Java `HashMap` table of `size` slots. */
export function javaBucket(hash: number, size: number): number {
  return (hash ^ (hash >>> 16)) & (size - 1);
}

/**
 * The order in which a default-constructed Java `HashMap` (or `HashSet`) visits `items` after
 * they were inserted in the given order: by bucket, then by insertion within a bucket.
 */
export function javaHashOrder<T>(items: readonly T[], hash: (item: T) => number): T[] {
  const size = javaTableSize(items.length);
  const keyed = items.map((item, i) => ({ item, i, bucket: javaBucket(hash(item), size) }));
  keyed.sort((a, b) => a.bucket - b.bucket || a.i - b.i);
  return keyed.map((k) => k.item);
}

/** UTF-16 code unit order, as Java's `String.compareTo`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Removes the first occurrence of `item` from `list`; true if it was there. */
export function removeFirst<T>(list: T[], item: T): boolean {
  const i = list.indexOf(item);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** The partitions the group may be assigned, one object per partition. */
export class PartitionUniverse {
  /** Topic → its partitions, ascending; only topics someone subscribes to and that exist. */
  readonly byTopic = new Map<string, TopicPartition[]>();
  /** Each partition's replica racks. */
  readonly racks = new Map<TopicPartition, string[]>();
  /** How many partitions there are. */
  readonly total: number;
  private readonly index = new Map<string, Map<number, TopicPartition>>();

  /** The partitions of `subscribed` topics, the first of each (topic, id) kept. */
  constructor(partitions: readonly GroupPartition[], subscribed: ReadonlySet<string>) {
    let total = 0;
    for (const p of partitions) {
      if (!subscribed.has(p.topic)) continue;
      let ids = this.index.get(p.topic);
      if (ids === undefined) this.index.set(p.topic, ids = new Map());
      if (ids.has(p.id)) continue;
      const tp: TopicPartition = { topic: p.topic, partition: p.id };
      ids.set(p.id, tp);
      this.racks.set(tp, p.replicaRacks);
      total++;
    }
    for (const [topic, ids] of this.index) {
      this.byTopic.set(topic, [...ids.values()].sort((a, b) => a.partition - b.partition));
    }
    this.total = total;
  }

  /** The partition object, or undefined when the topic or partition is not in the universe. */
  get(topic: string, partition: number): TopicPartition | undefined {
    return this.index.get(topic)?.get(partition);
  }

  /** Every partition sorted by topic name, then id. */
  sorted(): TopicPartition[] {
    const topics = [...this.byTopic.keys()].sort(compareStrings);
    return topics.flatMap((t) => this.byTopic.get(t)!);
  }
}

/** The generation a member reports, as `CooperativeStickyAssignor.memberData` reads it. */
function memberGeneration(member: GroupMember): number | undefined {
  if (member.generationId >= 0) return member.generationId;
  const data = member.userData;
  if (data === null) return undefined;
  if (data.length < 4) return NO_GENERATION; // Java: a decoding failure means "no generation"
  return new DataView(data.buffer, data.byteOffset, 4).getInt32(0);
}

/** What the assignment needs of one member. */
export interface Member {
  /** Its member id. */
  readonly id: string;
  /** Subscribed topics, without duplicates, in subscription order. */
  readonly topics: readonly string[];
  /** The same topics as a set. */
  readonly topicSet: ReadonlySet<string>;
  /** The partitions it claims to own that still exist, in the order it sent them. */
  readonly claims: readonly TopicPartition[];
  /** Its generation from the subscription or its userData; undefined when it sent neither. */
  readonly generation: number | undefined;
  /** The subscription's own generation field (-1 when absent). */
  readonly subscriptionGeneration: number;
  /** Its rack, or null (an empty rack is none). */
  readonly rack: string | null;
}

/** A member as the sticky assignment sees it, its claims resolved against `universe`. */
export function toMember(m: GroupMember, universe: PartitionUniverse): Member {
  const topics = [...new Set(m.topics)];
  const claims: TopicPartition[] = [];
  for (const owned of m.ownedPartitions) {
    for (const id of owned.partitions) {
      const tp = universe.get(owned.topic, id);
      if (tp !== undefined) claims.push(tp);
    }
  }
  return {
    id: m.id,
    topics,
    topicSet: new Set(topics),
    claims,
    generation: memberGeneration(m),
    subscriptionGeneration: m.generationId >= 0 ? m.generationId : NO_GENERATION,
    rack: m.rackId === null || m.rackId === "" ? null : m.rackId,
  };
}

/** Previous owners after resolving members that claim the same partition. */
export interface Ownership {
  /** Member id → the claims it keeps, in claim order; every member has an entry. */
  readonly owned: Map<string, TopicPartition[]>;
  /** Partitions claimed by more than one member of the same generation. */
  readonly contested: Set<TopicPartition>;
  /** The newest generation any member reported (-1 when none did). */
  readonly maxGeneration: number;
}

/**
 * Resolves competing claims as Java does: the higher generation keeps a partition; two claims in
 * the same generation are both dropped. Members are visited in `order`, which matters when three
 * or more members claim one partition.
 */
export function resolveOwnership(order: readonly Member[]): Ownership {
  const owned = new Map<string, TopicPartition[]>();
  const contested = new Set<TopicPartition>();
  const lastClaimant = new Map<TopicPartition, Member>();
  let maxGeneration = NO_GENERATION;
  for (const m of order) {
    const generation = m.generation ?? NO_GENERATION;
    maxGeneration = Math.max(maxGeneration, generation);
    const kept: TopicPartition[] = [];
    owned.set(m.id, kept);
    for (const tp of m.claims) {
      const other = lastClaimant.get(tp);
      if (other === undefined) {
        kept.push(tp);
        lastClaimant.set(tp, m);
        continue;
      }
      // Java compares against the other member's subscription field, not its userData.
      const otherGeneration = other.subscriptionGeneration;
      if (generation === otherGeneration) {
        contested.add(tp);
        removeFirst(owned.get(other.id)!, tp);
        lastClaimant.set(tp, m);
      } else if (generation > otherGeneration) {
        kept.push(tp);
        removeFirst(owned.get(other.id)!, tp);
        lastClaimant.set(tp, m);
      }
    }
  }
  return { owned, contested, maxGeneration };
}

/** Whether racks can steer the assignment (Java's `useRackAwareAssignment`). */
export function usesRackAwareAssignment(
  memberRacks: ReadonlySet<string>,
  partitionRacks: ReadonlySet<string>,
  racksPerPartition: Iterable<ReadonlySet<string>>,
): boolean {
  if (memberRacks.size === 0) return false;
  let overlap = false;
  for (const r of memberRacks) if (partitionRacks.has(r)) overlap = true;
  if (!overlap) return false;
  for (const racks of racksPerPartition) {
    if (racks.size !== partitionRacks.size) return true;
    for (const r of racks) if (!partitionRacks.has(r)) return true;
  }
  return false;
}

/** Rack placement of members and partitions (Java's `RackInfo`). */
export class RackInfo {
  /** Member → rack; empty unless the assignment is rack-aware. */
  readonly memberRacks = new Map<string, string>();
  /** Partition → replica racks; empty unless the assignment is rack-aware. */
  readonly partitionRacks = new Map<TopicPartition, Set<string>>();
  /** Partition → how many members share a rack with one of its replicas. */
  private readonly membersInReach = new Map<TopicPartition, number>();

  /** Rack information for `order`'s members and the universe's partitions. */
  constructor(universe: PartitionUniverse, order: readonly Member[]) {
    const membersByRack = new Map<string, string[]>();
    for (const m of order) {
      if (m.rack === null) continue;
      const list = membersByRack.get(m.rack);
      if (list === undefined) membersByRack.set(m.rack, [m.id]);
      else list.push(m.id);
    }
    if (membersByRack.size === 0) return;
    const racksOf = new Map<TopicPartition, Set<string>>();
    const allPartitionRacks = new Set<string>();
    for (const [tp, racks] of universe.racks) {
      const set = new Set(racks);
      racksOf.set(tp, set);
      for (const r of set) allPartitionRacks.add(r);
      let n = 0;
      for (const r of set) n += membersByRack.get(r)?.length ?? 0;
      this.membersInReach.set(tp, n);
    }
    if (
      usesRackAwareAssignment(new Set(membersByRack.keys()), allPartitionRacks, racksOf.values())
    ) {
      for (const [rack, ids] of membersByRack) for (const id of ids) this.memberRacks.set(id, rack);
      for (const [tp, set] of racksOf) this.partitionRacks.set(tp, set);
    }
  }

  /** True when the member has a rack that none of the partition's replicas is in. */
  mismatch(member: string, tp: TopicPartition): boolean {
    const rack = this.memberRacks.get(member);
    return rack !== undefined && !(this.partitionRacks.get(tp)?.has(rack) ?? false);
  }

  /** The partitions, stably sorted by how few members share a rack with them. */
  sortByMembersInReach(partitions: TopicPartition[]): TopicPartition[] {
    if (this.membersInReach.size === 0) return partitions;
    const reach = (tp: TopicPartition) => this.membersInReach.get(tp) ?? 0;
    return [...partitions].sort((a, b) => reach(a) - reach(b));
  }

  /** The index of the first member, going round from `from`, in one of the partition's racks. */
  nextInRack(tp: TopicPartition, members: readonly string[], from: number): number {
    const racks = this.partitionRacks.get(tp);
    if (racks === undefined || racks.size === 0) return -1;
    for (let i = 0; i < members.length; i++) {
      const index = (from + i) % members.length;
      const rack = this.memberRacks.get(members[index]);
      if (rack !== undefined && racks.has(rack)) return index;
    }
    return -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Every member subscribes to the same topics: quotas

/**
 * Java's `ConstrainedAssignmentBuilder`: with P partitions and M members, every member ends with
 * floor(P/M) or ceil(P/M) partitions, exactly P mod M of them with the larger count.
 */
export class QuotaAssignment {
  /** Partitions handed to a new owner while another member may still hold them. */
  readonly moving = new Map<TopicPartition, string>();
  private readonly assignment = new Map<string, TopicPartition[]>();
  private readonly mayBeRevoked = new Map<TopicPartition, string>();
  private readonly belowMin: string[] = [];
  private readonly atMin: string[] = [];
  private readonly minQuota: number;
  private readonly maxQuota: number;
  private readonly expectedAboveMin: number;
  private aboveMin = 0;
  private readonly universe: PartitionUniverse;
  private readonly racks: RackInfo;
  private readonly ownership: Ownership;

  /** An assignment over the universe for the members of `ownership`, which must not be empty. */
  constructor(universe: PartitionUniverse, racks: RackInfo, ownership: Ownership) {
    this.universe = universe;
    this.racks = racks;
    this.ownership = ownership;
    const n = ownership.owned.size;
    this.minQuota = Math.floor(universe.total / n);
    this.maxQuota = Math.ceil(universe.total / n);
    this.expectedAboveMin = universe.total % n;
    for (const id of ownership.owned.keys()) this.assignment.set(id, []);
  }

  /** The assignment before partitions that change owner are held back (see `moving`). */
  build(): StickyAssignment {
    const kept = this.keepOwned();
    this.belowMin.sort(compareStrings);
    this.atMin.sort(compareStrings);
    const unassigned = this.racks.sortByMembersInReach(
      this.universe.sorted().filter((tp) => !kept.has(tp)),
    );
    this.dealWithinRacks(unassigned);
    this.deal(unassigned);
    return this.assignment;
  }

  /** Gives each member back up to its quota of the partitions it owns. */
  private keepOwned(): Set<TopicPartition> {
    const kept = new Set<TopicPartition>();
    const keep = (member: string, list: TopicPartition[]) => {
      for (const tp of list) {
        this.assignment.get(member)!.push(tp);
        kept.add(tp);
      }
    };
    for (const [member, claims] of this.ownership.owned) {
      const owned = claims.filter((tp) => {
        if (!this.racks.mismatch(member, tp)) return true;
        this.mayBeRevoked.set(tp, member);
        return false;
      }).filter((tp) => !this.ownership.contested.has(tp));
      owned.sort((a, b) => a.partition - b.partition || compareStrings(a.topic, b.topic));
      if (owned.length < this.minQuota) {
        keep(member, owned);
        this.belowMin.push(member);
        continue;
      }
      let quota = this.minQuota;
      if (owned.length >= this.maxQuota && this.aboveMin < this.expectedAboveMin) {
        quota = this.maxQuota;
        if (++this.aboveMin === this.expectedAboveMin) this.atMin.length = 0;
      } else if (this.aboveMin < this.expectedAboveMin) {
        this.atMin.push(member);
      }
      keep(member, owned.slice(0, quota));
      for (const tp of owned.slice(quota)) this.mayBeRevoked.set(tp, member);
    }
    return kept;
  }

  /** Places partitions on unfilled members in one of their replicas' racks, round-robin. */
  private dealWithinRacks(unassigned: TopicPartition[]): void {
    if (this.racks.memberRacks.size === 0) return;
    let next = 0;
    for (let i = 0; i < unassigned.length; i++) {
      const tp = unassigned[i];
      let member: string | undefined;
      let index = this.racks.nextInRack(tp, this.belowMin, next);
      if (index >= 0) {
        member = this.belowMin[index];
        const count = this.assignment.get(member)!.length + 1;
        if (count >= this.minQuota) {
          this.belowMin.splice(index, 1);
          if (count < this.maxQuota && this.aboveMin < this.expectedAboveMin) {
            this.atMin.push(member);
          }
        } else index++;
        next = this.belowMin.length === 0 ? 0 : index % this.belowMin.length;
      } else if (this.atMin.length > 0) {
        index = this.racks.nextInRack(tp, this.atMin, 0);
        if (index >= 0) {
          member = this.atMin[index];
          if (this.assignment.get(member)!.length + 1 === this.maxQuota) {
            this.atMin.splice(index, 1);
            if (++this.aboveMin === this.expectedAboveMin) this.atMin.length = 0;
          }
        }
      }
      if (member !== undefined) {
        this.give(tp, member);
        unassigned.splice(i--, 1);
      }
    }
  }

  /** Deals the remaining partitions round-robin to members below their quota. */
  private deal(unassigned: readonly TopicPartition[]): void {
    let cursor = 0;
    for (const tp of unassigned) {
      let member: string;
      let belowMin = true;
      if (cursor < this.belowMin.length) {
        member = this.belowMin[cursor++];
      } else if (this.belowMin.length > 0) {
        cursor = 0;
        member = this.belowMin[cursor++];
      } else if (this.atMin.length > 0) {
        member = this.atMin.shift()!;
        belowMin = false;
      } else {
        throw new Error("cooperative-sticky: no member left to take a partition (a bug)");
      }
      const count = this.give(tp, member);
      if (count === this.minQuota && belowMin) {
        this.belowMin.splice(--cursor, 1);
        this.atMin.push(member);
      } else if (count === this.maxQuota) {
        this.aboveMin++;
      }
    }
  }

  /** Assigns a partition no one kept; returns the member's new partition count. */
  private give(tp: TopicPartition, member: string): number {
    const list = this.assignment.get(member)!;
    list.push(tp);
    const previous = this.mayBeRevoked.get(tp);
    if ((previous !== undefined && previous !== member) || this.ownership.contested.has(tp)) {
      this.moving.set(tp, member);
    }
    return list.length;
  }
}
