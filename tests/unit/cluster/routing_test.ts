import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KafkaError } from "../../../src/protocol/errors.ts";
import {
  AllocateProducerIds,
  defaultAllocateProducerIdsResponse,
} from "../../../src/protocol/generated/allocate_producer_ids.ts";
import { Fetch } from "../../../src/protocol/generated/fetch.ts";
import { defaultHeartbeatResponse, Heartbeat } from "../../../src/protocol/generated/heartbeat.ts";
import {
  defaultInitProducerIdResponse,
  InitProducerId,
} from "../../../src/protocol/generated/init_producer_id.ts";
import {
  defaultListGroupsResponse,
  ListGroups,
} from "../../../src/protocol/generated/list_groups.ts";
import {
  defaultListOffsetsPartitionResponse,
  defaultListOffsetsResponse,
  ListOffsets,
  type ListOffsetsResponse,
} from "../../../src/protocol/generated/list_offsets.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

/** A three-broker fake with topic `t` (partition 0 led by 2, partition 1 by 3). */
function fakeKafka(): FakeKafka {
  const fake = new FakeKafka([1, 2, 3]);
  fake.topics.set("t", { id: "AAAAAAAAAAAAAAAAAAAAAQ", leaders: [2, 3] });
  fake.on(ListGroups, () => defaultListGroupsResponse());
  fake.on(Heartbeat, () => defaultHeartbeatResponse());
  fake.on(AllocateProducerIds, () => defaultAllocateProducerIdsResponse());
  fake.on(InitProducerId, () => defaultInitProducerIdResponse());
  fake.on(ListOffsets, () => listOffsetsAnswer(0));
  return fake;
}

function listOffsetsAnswer(errorCode: number): ListOffsetsResponse {
  return {
    ...defaultListOffsetsResponse(),
    topics: [{
      name: "t",
      partitions: [{ ...defaultListOffsetsPartitionResponse(), partitionIndex: 0, errorCode }],
    }],
  };
}

const partitionError = (res: ListOffsetsResponse) => res.topics[0]?.partitions[0]?.errorCode ?? 0;

/** Short backoffs, so retries take no noticeable time. */
const fast = { backoffMin: 1, backoffMax: 5 };

