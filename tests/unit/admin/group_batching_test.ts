// Many-group admin calls go once to each coordinator with all its groups, fall back to one
// request per group where the broker cannot batch, and ask again for the groups whose
// coordinator moved (a fake cluster, to see every request and force each case).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../../src/admin/client.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import {
  DeleteGroups,
  type DeleteGroupsRequest,
} from "../../../src/protocol/generated/delete_groups.ts";
import {
  OffsetFetch,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from "../../../src/protocol/generated/offset_fetch.ts";
import { FakeKafka } from "../_fake_broker.ts";

/**
 * Each group's committed offset of t/0 is the length of its id; a group in `moved` (as
 * "id@node") answers NOT_COORDINATOR there, having moved to node 3.
 */
function fakeKafka(moved = new Set<string>()): FakeKafka {
  const fake = new FakeKafka([1, 2, 3]);
  const partitions = (groupId: string) => [{
    name: "t",
    topicId: "",
    partitions: [{
      partitionIndex: 0,
      committedOffset: BigInt(groupId.length),
      committedLeaderEpoch: -1,
      metadata: null,
      errorCode: 0,
    }],
  }];
  fake.on(OffsetFetch, (req, { node }): OffsetFetchResponse => {
    const code = (id: string) => {
      if (!moved.has(`${id}@${node.id}`)) return ErrorCodes.NONE;
      // The group moved to node 3 just before this answer.
      fake.coordinators.set(`group/${id}`, 3);
      return ErrorCodes.NOT_COORDINATOR;
    };
    if (req.groups!.length === 0) {
      // A single-group version (before v8).
      return {
        throttleTimeMs: 0,
        topics: code(req.groupId!) ? [] : partitions(req.groupId!),
        errorCode: code(req.groupId!),
        groups: [],
      };
    }
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: 0,
      groups: req.groups!.map((g) => ({
        groupId: g.groupId!,
        topics: code(g.groupId!) ? [] : partitions(g.groupId!),
        errorCode: code(g.groupId!),
      })),
    };
  });
  fake.on(DeleteGroups, (req) => ({
    throttleTimeMs: 0,
    results: req.groupsNames!.map((groupId) => ({
      groupId,
      errorCode: groupId === "busy" ? ErrorCodes.NON_EMPTY_GROUP : ErrorCodes.NONE,
    })),
  }));
  fake.coordinators.set("group/a", 1).set("group/bb", 1).set("group/ccc", 2);
  return fake;
}

const asked = (fake: FakeKafka, api: string) =>
  fake.requests(api).map((r) => {
    const body = r.body as OffsetFetchRequest & DeleteGroupsRequest;
    const ids = body.groupsNames ??
      (body.groups?.length ? body.groups.map((g) => g.groupId) : [body.groupId]);
    return `${r.nodeId}:${ids.join(",")}`;
  }).sort();

async function withAdmin(fake: FakeKafka, fn: (admin: Client) => Promise<void>) {
  await using admin = new Client({ brokers: fake.brokers, connect: fake.connect });
  await fn(admin);
}

describe("admin: many-group calls per coordinator", () => {
  test("fetchOffsets sends one OffsetFetch (v8+) per coordinator, with all its groups", async () => {
    const fake = fakeKafka();
    await withAdmin(fake, async (admin) => {
      const res = await admin.fetchOffsets([
        { groupId: "a" },
        { groupId: "bb" },
        { groupId: "ccc" },
      ]);
      assert.deepEqual(res.map((g) => [g.groupId, g.offsets[0].offset]), [
        ["a", 1],
        ["bb", 2],
        ["ccc", 3],
      ]);
      assert.deepEqual(asked(fake, "OffsetFetch"), ["1:a,bb", "2:ccc"]);
      assert.ok(fake.requests("OffsetFetch").every((r) => r.version >= 8 && r.version <= 9));
      assert.equal(fake.requests("FindCoordinator").length, 1);
    });
  });

  test("a broker before OffsetFetch v8 is asked once per group", async () => {
    const fake = fakeKafka();
    for (const node of fake.nodes.values()) node.maxVersion.set(OffsetFetch.key, 7);
    await withAdmin(fake, async (admin) => {
      const res = await admin.fetchOffsets([{ groupId: "a" }, { groupId: "bb" }]);
      assert.deepEqual(res.map((g) => g.offsets[0].offset), [1, 2]);
      assert.deepEqual(asked(fake, "OffsetFetch"), ["1:a", "1:bb"]);
    });
  });

  test("groups whose coordinator moved are found again and asked there; the others are not asked again", async () => {
    const fake = fakeKafka(new Set(["bb@1"]));
    await withAdmin(fake, async (admin) => {
      const res = await admin.fetchOffsets([{ groupId: "a" }, { groupId: "bb" }]);
      assert.deepEqual(res.map((g) => [g.groupId, g.error, g.offsets[0]?.offset]), [
        ["a", undefined, 1],
        ["bb", undefined, 2],
      ]);
      assert.deepEqual(asked(fake, "OffsetFetch"), ["1:a,bb", "3:bb"]);
      assert.equal(fake.requests("FindCoordinator").length, 2);
    });
  });

  test("deleteGroups: one DeleteGroups per coordinator, one result per group", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("group/busy", 2);
    await withAdmin(fake, async (admin) => {
      const res = await admin.deleteGroups(["a", "busy", "ccc", "a"]);
      assert.deepEqual(
        res.map((r) => [r.groupId, (r.error as { errorName?: string })?.errorName]),
        [
          ["a", undefined],
          ["busy", "NON_EMPTY_GROUP"],
          ["ccc", undefined],
        ],
      );
      assert.deepEqual(asked(fake, "DeleteGroups"), ["1:a", "2:busy,ccc"]);
    });
  });
});
