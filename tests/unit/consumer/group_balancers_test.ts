import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CooperativeStickyGroupBalancer,
  RackAffinityGroupBalancer,
  RangeGroupBalancer,
  RoundRobinGroupBalancer,
} from "../../../src/consumer/assignors/group_balancers.ts";
import type {
  GroupBalancer,
  GroupMember,
  GroupMemberAssignments,
  GroupPartition,
} from "../../../src/consumer/assignors/group_balancers.ts";

const RUNS = 200;

interface MemberOptions {
  instance?: string;
  rack?: string;
  /** Owned partitions as "topic:id,topic:id". */
  owned?: string;
  /** The subscription's generation field. */
  generation?: number;
  /** A generation encoded in userData, as the cooperative-sticky balancer does. */
  userData?: number;
}

function generationBytes(generation: number): Uint8Array {
  return new CooperativeStickyGroupBalancer().userData({
    generationId: generation,
    ownedPartitions: [],
    rackId: null,
  });
}

function member(id: string, topics: string, o: MemberOptions = {}): GroupMember {
  const owned = new Map<string, number[]>();
  for (const tp of (o.owned ?? "").split(",").filter(Boolean)) {
    const [t, p] = tp.split(":");
    owned.set(t, [...(owned.get(t) ?? []), Number(p)]);
  }
  return {
    id,
    groupInstanceId: o.instance ?? null,
    topics: topics.split(","),
    userData: o.userData === undefined ? null : generationBytes(o.userData),
    ownedPartitions: [...owned].map(([topic, partitions]) => ({ topic, partitions })),
    generationId: o.generation ?? -1,
    rackId: o.rack ?? null,
  };
}

/** Partitions per topic: a count, or one "rack+rack" string of replica racks per partition. */
function parts(spec: Record<string, number | string[]>): GroupPartition[] {
  return Object.entries(spec).flatMap(([topic, n]): GroupPartition[] =>
    typeof n === "number"
      ? Array.from({ length: n }, (_, id) => ({ topic, id, leaderRack: null, replicaRacks: [] }))
      : n.map((racks, id) => {
        const replicaRacks = racks.split("+").filter(Boolean);
        return { topic, id, leaderRack: replicaRacks[0] ?? null, replicaRacks };
      })
  );
}

/** The result as member → "topic:id,…" (topics and ids ascending), the Java vectors' shape. */
function flat(result: GroupMemberAssignments): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [m, topics] of result) {
    out[m] = [...topics].flatMap(([t, ids]) => ids.map((p) => `${t}:${p}`)).join(",");
  }
  return out;
}

/** Partition keys ("topic:id") per member. */
function keysOf(result: GroupMemberAssignments): Map<string, string[]> {
  return new Map(
    [...result].map(([m, topics]) => [
      m,
      [...topics].flatMap(([t, ids]) => ids.map((p) => `${t}:${p}`)),
    ]),
  );
}

function claimsOf(m: GroupMember): string[] {
  return m.ownedPartitions.flatMap((o) => o.partitions.map((p) => `${o.topic}:${p}`));
}

/** Checks what every balancer promises, and returns partition → member. */
function checkValid(
  result: GroupMemberAssignments,
  members: GroupMember[],
  partitions: GroupPartition[],
): Map<string, string> {
  assert.deepEqual([...result.keys()].sort(), members.map((m) => m.id).sort());
  const exists = new Set(partitions.map((p) => `${p.topic}:${p.id}`));
  const owner = new Map<string, string>();
  for (const m of members) {
    const topics = result.get(m.id)!;
    for (const [topic, ids] of topics) {
      assert.ok(m.topics.includes(topic), `${m.id} got ${topic} without subscribing`);
      assert.ok(ids.length > 0, "no empty topic entries");
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "ids ascending");
      for (const id of ids) {
        const key = `${topic}:${id}`;
        assert.ok(exists.has(key), `${key} does not exist`);
        assert.ok(!owner.has(key), `${key} assigned twice`);
        owner.set(key, m.id);
      }
    }
  }
  return owner;
}

