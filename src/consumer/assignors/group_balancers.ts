/**
 * The built-in consumer group balancers. Each one gives the same assignment as the client it is
 * named after, so kafkit members can share a group with them whoever is the leader:
 *
 * | Balancer                                  | Protocol             | Same result as                     |
 * | ----------------------------------------- | -------------------- | ---------------------------------- |
 * | {@linkcode RangeGroupBalancer}            | `range`              | Java `RangeAssignor` (with racks)  |
 * | {@linkcode RoundRobinGroupBalancer}       | `roundrobin`         | Java `RoundRobinAssignor`          |
 * | {@linkcode CooperativeStickyGroupBalancer}| `cooperative-sticky` | Java `CooperativeStickyAssignor`   |
 * | {@linkcode RackAffinityGroupBalancer}     | `rack-affinity`      | kafka-go `RackAffinityGroupBalancer` |
 *
 * Every balancer is deterministic: the same members (in the same order) and partitions give the
 * same assignment. Every member appears in the result; a member's map holds only the topics it
 * was given partitions of, each with ascending partition ids. Partitions of topics no member
 * subscribes to are ignored.
 *
 * @module
 */

import {
  compareStrings,
  javaHashOrder,
  javaStringHash,
  type Member,
  PartitionUniverse,
  QuotaAssignment,
  RackInfo,
  removeFirst,
  resolveOwnership,
  type StickyAssignment,
  toMember,
  type TopicPartition,
  usesRackAwareAssignment,
} from "./_sticky.ts";
import { GeneralAssignment } from "./_sticky_general.ts";

/** Partitions of one topic. */
export interface TopicPartitions {
  /** The topic name. */
  topic: string;
  /** Partition ids. */
  partitions: number[];
}

/** A member as the group leader sees it, decoded from its JoinGroup subscription. */
export interface GroupMember {
  /** The member id the coordinator gave it. */
  id: string;
  /** Its static membership id, if any. */
  groupInstanceId: string | null;
  /** The topics it subscribes to. */
  topics: string[];
  /** The balancer-specific bytes it sent (the subscription's `userData`). */
  userData: Uint8Array | null;
  /** The partitions it owned in the previous generation (subscription v1+, else empty). */
  ownedPartitions: TopicPartitions[];
  /** The generation it last took part in (subscription v2+, else -1). */
  generationId: number;
  /** Its rack (subscription v3+), or null. */
  rackId: string | null;
}

/** A partition the leader may assign, with the racks of its replicas. */
export interface GroupPartition {
  /** The topic name. */
  topic: string;
  /** The partition id. */
  id: number;
  /** The leader's rack, or null when the broker has none. */
  leaderRack: string | null;
  /** Every replica's rack (known ones only). */
  replicaRacks: string[];
}

/** Member id → topic → partition ids. */
export type GroupMemberAssignments = Map<string, Map<string, number[]>>;

/** What a member knows of its own state when it (re)joins; balancers may encode it. */
export interface MemberState {
  /** The generation it last took part in, or -1. */
  generationId: number;
  /** The partitions it currently owns. */
  ownedPartitions: TopicPartitions[];
  /** Its rack, if configured. */
  rackId: string | null;
}

/**
 * Splits partitions among a group's members. Runs on the member the coordinator picks as
 * leader; every member must offer the same `protocolName` for the group to use it.
 */
