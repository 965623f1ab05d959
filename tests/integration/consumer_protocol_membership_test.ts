import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, KafkaError } from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import {
  ConsumerProtocolMembership,
  type ConsumerProtocolOptions,
} from "../../src/consumer/_kip848_membership.ts";
import { partitionKey, type TopicPartition } from "../../src/offsets.ts";
import { fetchOffsets } from "../../src/consumer/_offsets.ts";
import { ConsumerGroupHeartbeat } from "../../src/protocol/generated/consumer_group_heartbeat.ts";
import { waitFor } from "../_eventually.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) =>
  `kafkit-kip848-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

async function createTopic(topic: string, partitions: number): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

type Event = { kind: "assigned" | "revoked" | "lost"; partitions: TopicPartition[] };

/** One running member: its handlers record every call and commit what they revoke. */
function startMember(
  groupId: string,
  topic: string,
  extra?: ConsumerProtocolOptions,
  groupInstanceId: string | null = null,
) {
  const cluster = new Cluster({ brokers: brokers() });
  const errors: unknown[] = [];
  const membership = new ConsumerProtocolMembership({
    cluster,
    groupId,
    topics: [topic],
    groupInstanceId,
    sessionTimeout: 45_000,
    rebalanceTimeout: 20_000,
    heartbeatInterval: 3_000,
    rackId: null,
    retentionTime: -1,
    log: () => {},
    logError: (_message, error) => errors.push(error),
  }, extra);
  const events: Event[] = [];
  const commitErrors: unknown[] = [];
  const stop = new AbortController();
  const done = membership.run({
    assigned: (partitions) => {
      events.push({ kind: "assigned", partitions });
      return Promise.resolve();
    },
    revoked: async (partitions) => {
      events.push({ kind: "revoked", partitions });
      // What a consumer does before giving partitions up.
      await membership.commit(partitions.map((p) => ({ ...p, offset: 1 })))
        .catch((e) => commitErrors.push(e));
    },
    lost: (partitions) => {
      events.push({ kind: "lost", partitions });
      return Promise.resolve();
    },
  }, stop.signal);
  // Observed by the tests; an unobserved rejection must not crash the runner meanwhile.
  done.catch(() => {});
  return {
    membership,
    cluster,
    events,
    errors,
    commitErrors,
    stop,
    done,
    async close() {
      stop.abort();
      await done.catch(() => {});
      await cluster.close();
    },
  };
}

const keys = (parts: readonly TopicPartition[]) =>
  parts.map((p) => partitionKey(p.topic, p.partition)).sort();

const allOf = (topic: string, n: number) =>
  keys(Array.from({ length: n }, (_, partition) => ({ topic, partition })));

/** The two owned sets are disjoint and together cover every partition. */
const splitAcross = (a: readonly TopicPartition[], b: readonly TopicPartition[], all: string[]) =>
  a.length > 0 && b.length > 0 && a.length + b.length === all.length &&
  JSON.stringify(keys([...a, ...b])) === JSON.stringify(all);

describe(`KIP-848 consumer group membership (${RUNTIME})`, () => {
  test("a second member gets half of six partitions; the first revokes and commits them", async () => {
    const topic = unique("split");
    await createTopic(topic, 6);
    const groupId = unique("split-group");
    const a = startMember(groupId, topic);
    let b: ReturnType<typeof startMember> | undefined;
    try {
      const all = allOf(topic, 6);
      await waitFor("a to own everything", () => a.membership.owned.length === 6);
      b = startMember(groupId, topic);
      const second = b;
      await waitFor(
        "a disjoint split",
        () => splitAcross(a.membership.owned, second.membership.owned, all),
      );
      assert.ok(a.membership.generationId > 0 && b.membership.generationId > 0);
      assert.notEqual(a.membership.memberId, b.membership.memberId);
      assert.match(a.membership.memberId, /^[\w-]{22}$/);
      const revoked = a.events.filter((e) => e.kind === "revoked").flatMap((e) => e.partitions);
      assert.deepEqual(keys(revoked), keys(b.membership.owned));
      // The revoked handler committed with the epoch it had, while the broker waited for it.
      assert.deepEqual([...a.commitErrors, ...b.commitErrors], []);
      const committed = await fetchOffsets(a.cluster, groupId, revoked);
      assert.ok([...committed.values()].every((c) => c.offset === 1));
    } finally {
      await a.close();
      await b?.close();
    }
  });

  test("a member that stops revokes its partitions and the other takes them all", async () => {
    const topic = unique("leave");
    await createTopic(topic, 6);
    const groupId = unique("leave-group");
    const a = startMember(groupId, topic);
    const b = startMember(groupId, topic);
    try {
      const all = allOf(topic, 6);
      await waitFor(
        "a disjoint split",
        () => splitAcross(a.membership.owned, b.membership.owned, all),
      );
      const aHad = keys(a.membership.owned);
      a.stop.abort();
      await a.done;
      assert.deepEqual(keys(a.membership.owned), []);
      assert.equal(a.membership.generationId, -1);
      const last = a.events.at(-1)!;
      assert.equal(last.kind, "revoked");
      assert.deepEqual(keys(last.partitions), aHad);
      await waitFor("b to own everything", () => keys(b.membership.owned).length === 6);
      assert.deepEqual(keys(b.membership.owned), all);
      assert.deepEqual([...a.commitErrors, ...b.commitErrors], []);
      assert.ok(!b.events.some((e) => e.kind === "lost"));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("offsets committed with the member epoch read back", async () => {
    const topic = unique("commit");
    await createTopic(topic, 3);
    const groupId = unique("commit-group");
    const a = startMember(groupId, topic);
    try {
      await waitFor("the assignment", () => a.membership.owned.length === 3);
      const m = a.membership;
      await m.commit([
        { topic, partition: 0, offset: 42, metadata: "kip-848" },
        { topic, partition: 2, offset: 7, leaderEpoch: 0 },
      ]);
      const got = await fetchOffsets(a.cluster, groupId, m.owned, {
        memberId: m.memberId,
        memberEpoch: m.generationId,
      });
      assert.equal(got.get(partitionKey(topic, 0))?.offset, 42);
      assert.equal(got.get(partitionKey(topic, 0))?.metadata, "kip-848");
      assert.equal(got.get(partitionKey(topic, 1))?.offset, -1);
      assert.equal(got.get(partitionKey(topic, 2))?.offset, 7);
      // A made-up epoch is refused.
      await assert.rejects(
        fetchOffsets(a.cluster, groupId, m.owned, {
          memberId: m.memberId,
          memberEpoch: m.generationId + 5,
        }),
        (e: unknown) => e instanceof KafkaError && e.errorName === "STALE_MEMBER_EPOCH",
      );
    } finally {
      await a.close();
    }
  });

  test("a member the broker dropped reports its partitions lost and rejoins", async () => {
    const topic = unique("fenced");
    await createTopic(topic, 2);
    const groupId = unique("fenced-group");
    const a = startMember(groupId, topic);
    try {
      await waitFor("the assignment", () => a.membership.owned.length === 2);
      const memberId = a.membership.memberId;
      // Leave on the member's behalf: its next heartbeat is answered UNKNOWN_MEMBER_ID.
      const res = await a.cluster.request(ConsumerGroupHeartbeat, {
        groupId,
        memberId,
        memberEpoch: -1,
      }, { key: groupId, lane: "group", errorCode: (r) => r.errorCode });
      assert.equal(res.errorCode, 0);
      await waitFor("the loss", () => a.events.some((e) => e.kind === "lost"));
      const lost = a.events.find((e) => e.kind === "lost")!;
      assert.deepEqual(keys(lost.partitions), allOf(topic, 2));
      await waitFor("the rejoin", () => a.membership.owned.length === 2);
      assert.equal(a.membership.memberId, memberId);
      assert.ok(
        a.errors.some((e) => e instanceof KafkaError && e.errorName === "UNKNOWN_MEMBER_ID"),
      );
    } finally {
      await a.close();
    }
  });

  test("static members: a live instance id is refused; after a leave it takes over", async () => {
    const topic = unique("static");
    await createTopic(topic, 2);
    const groupId = unique("static-group");
    const instance = unique("instance");
    const a = startMember(groupId, topic, {}, instance);
    let c: ReturnType<typeof startMember> | undefined;
    try {
      await waitFor("the assignment", () => a.membership.owned.length === 2);
      const b = startMember(groupId, topic, {}, instance);
      await assert.rejects(
        b.done,
        (e: unknown) => e instanceof KafkaError && e.errorName === "UNRELEASED_INSTANCE_ID",
      );
      await b.close();
      // Leaving with epoch -2 keeps the assignment for the instance's return.
      a.stop.abort();
      await a.done;
      c = startMember(groupId, topic, {}, instance);
      const third = c;
      await waitFor("the same partitions", () => third.membership.owned.length === 2);
      assert.deepEqual(c.events.map((e) => e.kind), ["assigned"]);
    } finally {
      await a.close();
      await c?.close();
    }
  });

  test("an unknown server assignor makes run reject with the broker's error", async () => {
    const topic = unique("assignor");
    await createTopic(topic, 1);
    const a = startMember(unique("assignor-group"), topic, { serverAssignor: "no-such-assignor" });
    try {
      await assert.rejects(
        a.done,
        (e: unknown) => e instanceof KafkaError && e.errorName === "UNSUPPORTED_ASSIGNOR",
      );
      assert.deepEqual(a.events, []);
      assert.equal(a.membership.generationId, -1);
    } finally {
      await a.close();
    }
  });
});