const counts = (result: GroupMemberAssignments) =>
  [...keysOf(result).values()].map((l) => l.length);
const spread = (result: GroupMemberAssignments) => {
  const c = counts(result);
  return Math.max(...c) - Math.min(...c);
};

/** Members adopt their assignment, as they would after the rebalance, at `generation`. */
function adopt(
  members: GroupMember[],
  result: GroupMemberAssignments,
  generation: number,
): GroupMember[] {
  return members.map((m) => ({
    ...m,
    ownedPartitions: [...result.get(m.id)!].map(([topic, ids]) => ({
      topic,
      partitions: [...ids],
    })),
    generationId: generation,
    userData: generationBytes(generation),
  }));
}

// Expected assignments below marked "Java" were produced by the Java client 4.3.1's own assignors
// (RangeAssignor, RoundRobinAssignor, CooperativeStickyAssignor) on the same input, with the
// subscriptions put into a HashMap in the listed order, as its ConsumerCoordinator does.

describe("RangeGroupBalancer", () => {
  const range: GroupBalancer = new RangeGroupBalancer();

  it("is the range protocol", () => {
    assert.equal(range.protocolName, "range");
    assert.equal(range.rebalanceProtocol, undefined);
  });

  it("splits each topic in contiguous ranges, the first members taking one more (Java)", () => {
    const members = [member("c2", "t0,t1"), member("c0", "t0,t1"), member("c1", "t0,t1")];
    assert.deepEqual(flat(range.assignGroups(members, parts({ t0: 7, t1: 2 }))), {
      c2: "t0:5,t0:6",
      c0: "t0:0,t0:1,t0:2,t1:0",
      c1: "t0:3,t0:4,t1:1",
    });
  });

  it("ranges each topic over its own subscribers (Java)", () => {
    const members = [member("c0", "t0,t1"), member("c1", "t1"), member("c2", "t0")];
    assert.deepEqual(flat(range.assignGroups(members, parts({ t0: 4, t1: 3 }))), {
      c0: "t0:0,t0:1,t1:0,t1:1",
      c1: "t1:2",
      c2: "t0:2,t0:3",
    });
  });

  it("orders static members first, by group instance id (Java)", () => {
    const members = [
      member("a", "t0", { instance: "z" }),
      member("b", "t0", { instance: "y" }),
      member("c", "t0"),
    ];
    assert.deepEqual(flat(range.assignGroups(members, parts({ t0: 5 }))), {
      a: "t0:2,t0:3",
      b: "t0:0,t0:1",
      c: "t0:4",
    });
  });

  it("matches members with replica racks, co-partitioned topics together (Java)", () => {
    const members = [
      member("a", "t0,t1,t2", { rack: "r1" }),
      member("b", "t0,t1,t2", { rack: "r2" }),
      member("c", "t2", { rack: "r2" }),
    ];
    const partitions = parts({
      t0: ["r1", "r2", "r1", "r2"],
      t1: ["r1", "r2", "r1", "r2"],
      t2: ["r1", "r1+r2", "r1", "r2", "r1"],
    });
    assert.deepEqual(flat(range.assignGroups(members, partitions)), {
      a: "t0:0,t0:2,t1:0,t1:2,t2:0,t2:1",
      b: "t0:1,t0:3,t1:1,t1:3,t2:2,t2:3",
      c: "t2:4",
    });
  });

  it("ignores unsubscribed topics and lists members with nothing", () => {
    const members = [member("a", "t0"), member("b", "t0,missing")];
    const result = range.assignGroups(members, parts({ t0: 1, other: 3 }));
    assert.deepEqual(flat(result), { a: "t0:0", b: "" });
    assert.deepEqual(result.get("b"), new Map());
  });
});