export interface GroupBalancer {
  /** The protocol name sent in JoinGroup (`range`, `roundrobin`, `cooperative-sticky`, …). */
  readonly protocolName: string;
  /**
   * `cooperative` balancers never hand a partition straight from one owner to another in one
   * generation (KIP-429), so members keep their partitions during a rebalance. Default eager.
   */
  readonly rebalanceProtocol?: "eager" | "cooperative";
  /** The `userData` this member sends with its subscription. */
  userData?(state: MemberState): Uint8Array | null;
  /** Assigns `partitions` to `members`; every member appears in the result. */
  assignGroups(members: GroupMember[], partitions: GroupPartition[]): GroupMemberAssignments;
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/**
 * Checks `assignGroups`' arguments: a wrong type is a TypeError, a duplicate member id or a
 * negative partition id a RangeError, each naming the field.
 */
function checkInput(members: readonly GroupMember[], partitions: readonly GroupPartition[]): void {
  if (!Array.isArray(members)) throw new TypeError("members must be an array");
  if (!Array.isArray(partitions)) throw new TypeError("partitions must be an array");
  const ids = new Set<string>();
  members.forEach((m, i) => {
    if (typeof m?.id !== "string") throw new TypeError(`members[${i}].id must be a string`);
    if (ids.has(m.id)) throw new RangeError(`members[${i}].id: duplicate member id "${m.id}"`);
    ids.add(m.id);
    if (!Array.isArray(m.topics) || m.topics.some((t: unknown) => typeof t !== "string")) {
      throw new TypeError(`members[${i}].topics must be an array of strings`);
    }
    if (!Array.isArray(m.ownedPartitions)) {
      throw new TypeError(`members[${i}].ownedPartitions must be an array`);
    }
  });
  partitions.forEach((p, i) => {
    if (typeof p?.topic !== "string") {
      throw new TypeError(`partitions[${i}].topic must be a string`);
    }
    if (typeof p.id !== "number") throw new TypeError(`partitions[${i}].id must be a number`);
    if (!Number.isSafeInteger(p.id) || p.id < 0) {
      throw new RangeError(`partitions[${i}].id must be a non-negative integer, got ${p.id}`);
    }
  });
}

/** A member's rack, with an empty rack counting as none (as the Java client reads it). */
function rackOf(m: GroupMember): string | null {
  return m.rackId === null || m.rackId === undefined || m.rackId === "" ? null : m.rackId;
}

/**
 * Java's member order (`MemberInfo.compareTo`): static members first, by group instance id, then
 * the others by member id.
 */
function compareMembers(a: GroupMember, b: GroupMember): number {
  const x = a.groupInstanceId ?? null;
  const y = b.groupInstanceId ?? null;
  if (x !== null && y !== null) return compareStrings(x, y);
  if (x !== null) return -1;
  if (y !== null) return 1;
  return compareStrings(a.id, b.id);
}

/** Topic → its partitions (ascending, one per id), for the topics some member subscribes to. */
function partitionsByTopic(
  members: readonly GroupMember[],
  partitions: readonly GroupPartition[],
): Map<string, GroupPartition[]> {
  const subscribed = new Set(members.flatMap((m) => m.topics));
  const byTopic = new Map<string, Map<number, GroupPartition>>();
  for (const p of partitions) {
    if (!subscribed.has(p.topic)) continue;
    let ids = byTopic.get(p.topic);
    if (ids === undefined) byTopic.set(p.topic, ids = new Map());
    if (!ids.has(p.id)) ids.set(p.id, p);
  }
  const topics = [...byTopic.keys()].sort(compareStrings);
  return new Map(topics.map((t) => [t, [...byTopic.get(t)!.values()].sort((a, b) => a.id - b.id)]));
}

/** Collects partitions per member and returns them in the documented result shape. */
class Assignments {
  private readonly byMember = new Map<string, Map<string, number[]>>();

  constructor(members: readonly GroupMember[]) {
    for (const m of members) this.byMember.set(m.id, new Map());
  }

  add(member: string, topic: string, id: number): void {
    const topics = this.byMember.get(member)!;
    const ids = topics.get(topic);
    if (ids === undefined) topics.set(topic, [id]);
    else ids.push(id);
  }

