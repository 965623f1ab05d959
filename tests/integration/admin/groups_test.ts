import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerGroup, type GroupDescription, KafkaError, Reader } from "../../../mod.ts";
import { ShareGroupHeartbeat } from "../../../src/protocol/generated/index.ts";
import { RUNTIME } from "../../_env.ts";
import { adminClient, uniqueName } from "./_admin.ts";
import { brokers, topicWithRecords, until } from "./_groups.ts";

const notFound = (groupId: string) => (e: unknown) =>
  e instanceof KafkaError && e.errorName === "GROUP_ID_NOT_FOUND" &&
  e.message.includes(groupId);

/** The partitions a description's members own, as "topic:partition", sorted. */
const owned = (g: GroupDescription, target = false) =>
  g.members.flatMap((m) =>
    (target ? m.targetAssignment ?? [] : m.assignment).flatMap((t) =>
      t.partitions.map((p) => `${t.topic}:${p}`)
    )
  ).sort();

describe(`admin: groups (${RUNTIME})`, () => {
  test("listGroups filters by state and type, on the broker", async () => {
    await using admin = adminClient();
    const topic = uniqueName("groups-list");
    await topicWithRecords(topic, 2, 0);
    const [classic, consumer, empty] = ["classic", "consumer", "empty"].map((k) => `${topic}-${k}`);
    await using a = new ConsumerGroup({ id: classic, brokers: brokers(), topics: [topic] });
    await using b = new ConsumerGroup({
      id: consumer,
      brokers: brokers(),
      topics: [topic],
      groupProtocol: "consumer",
    });
    await Promise.all([a.next(), b.next()]);
    // A group that only has offsets: Empty, with no protocol type.
    await admin.alterOffsets(empty, [{ topic, partition: 0, offset: 0 }]);

    const mine = (groups: { groupId: string }[]) =>
      groups.filter((g) => g.groupId.startsWith(topic)).map((g) => g.groupId).sort();
    const all = await admin.listGroups();
    assert.deepEqual(
      all.filter((g) => g.groupId.startsWith(topic)).sort((x, y) => x.groupId < y.groupId ? -1 : 1),
      [
        { groupId: classic, protocolType: "consumer", state: "Stable", type: "classic" },
        { groupId: consumer, protocolType: "consumer", state: "Stable", type: "consumer" },
        { groupId: empty, protocolType: "", state: "Empty", type: "classic" },
      ],
    );
    assert.deepEqual(mine(await admin.listGroups({ types: ["consumer"] })), [consumer]);
    assert.deepEqual(mine(await admin.listGroups({ types: ["classic"] })), [classic, empty]);
    assert.deepEqual(mine(await admin.listGroups({ states: ["Empty"] })), [empty]);
    assert.deepEqual(
      mine(await admin.listGroups({ states: ["stable"], types: ["classic", "share"] })),
      [classic],
    );
    await assert.rejects(admin.listGroups({ types: ["bogus" as never] }), /types\[0\].*classic/);
    await assert.rejects(admin.listGroups({ states: "Empty" as never }), /states must be an array/);
    await assert.rejects(admin.listGroups({ states: [""] }), /states\[0\]/);
  });

  test("describeGroups: classic members with decoded assignments, KIP-848 members with target assignments, share groups, unknown groups", async () => {
    await using admin = adminClient();
    const topic = uniqueName("groups-describe");
    await topicWithRecords(topic, 4, 0);
    const classic = `${topic}-classic`, consumer = `${topic}-consumer`;
    const share = `${topic}-share`, missing = `${topic}-missing`;
    const member = (id: string, groupProtocol: "classic" | "consumer", n: number) =>
      new Reader({
        brokers: brokers(),
        groupId: id,
        topic,
        groupProtocol,
        clientId: `${id}-client-${n}`,
        maxWait: 100,
      });
    await using c1 = member(classic, "classic", 1);
    await using c2 = member(classic, "classic", 2);
    await using k1 = member(consumer, "consumer", 1);
    await using k2 = member(consumer, "consumer", 2);
    const all = Array.from({ length: 4 }, (_, p) => `${topic}:${p}`);
    const readers = [c1, c2, k1, k2];
    // Readers join when first read from; no message comes (the topic is empty).
    const reading = readers.map((r) =>
      r.readMessage({ signal: AbortSignal.timeout(60_000) }).catch(() => undefined)
    );
    // A share group member, from a bare ShareGroupHeartbeat (kafkit has no share consumer).
    const shareMember = await admin.request(ShareGroupHeartbeat, {
      groupId: share,
      memberId: crypto.randomUUID().replaceAll("-", "").slice(0, 22),
      memberEpoch: 0,
      subscribedTopicNames: [topic],
    }, { key: share });
    assert.equal(shareMember.errorCode, 0);

    const described = await until("both groups to settle", async () => {
      const ds = await admin.describeGroups([classic, consumer, share, missing], {
        includeAuthorizedOperations: true,
      });
      const settled = ds.slice(0, 2).every((d) =>
        d.state === "Stable" && d.members.length === 2 &&
        d.members.every((m) => m.assignment.length > 0) &&
        JSON.stringify(owned(d)) === JSON.stringify(all) &&
        (d.type === "classic" || JSON.stringify(owned(d, true)) === JSON.stringify(all))
      );
      return settled ? ds : undefined;
    });
    const [c, k, s, m] = described;
    const { brokers: [broker] } = await admin.describeCluster();

    assert.equal(c.error, undefined);
    assert.equal(c.groupId, classic);
    assert.equal(c.type, "classic");
    assert.equal(c.protocolType, "consumer");
    assert.match(c.assignor, /^(range|roundrobin)$/);
    assert.equal(c.coordinatorId, broker.nodeId);
    assert.ok(c.authorizedOperations!.includes("READ"), String(c.authorizedOperations));
    assert.deepEqual(c.members.map((x) => x.clientId).sort(), [
      `${classic}-client-1`,
      `${classic}-client-2`,
    ]);
    for (const x of c.members) {
      assert.match(x.host, /127\.0\.0\.1/);
      assert.equal(x.groupInstanceId, null);
      assert.deepEqual(x.subscribedTopics, [topic]);
      assert.equal(x.targetAssignment, null);
      assert.equal(x.assignment[0].topic, topic);
    }

    assert.equal(k.error, undefined);
    assert.equal(k.type, "consumer");
    assert.equal(k.protocolType, "consumer");
    assert.ok(k.assignor.length > 0);
    assert.ok(k.groupEpoch > 0 && k.assignmentEpoch === k.groupEpoch, JSON.stringify(k));
    assert.deepEqual(k.members.map((x) => x.clientId).sort(), [
      `${consumer}-client-1`,
      `${consumer}-client-2`,
    ]);
    for (const x of k.members) {
      assert.ok(x.memberEpoch > 0);
      assert.deepEqual(x.subscribedTopics, [topic]);
      assert.deepEqual(x.assignment, x.targetAssignment);
    }

    assert.equal(s.error, undefined);
    assert.equal(s.type, "share");
    assert.equal(s.members.length, 1);
    assert.equal(s.members[0].memberId, shareMember.memberId);
    assert.deepEqual(s.members[0].subscribedTopics, [topic]);
    const [shareLag] = await admin.groupLag([share]);
    assert.match(String(shareLag.error), /is a share group/);

    assert.ok(notFound(missing)(m.error), String(m.error));
    assert.equal(m.state, "Unknown");
    assert.deepEqual(m.members, []);

    await assert.rejects(admin.describeGroups("g" as never), /groupIds must be an array/);
    await assert.rejects(admin.describeGroups(["ok", ""]), /groupIds\[1\]/);
    for (const r of readers) await r.close();
    await Promise.all(reading);
  });

  test("deleteGroups answers per group: deleted, not empty, not found (each named)", async () => {
    await using admin = adminClient();
    const topic = uniqueName("groups-delete");
    await topicWithRecords(topic, 1, 0);
    const empty = `${topic}-empty`, active = `${topic}-active`, missing = `${topic}-missing`;
    {
      // A real group that had a member and committed, now Empty.
      await using g = new ConsumerGroup({ id: empty, brokers: brokers(), topics: [topic] });
      const gen = await g.next();
      await gen.commitOffsets(new Map([[topic, new Map([[0, 0]])]]));
    }
    await using live = new ConsumerGroup({
      id: active,
      brokers: brokers(),
      topics: [topic],
      groupProtocol: "consumer",
    });
    await live.next();
    const results = await admin.deleteGroups([empty, active, missing]);
    assert.deepEqual(results.map((r) => r.groupId), [empty, active, missing]);
    assert.equal(results[0].error, undefined);
    const nonEmpty = results[1].error as KafkaError;
    assert.equal(nonEmpty.errorName, "NON_EMPTY_GROUP");
    assert.match(nonEmpty.message, new RegExp(`groupId=${active}`));
    assert.ok(notFound(missing)(results[2].error), String(results[2].error));
    const [gone] = await admin.describeGroups([empty]);
    assert.ok(notFound(empty)(gone.error), String(gone.error));
    const [offsets] = await admin.fetchOffsets([{ groupId: empty }]);
    assert.deepEqual(offsets.offsets, []);
    await assert.rejects(admin.deleteGroups([1 as never]), /groupIds\[0\]/);
  });

  test("removeMembers: static members by instance id, or all of them; unknown members fail alone", async () => {
    await using admin = adminClient();
    const topic = uniqueName("groups-remove");
    await topicWithRecords(topic, 2, 0);
    const groupId = `${topic}-g`;
    const staticMember = (n: number) =>
      new ConsumerGroup({
        id: groupId,
        brokers: brokers(),
        topics: [topic],
        groupInstanceId: `${groupId}-instance-${n}`,
        sessionTimeout: 60_000,
      });
    {
      // Static members do not leave when they close: the group keeps them until removed.
      await using a = staticMember(1);
      await a.next();
      await using b = staticMember(2);
      await Promise.all([a.next(), b.next()]);
    }
    const [before] = await admin.describeGroups([groupId]);
    assert.deepEqual(before.members.map((m) => m.groupInstanceId).sort(), [
      `${groupId}-instance-1`,
      `${groupId}-instance-2`,
    ]);
    const removed = await admin.removeMembers(groupId, [
      { groupInstanceId: `${groupId}-instance-1` },
      { memberId: "no-such-member" },
    ], { reason: "kafkit test" });
    assert.deepEqual(removed[0], { memberId: null, groupInstanceId: `${groupId}-instance-1` });
    assert.equal((removed[1].error as KafkaError).errorName, "UNKNOWN_MEMBER_ID");
    assert.equal(removed[1].memberId, "no-such-member");
    const [middle] = await admin.describeGroups([groupId]);
    assert.deepEqual(middle.members.map((m) => m.groupInstanceId), [`${groupId}-instance-2`]);

    const rest = await admin.removeMembers(groupId, "all");
    assert.deepEqual(rest, [{ memberId: null, groupInstanceId: `${groupId}-instance-2` }]);
    const [after] = await admin.describeGroups([groupId]);
    assert.equal(after.state, "Empty");
    assert.deepEqual(after.members, []);
    assert.deepEqual(await admin.removeMembers(groupId, "all"), []);

    await assert.rejects(admin.removeMembers(groupId, [{} as never]), /members\[0\].*exactly one/);
    await assert.rejects(
      admin.removeMembers(groupId, [{ memberId: "a", groupInstanceId: "b" } as never]),
      /members\[0\] must have exactly one/,
    );
    await assert.rejects(admin.removeMembers("", []), /groupId/);
  });
});