describe("Cluster routing", () => {
  test("route any: one broker answers, nothing else is asked", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      await cluster.request(ListGroups, {}, { route: { to: "any" } });
      assert.equal(fake.requests("ListGroups").length, 1);
      assert.equal(fake.requests("Metadata").length, 0);
    });
  });

  test("route node: the request reaches that broker", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      await cluster.request(ListGroups, {}, { route: { to: "node", nodeId: 3 } });
      assert.deepEqual(fake.requests("ListGroups").map((r) => r.nodeId), [3]);
    });
  });

  test("route leader: the partition's leader from metadata", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      await cluster.request(ListOffsets, {}, { route: { to: "leader", topic: "t", partition: 1 } });
      await cluster.request(ListOffsets, {}, { route: { to: "leader", topic: "t", partition: 0 } });
      assert.deepEqual(fake.requests("ListOffsets").map((r) => r.nodeId), [3, 2]);
      assert.deepEqual(await cluster.leader("t", 0), {
        nodeId: 2,
        leaderEpoch: 0,
        topicId: "AAAAAAAAAAAAAAAAAAAAAQ",
      });
      assert.equal(fake.requests("Metadata").length, 1, "metadata is cached");
    });
  });

  test("route controller: the controller named by metadata", async () => {
    const fake = fakeKafka();
    fake.controllerId = 3;
    await withCluster(fake, async (cluster) => {
      await cluster.request(ListGroups, {}, { route: { to: "controller" } });
      assert.deepEqual(fake.requests("ListGroups").map((r) => r.nodeId), [3]);
      assert.equal(await cluster.controller(), 3);
    });
  });

  test("route group: the group's coordinator", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("group/g1", 2);
    await withCluster(fake, async (cluster) => {
      await cluster.request(Heartbeat, { groupId: "g1" }, { route: { to: "group", key: "g1" } });
      assert.deepEqual(fake.requests("Heartbeat").map((r) => r.nodeId), [2]);
      assert.equal(await cluster.coordinator("group", "g1"), 2);
    });
  });

  test("default route from the API's target: group APIs by key, controller APIs, any", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("group/g1", 3);
    fake.controllerId = 2;
    await withCluster(fake, async (cluster) => {
      await cluster.request(Heartbeat, { groupId: "g1" }, { key: "g1" });
      await cluster.request(AllocateProducerIds, {});
      await cluster.request(ListGroups, {});
      // Idempotent InitProducerId has no transactional id: any broker.
      await cluster.request(InitProducerId, {});
      assert.deepEqual(fake.requests("Heartbeat").map((r) => r.nodeId), [3]);
      assert.deepEqual(fake.requests("AllocateProducerIds").map((r) => r.nodeId), [2]);
      assert.equal(fake.requests("ListGroups").length, 1);
      assert.equal(fake.requests("InitProducerId").length, 1);
      assert.equal(fake.requests("FindCoordinator").length, 1);
    });
  });

  test("a group API without key, or a leader API without route, is a TypeError", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      await assert.rejects(
        cluster.request(Heartbeat, { groupId: "g1" }),
        (e: unknown) => e instanceof TypeError && /Heartbeat.*group id as key/.test(e.message),
      );
      await assert.rejects(
        cluster.request(Fetch, {}),
        (e: unknown) => e instanceof TypeError && /Fetch.*leader/.test(e.message),
      );
      assert.equal(fake.seen.length, 0, "nothing was sent");
    });
  });

  test("NOT_LEADER_OR_FOLLOWER: metadata is refreshed and the request goes to the new leader", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      assert.equal((await cluster.leader("t", 0)).nodeId, 2);
      // The leadership moves to 3; the old leader says so.
      fake.topics.set("t", { id: "AAAAAAAAAAAAAAAAAAAAAQ", leaders: [3, 3] });
      fake.on(ListOffsets, (_req, { node }) => listOffsetsAnswer(node.id === 2 ? 6 : 0));
      const res = await cluster.request(ListOffsets, {}, {
        route: { to: "leader", topic: "t", partition: 0 },
        errorCode: partitionError,
        ...fast,
      });
      assert.equal(partitionError(res), 0);
      assert.deepEqual(fake.requests("ListOffsets").map((r) => r.nodeId), [2, 3]);
      assert.equal(fake.requests("Metadata").length, 2);
      assert.equal((await cluster.leader("t", 0)).nodeId, 3);
    });
  });

  test("a code that does not say the route moved is returned, not retried", async () => {
    const fake = fakeKafka();
    fake.on(ListOffsets, () => listOffsetsAnswer(1)); // OFFSET_OUT_OF_RANGE: not a leader move
    await withCluster(fake, async (cluster) => {
      const res = await cluster.request(ListOffsets, {}, {
        route: { to: "leader", topic: "t", partition: 0 },
        errorCode: partitionError,
        ...fast,
      });
      assert.equal(partitionError(res), 1);
      assert.equal(fake.requests("ListOffsets").length, 1);
    });
  });

  test("leader moves past the attempt budget end with the broker's KafkaError", async () => {
    const fake = fakeKafka();
    fake.on(ListOffsets, () => listOffsetsAnswer(6));
    await withCluster(fake, async (cluster) => {
      await assert.rejects(
        cluster.request(ListOffsets, {}, {
          route: { to: "leader", topic: "t", partition: 0 },
          errorCode: partitionError,
          attempts: 3,
          ...fast,
        }),
        (e: unknown) => e instanceof KafkaError && e.errorName === "NOT_LEADER_OR_FOLLOWER",
      );
      assert.equal(fake.requests("ListOffsets").length, 3);
    });
  });

  test("NOT_CONTROLLER: the controller is looked up again", async () => {
    const fake = fakeKafka();
    fake.controllerId = 2;
    fake.on(AllocateProducerIds, (_req, { node }) => {
      if (node.id === 2) {
        fake.controllerId = 1;
        return { ...defaultAllocateProducerIdsResponse(), errorCode: 41 }; // NOT_CONTROLLER
      }
      return defaultAllocateProducerIdsResponse();
    });
    await withCluster(fake, async (cluster) => {
      await cluster.request(AllocateProducerIds, {}, { errorCode: (r) => r.errorCode, ...fast });
      assert.deepEqual(fake.requests("AllocateProducerIds").map((r) => r.nodeId), [2, 1]);
      assert.equal(await cluster.controller(), 1);
    });
  });
});
