import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ActiveGroupError, ConsumerGroup, KafkaError } from "../../../mod.ts";
import { DeleteRecords } from "../../../src/protocol/generated/index.ts";
import { describeGroupWithJava } from "../../_consumer_group_command.ts";
import { RUNTIME } from "../../_env.ts";
import { adminClient, uniqueName } from "./_admin.ts";
import { brokers, topicWithRecords } from "./_groups.ts";

const named = (code: string, ...words: string[]) => (e: unknown) =>
  e instanceof KafkaError && e.errorName === code && words.every((w) => e.message.includes(w));

/** Commits `offsets` (partition → offset of `topic`) as a member of `group`'s generation. */
async function commitAsMember(
  group: ConsumerGroup,
  topic: string,
  offsets: Record<number, number>,
): Promise<string> {
  const gen = await group.next();
  await gen.commitOffsets(
    new Map([[topic, new Map(Object.entries(offsets).map(([p, o]) => [Number(p), o]))]]),
  );
  return gen.memberId;
}

describe(`admin: group offsets (${RUNTIME})`, () => {
  test("fetchOffsets answers many groups at once; alterOffsets sets an Empty group's offsets, not a live one's", async () => {
    await using admin = adminClient();
    const topic = uniqueName("offsets-fetch");
    await topicWithRecords(topic, 2, 10);
    const [emptied, live, never, wrongTopic] = ["emptied", "live", "never", "wrong"].map((k) =>
      `${topic}-${k}`
    );
    {
      await using g = new ConsumerGroup({ id: emptied, brokers: brokers(), topics: [topic] });
      await commitAsMember(g, topic, { 0: 4 });
    }
    await using liveGroup = new ConsumerGroup({
      id: live,
      brokers: brokers(),
      topics: [topic],
      groupProtocol: "consumer",
    });
    await liveGroup.next();

    const altered = await admin.alterOffsets(emptied, [
      { topic, partition: 0, offset: 6, metadata: "moved by kafkit" },
      { topic, partition: 1, offset: 3 },
    ]);
    assert.deepEqual(altered, [{ topic, partition: 0 }, { topic, partition: 1 }]);
    const refused = await admin.alterOffsets(live, [{ topic, partition: 0, offset: 1 }]);
    assert.ok(named("UNKNOWN_MEMBER_ID", live, topic)(refused[0].error), String(refused[0].error));

    const fetched = await admin.fetchOffsets([
      { groupId: emptied },
      { groupId: live, topics: [topic] },
      { groupId: never },
      { groupId: wrongTopic, topics: [`${topic}-missing`] },
    ], { requireStable: true });
    assert.deepEqual(fetched.map((g) => g.groupId), [emptied, live, never, wrongTopic]);
    assert.deepEqual(fetched[0], {
      groupId: emptied,
      offsets: [
        { topic, partition: 0, offset: 6, leaderEpoch: -1, metadata: "moved by kafkit" },
        { topic, partition: 1, offset: 3, leaderEpoch: -1, metadata: "" },
      ],
    });
    // Asked by topic: every partition, -1 where nothing is committed.
    assert.deepEqual(fetched[1].offsets.map((o) => [o.partition, o.offset]), [[0, -1], [1, -1]]);
    assert.deepEqual(fetched[2], { groupId: never, offsets: [] });
    assert.ok(
      named("UNKNOWN_TOPIC_OR_PARTITION", `${topic}-missing`)(fetched[3].error),
      String(fetched[3].error),
    );

    await assert.rejects(admin.fetchOffsets([{ groupId: "" }]), /requests\[0\]\.groupId/);
    await assert.rejects(
      admin.fetchOffsets([{ groupId: "a" }, { groupId: "a" }]),
      /requests\[1\]\.groupId repeats/,
    );
    await assert.rejects(
      admin.fetchOffsets([{ groupId: "a", topics: [7 as never] }]),
      /requests\[0\]\.topics\[0\]/,
    );
    await assert.rejects(
      admin.alterOffsets(emptied, [{ topic, partition: 0, offset: -1 }]),
      (e) => e instanceof RangeError && /offsets\[0\]\.offset/.test(e.message),
    );
    await assert.rejects(
      admin.alterOffsets(emptied, [{ topic, partition: 1.5, offset: 1 }]),
      /offsets\[0\]\.partition/,
    );
  });

  for (const groupProtocol of ["classic", "consumer"] as const) {
    test(`groupLag of a ${groupProtocol} group equals ConsumerGroupCommand --describe`, async () => {
      await using admin = adminClient();
      const topic = uniqueName(`offsets-lag-${groupProtocol}`);
      const groupId = `${topic}-g`;
      await topicWithRecords(topic, 3, 10);
      await using g = new ConsumerGroup({
        id: groupId,
        brokers: brokers(),
        topics: [topic],
        groupProtocol,
      });
      // The one member owns all three partitions; partition 2 has no commit.
      const memberId = await commitAsMember(g, topic, { 0: 7, 1: 2 });

      const [lag] = await admin.groupLag([groupId]);
      assert.equal(lag.error, undefined);
      assert.equal(lag.state, "Stable");
      assert.deepEqual(
        lag.partitions.map((p) => [p.partition, p.committed, p.logEnd, p.lag, p.memberId]),
        [[0, 7, 10, 3, memberId], [1, 2, 10, 8, memberId], [2, -1, 10, null, memberId]],
      );
      assert.equal(lag.totalLag, 11);
      const java = await describeGroupWithJava(brokers()[0], groupId);
      assert.equal(java.size, 3, JSON.stringify([...java.values()]));
      for (const p of lag.partitions) {
        assert.deepEqual(java.get(`${topic}:${p.partition}`), {
          topic,
          partition: p.partition,
          current: p.committed < 0 ? null : p.committed,
          logEnd: p.logEnd,
          lag: p.lag,
          consumerId: p.memberId,
        });
      }
      const [missing] = await admin.groupLag([`${groupId}-missing`]);
      assert.ok(named("GROUP_ID_NOT_FOUND", `${groupId}-missing`)(missing.error));
    });
  }

  test("resetOffsets to earliest, latest, an offset, a shift and a time, clamped into the log; refused while members are active", async () => {
    await using admin = adminClient();
    const topic = uniqueName("offsets-reset");
    const groupId = `${topic}-g`;
    const base = Date.now() - 100_000;
    // Record i of every partition has time base + i s.
    await topicWithRecords(topic, 5, 10, (_, i) => new Date(base + i * 1_000));
    // The logs of partitions 0 and 2 start at 3 and 4.
    for (const [partition, offset] of [[0, 3], [2, 4]]) {
      const res = await admin.request(DeleteRecords, {
        topics: [{
          name: topic,
          partitions: [{ partitionIndex: partition, offset: BigInt(offset) }],
        }],
        timeoutMs: 10_000,
      }, { route: { to: "leader", topic, partition } });
      assert.equal(res.topics[0].partitions[0].errorCode, 0);
    }
    const committed = async () =>
      (await admin.fetchOffsets([{ groupId }]))[0].offsets.map((o) => o.offset);
    {
      await using g = new ConsumerGroup({ id: groupId, brokers: brokers(), topics: [topic] });
      await commitAsMember(g, topic, { 0: 5, 1: 5, 2: 5, 3: 5, 4: 5 });
      await assert.rejects(
        admin.resetOffsets(groupId, { topics: [topic], to: "earliest" }),
        (e) => e instanceof ActiveGroupError && e.groupId === groupId && e.state === "Stable",
      );
      // force skips the check: a dry run shows the plan; a commit is still the broker's call.
      const plan = await admin.resetOffsets(groupId, {
        topics: [topic],
        to: "earliest",
        dryRun: true,
        force: true,
      });
      assert.deepEqual(plan.map((p) => [p.previous, p.offset]), [
        [5, 3],
        [5, 0],
        [5, 4],
        [5, 0],
        [5, 0],
      ]);
      const forced = await admin.resetOffsets(groupId, {
        partitions: [{ topic, partition: 1 }],
        to: "earliest",
        force: true,
      });
      assert.ok(named("UNKNOWN_MEMBER_ID", groupId)(forced[0].error), String(forced[0].error));
      assert.deepEqual(await committed(), [5, 5, 5, 5, 5]);
    }
    const reset = async (partition: number, to: Parameters<typeof admin.resetOffsets>[1]["to"]) => {
      const [r] = await admin.resetOffsets(groupId, { partitions: [{ topic, partition }], to });
      assert.equal(r.error, undefined);
      return [r.previous, r.offset];
    };
    assert.deepEqual(await reset(0, "earliest"), [5, 3]);
    assert.deepEqual(await reset(1, "latest"), [5, 10]);
    assert.deepEqual(await reset(2, { offset: 1 }), [5, 4], "clamped to the log start");
    assert.deepEqual(await reset(3, { shiftBy: -2 }), [5, 3]);
    assert.deepEqual(await reset(4, { timestamp: new Date(base + 5_500) }), [5, 6]);
    const expected = [3, 10, 4, 3, 6];
    assert.deepEqual(await committed(), expected);

    const dry = await admin.resetOffsets(groupId, {
      allTopics: true,
      to: { shiftBy: 100 },
      dryRun: true,
    });
    assert.deepEqual(dry.map((p) => p.offset), [10, 10, 10, 10, 10], "clamped to the log end");
    assert.deepEqual(await committed(), expected, "a dry run commits nothing");

    const java = await describeGroupWithJava(brokers()[0], groupId);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((p) => java.get(`${topic}:${p}`)?.current),
      expected,
      JSON.stringify([...java.values()]),
    );

    // Without a committed offset there is nothing to shift from: those partitions fail.
    const fresh = await admin.resetOffsets(`${groupId}-fresh`, {
      topics: [topic],
      to: { shiftBy: 1 },
      dryRun: true,
    });
    assert.equal(fresh.length, 5);
    for (const p of fresh) assert.match(String(p.error), /no committed offset to shift/);

    const bad = (options: object, pattern: RegExp) =>
      assert.rejects(admin.resetOffsets(groupId, options as never), pattern);
    await bad({ topics: [topic], to: "middle" }, /to must be "earliest"/);
    await bad({ topics: [topic], to: { offset: -1 } }, /to\.offset/);
    await bad({ topics: [topic], to: { shiftBy: 1.5 } }, /to\.shiftBy/);
    await bad({ topics: [topic], to: { timestamp: new Date("nope") } }, /to\.timestamp/);
    await bad({ topics: [topic], to: { offset: 1, shiftBy: 1 } }, /to must be/);
    await bad({ to: "earliest" }, /exactly one of topics, partitions and allTopics/);
    await bad({ topics: [topic], allTopics: true, to: "earliest" }, /exactly one/);
    await bad(
      { partitions: [{ topic, partition: -1 }], to: "earliest" },
      /partitions\[0\]\.partition/,
    );
    await assert.rejects(
      admin.resetOffsets(groupId, { partitions: [{ topic, partition: 9 }], to: "earliest" }),
      named("UNKNOWN_TOPIC_OR_PARTITION", topic),
    );
  });

  test("resetOffsets of a consumer (KIP-848) group: refused while it has a member, done once it is Empty", async () => {
    await using admin = adminClient();
    const topic = uniqueName("offsets-reset-848");
    const groupId = `${topic}-g`;
    await topicWithRecords(topic, 2, 4);
    {
      await using g = new ConsumerGroup({
        id: groupId,
        brokers: brokers(),
        topics: [topic],
        groupProtocol: "consumer",
      });
      await commitAsMember(g, topic, { 0: 1, 1: 1 });
      await assert.rejects(
        admin.resetOffsets(groupId, { topics: [topic], to: "latest" }),
        (e) => e instanceof ActiveGroupError && /is (Stable|Reconciling|Assigning)/.test(e.message),
      );
    }
    const moved = await admin.resetOffsets(groupId, { topics: [topic], to: "latest" });
    assert.deepEqual(moved, [
      { topic, partition: 0, previous: 1, offset: 4 },
      { topic, partition: 1, previous: 1, offset: 4 },
    ]);
    const [lag] = await admin.groupLag([groupId]);
    assert.equal(lag.state, "Empty");
    assert.deepEqual(lag.partitions.map((p) => [p.committed, p.lag]), [[4, 0], [4, 0]]);
  });

  test("deleteOffsets per partition: a subscribed topic is refused while the group is active", async () => {
    await using admin = adminClient();
    const topic = uniqueName("offsets-delete");
    const other = `${topic}-other`;
    const groupId = `${topic}-g`;
    await topicWithRecords(topic, 2, 0);
    await topicWithRecords(other, 1, 0);
    {
      await using g = new ConsumerGroup({ id: groupId, brokers: brokers(), topics: [topic] });
      const gen = await g.next();
      await gen.commitOffsets(
        new Map([[topic, new Map([[0, 0], [1, 0]])], [other, new Map([[0, 0]])]]),
      );
      const results = await admin.deleteOffsets(groupId, [
        { topic, partition: 0 },
        { topic: other, partition: 0 },
        { topic: other, partition: 5 },
      ]);
      assert.ok(named("GROUP_SUBSCRIBED_TO_TOPIC", groupId, topic)(results[0].error));
      assert.deepEqual(results[1], { topic: other, partition: 0 });
      assert.ok(named("UNKNOWN_TOPIC_OR_PARTITION", other)(results[2].error));
    }
    assert.deepEqual(await admin.deleteOffsets(groupId, [{ topic, partition: 0 }]), [
      { topic, partition: 0 },
    ]);
    const [left] = await admin.fetchOffsets([{ groupId }]);
    assert.deepEqual(left.offsets.map((o) => `${o.topic}:${o.partition}`), [`${topic}:1`]);
    await assert.rejects(
      admin.deleteOffsets(`${groupId}-missing`, [{ topic, partition: 0 }]),
      named("GROUP_ID_NOT_FOUND", `${groupId}-missing`),
    );
    await assert.rejects(
      admin.deleteOffsets(groupId, [{ topic: "", partition: 0 }]),
      /partitions\[0\]\.topic/,
    );
  });
});