  result(): GroupMemberAssignments {
    const out: GroupMemberAssignments = new Map();
    for (const [member, topics] of this.byMember) {
      const sorted = [...topics.keys()].sort(compareStrings);
      out.set(member, new Map(sorted.map((t) => [t, topics.get(t)!.sort((a, b) => a - b)])));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// range

/** One topic's state during a range assignment (Java's `TopicAssignmentState`). */
class RangeTopic {
  /** Subscribed members in Java's member order, with their racks. */
  readonly members: Map<string, string | null>;
  /** Partition id → replica racks; empty when no member of the topic has a rack. */
  readonly partitionRacks = new Map<number, Set<string>>();
  readonly needsRacks: boolean;
  readonly unassigned: Set<number>;
  private readonly counts = new Map<string, number>();
  private readonly perMember: number;
  private extra: number;
  readonly topic: string;
  private readonly out: Assignments;

  constructor(
    topic: string,
    partitions: readonly GroupPartition[],
    members: readonly GroupMember[],
    out: Assignments,
  ) {
    this.topic = topic;
    this.out = out;
    this.members = new Map(members.map((m) => [m.id, rackOf(m)]));
    this.unassigned = new Set(partitions.map((p) => p.id));
    for (const id of this.members.keys()) this.counts.set(id, 0);
    const n = this.members.size;
    this.perMember = n === 0 ? 0 : Math.floor(partitions.length / n);
    this.extra = n === 0 ? 0 : partitions.length % n;
    const memberRacks = new Set<string>();
    for (const rack of this.members.values()) if (rack !== null) memberRacks.add(rack);
    const allRacks = new Set<string>();
    if (memberRacks.size > 0) {
      for (const p of partitions) {
        const racks = new Set(p.replicaRacks);
        this.partitionRacks.set(p.id, racks);
        for (const r of racks) allRacks.add(r);
      }
    }
    this.needsRacks = usesRackAwareAssignment(memberRacks, allRacks, this.partitionRacks.values());
  }

  /** Members and racks as one string: topics with the same key are co-partitioned candidates. */
  get membersKey(): string {
    return JSON.stringify([...this.members]);
  }

  racksMatch(member: string, id: number): boolean {
    const rack = this.members.get(member);
    return rack === null || rack === undefined || (this.partitionRacks.get(id)?.has(rack) ?? false);
  }

  /** How many more partitions the member may take without unbalancing the topic. */
  room(member: string): number {
    const cap = this.perMember + (this.extra > 0 ? 1 : 0);
    return Math.max(0, cap - this.counts.get(member)!);
  }

  assign(member: string, ids: readonly number[]): void {
    const count = this.counts.get(member)! + ids.length;
    this.counts.set(member, count);
    if (count > this.perMember) this.extra--;
    for (const id of ids) {
      this.unassigned.delete(id);
      this.out.add(member, this.topic, id);
    }
  }

  /** Gives each member, in order, a contiguous run of the partitions `allowed` lets it take. */
  assignRanges(allowed: (member: string, id: number) => boolean): void {
    for (const member of this.members.keys()) {
      if (this.unassigned.size === 0) break;
      const room = this.room(member);
      const ids: number[] = [];
      for (const id of this.unassigned) {
        if (ids.length >= room) break;
        if (allowed(member, id)) ids.push(id);
      }
      if (ids.length > 0) this.assign(member, ids);
    }
  }
}

/**
 * Rack matching for topics with the same members and partition count: partition `p` of all of
 * them goes to one member in a rack of every one of their replicas, keeping them co-located.
 */
function assignCoPartitioned(topics: readonly RangeTopic[], count: number): void {
  const remaining = [...topics[0].members.keys()];
  for (let p = 0; p < count && remaining.length > 0; p++) {
    const member = remaining.find((m) =>
      topics.every((t) => t.unassigned.has(p) && t.racksMatch(m, p) && t.room(m) > 0)
    );
    if (member === undefined) continue;
    for (const t of topics) t.assign(member, [p]);
    if (topics.every((t) => t.room(member) === 0)) removeFirst(remaining, member);
  }
}

/**
 * The `range` balancer: per topic, the subscribed members (in member id order, static members
 * first by group instance id) each take a contiguous range of partitions, the first ones one more
 * when the count does not divide evenly. Same result as the Java client's `RangeAssignor`,
 * including its rack-aware variant (KIP-881) when members report racks.
 */
export class RangeGroupBalancer implements GroupBalancer {
  /** `range`. */
  readonly protocolName: string = "range";

  /** Assigns the partitions; see the class description. */
  assignGroups(
    members: GroupMember[],
    partitions: GroupPartition[],
  ): GroupMemberAssignments {
    checkInput(members, partitions);
    const out = new Assignments(members);
    const sorted = [...members].sort(compareMembers);
    const topics = [...partitionsByTopic(members, partitions)].map(([topic, parts]) =>
      new RangeTopic(topic, parts, sorted.filter((m) => m.topics.includes(topic)), out)
    );
    if (topics.some((t) => t.needsRacks)) {
      const groups = new Map<string, RangeTopic[]>();
      for (const t of topics) {
        const key = JSON.stringify([t.membersKey, t.partitionRacks.size]);
        const group = groups.get(key);
        if (group === undefined) groups.set(key, [t]);
        else group.push(t);
      }
      for (const group of groups.values()) {
        if (group.length > 1) assignCoPartitioned(group, group[0].partitionRacks.size);
        else if (group[0].needsRacks) group[0].assignRanges((m, p) => group[0].racksMatch(m, p));
      }
    }
    for (const t of topics) t.assignRanges(() => true);
    return out.result();
  }
}

// ---------------------------------------------------------------------------------------------
// roundrobin

/**
 * The `roundrobin` balancer: all partitions, sorted by topic then id, are dealt in turn to the
 * members (in member id order, static members first by group instance id), skipping members not
 * subscribed to the partition's topic. Same result as the Java client's `RoundRobinAssignor`.
 */
export class RoundRobinGroupBalancer implements GroupBalancer {
  /** `roundrobin`. */
  readonly protocolName: string = "roundrobin";

  /** Assigns the partitions; see the class description. */
  assignGroups(
    members: GroupMember[],
    partitions: GroupPartition[],
  ): GroupMemberAssignments {
    checkInput(members, partitions);
    const out = new Assignments(members);
    const sorted = [...members].sort(compareMembers).map((m) => ({
      id: m.id,
      topics: new Set(m.topics),
    }));
    let next = 0;
    for (const [topic, parts] of partitionsByTopic(members, partitions)) {
      for (const p of parts) {
        while (!sorted[next].topics.has(topic)) next = (next + 1) % sorted.length;
        out.add(sorted[next].id, topic, p.id);
        next = (next + 1) % sorted.length;
      }
    }
    return out.result();
  }
}

// ---------------------------------------------------------------------------------------------
// rack-affinity

/** Options of {@linkcode RackAffinityGroupBalancer}. */
export interface RackAffinityGroupBalancerOptions {
  /** The rack this member runs in; sent to the leader as the subscription's userData. */
  rack: string;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * kafka-go's `rack-affinity` balancer: per topic, members take partitions whose leader is in
 * their rack (read from each member's userData) as far as an even spread allows, then the rest
 * are spread regardless of rack. Members are visited in member id order and racks in name order,
 * where kafka-go's order varies from run to run, so the result is deterministic but may differ
 * from a kafka-go leader's when several assignments are equally good.
 */
export class RackAffinityGroupBalancer implements GroupBalancer {
  /** `rack-affinity`. */
  readonly protocolName: string = "rack-affinity";
  /** This member's rack. */
  readonly rack: string;

  /** A balancer for a member in `options.rack`; a rack that is not a string is a TypeError. */
  constructor(options: RackAffinityGroupBalancerOptions) {
    if (typeof options?.rack !== "string") {
      throw new TypeError(`options.rack must be a string, got ${typeof options?.rack}`);
    }
    this.rack = options.rack;
  }

  /** The rack as UTF-8 bytes. */
  userData(_state?: MemberState): Uint8Array {
    return utf8.encode(this.rack);
  }

  /** Assigns the partitions; see the class description. */
  assignGroups(
    members: GroupMember[],
    partitions: GroupPartition[],
  ): GroupMemberAssignments {
    checkInput(members, partitions);
    const out = new Assignments(members);
    const sorted = [...members].sort((a, b) => compareStrings(a.id, b.id));
    for (const [topic, parts] of partitionsByTopic(members, partitions)) {
      const subscribed = sorted.filter((m) => m.topics.includes(topic));
      for (const [member, ids] of assignByRack(subscribed, parts)) {
        for (const id of ids) out.add(member, topic, id);
      }
    }
    return out.result();
  }
}

/** Groups values by key, keeping their order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

/** One topic of kafka-go's rack-affinity assignment. */
function assignByRack(
  members: readonly GroupMember[],
  partitions: readonly GroupPartition[],
): Map<string, number[]> {
  const byRack = groupBy(partitions, (p) => p.leaderRack ?? "");
  const membersByRack = groupBy(members, (m) => fromUtf8.decode(m.userData ?? new Uint8Array()));
  const target = Math.floor(partitions.length / members.length);
  let remainder = partitions.length % members.length;
  const out = new Map<string, number[]>(members.map((m) => [m.id, []]));

  // In-rack first: up to the target each, and the remainder's extra partitions where possible.
  const left: number[] = [];
  for (const rack of [...byRack.keys()].sort(compareStrings)) {
    let ids = byRack.get(rack)!.map((p) => p.id);
    const local = membersByRack.get(rack);
    if (local === undefined) {
      left.push(...ids);
      continue;
    }
    const each = Math.min(Math.floor(ids.length / local.length), target);
    for (const m of local) out.get(m.id)!.push(...ids.splice(0, each));
    let extra = ids.length;
    if (each === target) {
      extra = Math.min(extra, remainder, local.length);
      remainder -= extra;
    }
    for (let i = 0; i < extra; i++) out.get(local[i].id)!.push(ids[i]);
    ids = ids.slice(extra);
    left.push(...ids);
  }

  // Then whatever is left to members below the target, or at it while the remainder lasts.
  for (const m of members) {
    const assigned = out.get(m.id)!;
    let delta = target - assigned.length;
    if (delta >= 0 && remainder > 0) {
      delta++;
      remainder--;
    }
    if (delta > 0) assigned.push(...left.splice(0, delta));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// cooperative-sticky

/**
 * The `cooperative-sticky` balancer: the Java client's `CooperativeStickyAssignor`, so kafkit
 * and Java members can share a group and either may lead.
 *
 * The assignment is balanced (when all members subscribe to the same topics, partition counts
 * differ by at most one), and sticky: members keep the partitions they own where balance allows,
 * and as few as possible move. Following KIP-429, a partition that changes owner is left out of
 * this generation's assignment: its old owner revokes it, rejoins, and the next rebalance gives
 * it to the new owner. When members claim the same partition, the one with the newest generation
 * keeps it; claims in the same generation all lose it. Members' racks (KIP-881) are matched with
 * the partitions' replica racks when that can make a difference.
 *
 * The subscription's userData is the member's generation, a 4-byte big-endian integer, exactly as
 * Java sends it; the leader reads the generation from the subscription's own field when the
 * subscription has one (version 2 and up), else from the userData.
 */
export class CooperativeStickyGroupBalancer implements GroupBalancer {
  /** `cooperative-sticky`. */
  readonly protocolName: string = "cooperative-sticky";
  /** `cooperative`: partitions change owner over two rebalances, never directly. */
  readonly rebalanceProtocol: "eager" | "cooperative" = "cooperative";

  /**
   * The member's last generation as 4 big-endian bytes; a `state.generationId` that is not a
   * 32-bit integer is a RangeError.
   */
  userData(state: MemberState): Uint8Array {
    const generation = state?.generationId;
    if (!Number.isInteger(generation) || generation < -(2 ** 31) || generation >= 2 ** 31) {
      throw new RangeError(`state.generationId must be a 32-bit integer, got ${generation}`);
    }
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, generation);
    return bytes;
  }

  /** Assigns the partitions; see the class description. */
  assignGroups(
    members: GroupMember[],
    partitions: GroupPartition[],
  ): GroupMemberAssignments {
    checkInput(members, partitions);
    const out = new Assignments(members);
    for (const [member, list] of stickyAssign(members, partitions)) {
      for (const tp of list) out.add(member, tp.topic, tp.partition);
    }
    return out.result();
  }
}

/** Java's `CooperativeStickyAssignor.assign`, without the partitions that change owner. */
function stickyAssign(
  members: readonly GroupMember[],
  partitions: readonly GroupPartition[],
): StickyAssignment {
  if (members.length === 0) return new Map();
  const universe = new PartitionUniverse(partitions, new Set(members.flatMap((m) => m.topics)));
  const order = javaHashOrder(
    members.map((m) => toMember(m, universe)),
    (m) => javaStringHash(m.id),
  );
  const ownership = resolveOwnership(order);
  const racks = new RackInfo(universe, order);
  const first = order[0].topicSet;
  const sameTopics = order.every((m) =>
    m.topicSet.size === first.size && m.topics.every((t) => first.has(t))
  );
  let assignment: StickyAssignment;
  let moving: Map<TopicPartition, string>;
  if (sameTopics) {
    const quota = new QuotaAssignment(universe, racks, ownership);
    assignment = quota.build();
    moving = quota.moving;
  } else {
    assignment = new GeneralAssignment(universe, racks, ownership, order).build();
    moving = changingOwner(order, assignment);
  }
  for (const [tp, member] of moving) removeFirst(assignment.get(member)!, tp);
  return assignment;
}

/** Partitions given to a member that did not claim them while another member gives them up. */
function changingOwner(
  order: readonly Member[],
  assignment: StickyAssignment,
): Map<TopicPartition, string> {
  const added = new Map<TopicPartition, string>();
  const revoked = new Set<TopicPartition>();
  for (const m of order) {
    const assigned = assignment.get(m.id) ?? [];
    const claims = new Set(m.claims);
    for (const tp of assigned) if (!claims.has(tp)) added.set(tp, m.id);
    const kept = new Set(assigned);
    for (const tp of m.claims) if (!kept.has(tp)) revoked.add(tp);
  }
  for (const tp of added.keys()) if (!revoked.has(tp)) added.delete(tp);
  return added;
}