describe("RoundRobinGroupBalancer", () => {
  const rr = new RoundRobinGroupBalancer();

  it("is the roundrobin protocol", () => assert.equal(rr.protocolName, "roundrobin"));

  it("deals sorted partitions over sorted members (Java)", () => {
    const members = [member("c1", "t0,t1"), member("c0", "t0,t1"), member("c2", "t0,t1")];
    assert.deepEqual(flat(rr.assignGroups(members, parts({ t0: 3, t1: 2 }))), {
      c1: "t0:1,t1:1",
      c0: "t0:0,t1:0",
      c2: "t0:2",
    });
  });

  it("skips members not subscribed to the partition's topic (Java)", () => {
    // t0:0 c0, t0:1 c1, t0:2 c0 (c2 skipped), t1:0 c1, t1:1 c2, t1:2 c1 (c0 skipped)
    const members = [member("c0", "t0"), member("c1", "t0,t1"), member("c2", "t1")];
    assert.deepEqual(flat(rr.assignGroups(members, parts({ t0: 3, t1: 3 }))), {
      c0: "t0:0,t0:2",
      c1: "t0:1,t1:0,t1:2",
      c2: "t1:1",
    });
  });

  it("orders static members first, by group instance id (Java)", () => {
    const members = [
      member("a", "t0,t1", { instance: "i2" }),
      member("b", "t0,t1", { instance: "i1" }),
      member("c", "t0"),
    ];
    assert.deepEqual(flat(rr.assignGroups(members, parts({ t0: 4, t1: 3 }))), {
      a: "t0:1,t1:0,t1:2",
      b: "t0:0,t0:3,t1:1",
      c: "t0:2",
    });
  });
});

describe("RackAffinityGroupBalancer", () => {
  const rackMember = (id: string, rack: string, topics = "t0") => ({
    ...member(id, topics),
    userData: new RackAffinityGroupBalancer({ rack }).userData(),
  });
  /** Partitions of t0 whose leaders are in the given racks. */
  const led = (...racks: (string | null)[]): GroupPartition[] =>
    racks.map((r, id) => ({ topic: "t0", id, leaderRack: r, replicaRacks: r ? [r] : [] }));

  it("is kafka-go's rack-affinity protocol and sends its rack", () => {
    const b = new RackAffinityGroupBalancer({ rack: "us-east-1a" });
    assert.equal(b.protocolName, "rack-affinity");
    assert.deepEqual(b.userData(), new TextEncoder().encode("us-east-1a"));
    assert.deepEqual(new RackAffinityGroupBalancer({ rack: "" }).userData(), new Uint8Array());
  });

  it("refuses a rack that is not a string", () => {
    assert.throws(
      () => new RackAffinityGroupBalancer({ rack: 1 as unknown as string }),
      (e: unknown) => e instanceof TypeError && /options\.rack/.test(e.message),
    );
    assert.throws(
      () => new RackAffinityGroupBalancer(undefined as unknown as { rack: string }),
      TypeError,
    );
  });

  it("gives members the partitions led from their rack", () => {
    const b = new RackAffinityGroupBalancer({ rack: "a" });
    const members = [rackMember("m2", "b"), rackMember("m1", "a")];
    assert.deepEqual(flat(b.assignGroups(members, led("b", "a", "a", "b"))), {
      m1: "t0:1,t0:2",
      m2: "t0:0,t0:3",
    });
  });

  it("places the remainder in rack when it can, then spreads the rest", () => {
    const b = new RackAffinityGroupBalancer({ rack: "a" });
    // target 1 each, remainder 2: both extras stay in rack a
    const members = [rackMember("m1", "a"), rackMember("m2", "a"), rackMember("m3", "b")];
    assert.deepEqual(flat(b.assignGroups(members, led("a", "a", "a", "a", "b"))), {
      m1: "t0:0,t0:2",
      m2: "t0:1,t0:3",
      m3: "t0:4",
    });
    // target 2: m1 takes the only partition led from a, m3 both led from b; no member is in
    // rack c and partition 3 has no rack, so 3, 0 and 2 go to whoever is short, in that order
    assert.deepEqual(flat(b.assignGroups(members, led("c", "a", "c", null, "b", "b"))), {
      m1: "t0:1,t0:3",
      m2: "t0:0,t0:2",
      m3: "t0:4,t0:5",
    });
  });

  it("is balanced, valid and deterministic", () => {
    const b = new RackAffinityGroupBalancer({ rack: "a" });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c", ""), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom("a", "b", "c", null), { maxLength: 30 }),
        (memberRacks, leaders) => {
          const members = memberRacks.map((r, i) => rackMember(`m${i}`, r));
          const partitions = led(...leaders);
          const result = b.assignGroups(members, partitions);
          const owner = checkValid(result, members, partitions);
          assert.equal(owner.size, partitions.length);
          assert.ok(spread(result) <= 1);
          assert.deepEqual(b.assignGroups(members, partitions), result);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("CooperativeStickyGroupBalancer", () => {
  const sticky = new CooperativeStickyGroupBalancer();

  it("is the cooperative-sticky protocol", () => {
    assert.equal(sticky.protocolName, "cooperative-sticky");
    assert.equal(sticky.rebalanceProtocol, "cooperative");
  });

  it("sends its generation in userData exactly as Java does", () => {
    // Bytes from CooperativeStickyAssignor.subscriptionUserData after onAssignment(generation).
    const java: [number, string][] = [
      [-1, "ffffffff"],
      [0, "00000000"],
      [1, "00000001"],
      [7, "00000007"],
      [258, "00000102"],
      [2147483647, "7fffffff"],
    ];
    for (const [generationId, hex] of java) {
      const bytes = sticky.userData({ generationId, ownedPartitions: [], rackId: null });
      assert.equal([...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""), hex);
    }
    for (const generationId of [2 ** 31, -(2 ** 31) - 1, 1.5, NaN]) {
      assert.throws(
        () => sticky.userData({ generationId, ownedPartitions: [], rackId: null }),
        (e: unknown) => e instanceof RangeError && /state\.generationId/.test(e.message),
      );
    }
  });

  const java: [string, GroupMember[], GroupPartition[], Record<string, string>][] = [
    [
      "a fresh group",
      [member("c0", "t0,t1"), member("c1", "t0,t1"), member("c2", "t0,t1")],
      parts({ t0: 4, t1: 3 }),
      { c0: "t0:0,t0:3,t1:2", c1: "t0:1,t1:0", c2: "t0:2,t1:1" },
    ],
    [
      // Java visits the members in HashMap order (consumer-c, -b, -a), so consumer-b keeps three
      // and consumer-a two; the two consumer-a gives up go to consumer-c next time (KIP-429).
      "a member joining",
      [
        member("consumer-a", "t0,t1", { owned: "t0:0,t0:1,t0:2,t1:0", generation: 3, userData: 3 }),
        member("consumer-b", "t0,t1", { owned: "t0:3,t1:1,t1:2", generation: 3, userData: 3 }),
        member("consumer-c", "t0,t1"),
      ],
      parts({ t0: 4, t1: 3 }),
      { "consumer-a": "t0:0,t1:0", "consumer-b": "t0:3,t1:1,t1:2", "consumer-c": "" },
    ],
    [
      "a member leaving",
      [
        member("m1", "t0", { owned: "t0:0,t0:1", generation: 7, userData: 7 }),
        member("m3", "t0", { owned: "t0:4,t0:5", generation: 7, userData: 7 }),
      ],
      parts({ t0: 6 }),
      { m1: "t0:0,t0:1,t0:2", m3: "t0:3,t0:4,t0:5" },
    ],
    [
      "members claiming the same partitions",
      [
        member("a", "t0", { owned: "t0:0,t0:2", generation: 5, userData: 5 }),
        member("b", "t0", { owned: "t0:0,t0:3", generation: 4, userData: 4 }),
        member("c", "t0", { owned: "t0:1", generation: 5, userData: 5 }),
        member("d", "t0", { owned: "t0:1,t0:4", generation: 5, userData: 5 }),
      ],
      parts({ t0: 6 }),
      { a: "t0:0,t0:2", b: "t0:3,t0:5", c: "", d: "t0:4" },
    ],
    [
      "generations only in userData (subscription v0/v1)",
      [
        member("a", "t0", { owned: "t0:0,t0:1,t0:2", userData: 9 }),
        member("b", "t0", { owned: "t0:0,t0:3", userData: 8 }),
        member("c", "t0"),
      ],
      parts({ t0: 6 }),
      { a: "t0:1,t0:2", b: "t0:0,t0:3", c: "t0:4,t0:5" },
    ],
    [
      "members subscribed to different topics",
      [
        member("a", "t0,t1", { owned: "t0:0,t0:1,t0:2,t1:0,t1:1", generation: 2, userData: 2 }),
        member("b", "t1,t2", { owned: "t2:0,t2:1", generation: 2, userData: 2 }),
        member("c", "t2"),
        member("d", "t0,t1,t2"),
      ],
      parts({ t0: 3, t1: 4, t2: 3 }),
      { a: "t0:1,t0:2,t1:1", b: "t2:1", c: "t2:2", d: "t1:2,t1:3" },
    ],
    [
      "new partitions",
      [
        member("a", "t0,t1", { owned: "t0:0,t0:1", generation: 4, userData: 4 }),
        member("b", "t0,t1", { owned: "t0:2,t0:3", generation: 4, userData: 4 }),
      ],
      parts({ t0: 6, t1: 2 }),
      { a: "t0:0,t0:1,t0:4,t1:0", b: "t0:2,t0:3,t0:5,t1:1" },
    ],
    [
      "racks",
      [
        member("a", "t0", { rack: "r1", owned: "t0:0,t0:1", generation: 1, userData: 1 }),
        member("b", "t0", { rack: "r2", owned: "t0:2", generation: 1, userData: 1 }),
        member("c", "t0", { rack: "r2" }),
      ],
      parts({ t0: ["r1", "r2", "r1", "r2", "r1", "r2"] }),
      { a: "t0:0", b: "t0:5", c: "t0:3,t0:4" },
    ],
  ];
  for (const [name, members, partitions, expected] of java) {
    it(`assigns as Java does: ${name}`, () => {
      const result = sticky.assignGroups(members, partitions);
      checkValid(result, members, partitions);
      assert.deepEqual(flat(result), expected);
    });
  }

  it("gives the partitions held back by KIP-429 in the follow-up rebalance", () => {
    const members = java[1][1];
    const partitions = java[1][2];
    const first = sticky.assignGroups(members, partitions);
    const second = sticky.assignGroups(adopt(members, first, 4), partitions);
    assert.deepEqual(flat(second), {
      "consumer-a": "t0:0,t1:0",
      "consumer-b": "t0:3,t1:1,t1:2",
      "consumer-c": "t0:1,t0:2",
    });
  });

  /** Random members with random (even conflicting or stale) claims and generations. */
  const chaotic = fc.record({
    sizes: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 3 }),
    sameTopics: fc.boolean(),
    members: fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        topics: fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }),
        claims: fc.array(fc.tuple(fc.nat(3), fc.nat(12)), { maxLength: 8 }),
        generation: fc.integer({ min: -1, max: 4 }),
        inUserData: fc.boolean(),
        rack: fc.constantFrom(null, "r0", "r1"),
      }),
      { selector: (m) => m.id, minLength: 1, maxLength: 8 },
    ),
    partitionRacks: fc.array(fc.subarray(["r0", "r1", "r2"]), { maxLength: 30 }),
  }).map(({ sizes, sameTopics, members, partitionRacks }) => {
    const topicNames = sizes.map((_, i) => `t${i}`);
    const partitions: GroupPartition[] = sizes.flatMap((n, t) =>
      Array.from({ length: n }, (_, id) => {
        const racks = partitionRacks[(t * 10 + id) % (partitionRacks.length || 1)] ?? [];
        return { topic: `t${t}`, id, leaderRack: racks[0] ?? null, replicaRacks: racks };
      })
    );
    const groupMembers: GroupMember[] = members.map((m) => ({
      id: m.id,
      groupInstanceId: null,
      topics: sameTopics
        ? topicNames
        : [...new Set(m.topics.map((t) => topicNames[t % topicNames.length]))],
      userData: m.inUserData ? generationBytes(m.generation) : null,
      ownedPartitions: m.claims.map(([t, id]) => ({ topic: `t${t}`, partitions: [id] })),
      generationId: m.inUserData ? -1 : m.generation,
      rackId: m.rack,
    }));
    return { members: groupMembers, partitions };
  });

  it("never hands a partition straight from one member to another (KIP-429)", () => {
    fc.assert(
      fc.property(chaotic, ({ members, partitions }) => {
        const result = sticky.assignGroups(members, partitions);
        const owner = checkValid(result, members, partitions);
        for (const [key, to] of owner) {
          const claimants = members.filter((m) => claimsOf(m).includes(key)).map((m) => m.id);
          assert.ok(
            claimants.length === 0 || claimants.includes(to),
            `${key} went to ${to} while ${claimants.join(", ")} may still hold it`,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("is deterministic and leaves its input alone", () => {
    fc.assert(
      fc.property(chaotic, ({ members, partitions }) => {
        const snapshot = structuredClone({ members, partitions });
        const a = sticky.assignGroups(members, partitions);
        const b = new CooperativeStickyGroupBalancer().assignGroups(members, partitions);
        assert.deepEqual(a, b);
        assert.deepEqual({ members, partitions }, snapshot);
      }),
      { numRuns: RUNS },
    );
  });

  /** A group that settled on an assignment, then changed: members left, joined, partitions grew. */
  const settled = fc.record({
    sizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
    before: fc.integer({ min: 1, max: 7 }),
    leaving: fc.array(fc.nat(6), { maxLength: 3 }),
    joining: fc.integer({ min: 0, max: 3 }),
    growth: fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }),
  });

  it("keeps all it can, moves the minimum and ends balanced", () => {
    fc.assert(
      fc.property(settled, ({ sizes, before, leaving, joining, growth }) => {
        const topics = sizes.map((_, i) => `t${i}`).join(",");
        let members = Array.from({ length: before }, (_, i) => member(`m${i}`, topics));
        let partitions = parts(Object.fromEntries(sizes.map((n, i) => [`t${i}`, n])));
        for (let gen = 1; gen <= 2; gen++) {
          members = adopt(members, sticky.assignGroups(members, partitions), gen);
        }
        members = members.filter((_, i) => !leaving.includes(i));
        for (let j = 0; j < joining; j++) members.push(member(`new${j}`, topics));
        if (members.length === 0) return;
        partitions = parts(
          Object.fromEntries(sizes.map((n, i) => [`t${i}`, n + growth[i % growth.length]])),
        );

        const first = sticky.assignGroups(members, partitions);
        checkValid(first, members, partitions);
        const total = partitions.length;
        const minQuota = Math.floor(total / members.length);
        const maxQuota = Math.ceil(total / members.length);
        const extra = total % members.length;
        const assigned = keysOf(first);
        let kept = 0;
        let best = 0;
        let above = 0;
        for (const m of members) {
          const owned = claimsOf(m);
          const keeps = assigned.get(m.id)!.filter((k) => owned.includes(k)).length;
          assert.ok(keeps >= Math.min(owned.length, minQuota), `${m.id} kept too few`);
          assert.ok(assigned.get(m.id)!.length <= maxQuota);
          kept += keeps;
          best += Math.min(owned.length, minQuota);
          if (owned.length > minQuota) above++;
        }
        assert.equal(kept, best + Math.min(extra, above), "keeps as many as balance allows");

        const second = sticky.assignGroups(adopt(members, first, 3), partitions);
        assert.equal(checkValid(second, members, partitions).size, total);
        assert.ok(spread(second) <= 1, `unbalanced: ${counts(second)}`);
        // once settled, nothing moves
        const third = sticky.assignGroups(adopt(members, second, 4), partitions);
        assert.deepEqual(third, second);
      }),
      { numRuns: RUNS },
    );
  });

  it("settles different subscriptions within a few rebalances (no racks)", () => {
    // With racks, Java's general path can swing between two assignments forever (found while
    // writing this test; the Java client 4.3.1 does the same), so this property leaves them out.
    fc.assert(
      fc.property(chaotic, ({ members, partitions }) => {
        let current: GroupMember[] = members.map((m) => ({ ...m, rackId: null }));
        let result = sticky.assignGroups(current, partitions);
        let settled = false;
        for (let gen = 1; gen <= 4 && !settled; gen++) {
          current = adopt(current, result, gen);
          const next = sticky.assignGroups(current, partitions);
          settled = JSON.stringify([...next].map(([m, t]) => [m, [...t]])) ===
            JSON.stringify([...result].map(([m, t]) => [m, [...t]]));
          result = next;
        }
        assert.ok(settled, "still moving after four rebalances");
        const owner = checkValid(result, current, partitions);
        const subscribed = new Set(current.flatMap((m) => m.topics));
        assert.equal(owner.size, partitions.filter((p) => subscribed.has(p.topic)).length);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("every balancer", () => {
  const balancers: GroupBalancer[] = [
    new RangeGroupBalancer(),
    new RoundRobinGroupBalancer(),
    new RackAffinityGroupBalancer({ rack: "r0" }),
    new CooperativeStickyGroupBalancer(),
  ];

  it("lists every member, assigns every subscribed partition once, deterministically", () => {
    const groups = fc.record({
      sizes: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }),
      members: fc.uniqueArray(
        fc.record({
          id: fc.string({ minLength: 1, maxLength: 5 }),
          instance: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }),
          topics: fc.uniqueArray(fc.nat(3), { minLength: 1, maxLength: 4 }),
        }),
        { selector: (m) => m.id, minLength: 1, maxLength: 7 },
      ),
    });
    fc.assert(
      fc.property(groups, ({ sizes, members: specs }) => {
        const instances = new Set<string>();
        const members = specs.map((s) => {
          const instance = s.instance !== undefined && !instances.has(s.instance)
            ? s.instance
            : undefined;
          if (instance !== undefined) instances.add(instance);
          const topics = s.topics.map((t) => `t${t % sizes.length}`);
          return member(s.id, [...new Set(topics)].join(","), { instance });
        });
        const partitions = parts(Object.fromEntries(sizes.map((n, i) => [`t${i}`, n])));
        const subscribed = new Set(members.flatMap((m) => m.topics));
        const wanted = partitions.filter((p) => subscribed.has(p.topic)).length;
        for (const b of balancers) {
          const result = b.assignGroups(members, partitions);
          assert.equal(checkValid(result, members, partitions).size, wanted, b.protocolName);
          assert.deepEqual(b.assignGroups(members, partitions), result, b.protocolName);
          const overall = b.protocolName === "roundrobin" ||
            b.protocolName === "cooperative-sticky";
          if (overall && members.every((m) => m.topics.length === subscribed.size)) {
            // same subscriptions: these two balance overall (range and rack-affinity per topic)
            assert.ok(spread(result) <= 1, b.protocolName);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("returns an empty assignment for an empty group", () => {
    for (const b of balancers) assert.equal(b.assignGroups([], parts({ t0: 3 })).size, 0);
  });

  it("refuses malformed input with a TypeError or RangeError naming the field", () => {
    for (const b of balancers) {
      assert.throws(() => b.assignGroups(null as unknown as GroupMember[], []), /members/);
      assert.throws(
        () => b.assignGroups([member("a", "t0"), member("a", "t1")], []),
        (e: unknown) => e instanceof RangeError && /members\[1\]\.id/.test(e.message),
      );
      assert.throws(
        () => b.assignGroups([member("a", "t0")], [{ topic: "t0", id: -1 } as GroupPartition]),
        (e: unknown) => e instanceof RangeError && /partitions\[0\]\.id/.test(e.message),
      );
      assert.throws(
        () => b.assignGroups([member("a", "t0")], [{ topic: 1 } as unknown as GroupPartition]),
        (e: unknown) => e instanceof TypeError && /partitions\[0\]\.topic/.test(e.message),
      );
    }
  });
});
