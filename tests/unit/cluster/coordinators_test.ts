import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster } from "../../../src/cluster/cluster.ts";
import { FindCoordinator } from "../../../src/protocol/generated/find_coordinator.ts";
import {
  defaultHeartbeatResponse,
  Heartbeat,
  type HeartbeatResponse,
} from "../../../src/protocol/generated/heartbeat.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

const fast = { backoffMin: 1, backoffMax: 5 };

function fakeKafka(): FakeKafka {
  const fake = new FakeKafka([1, 2, 3]);
  fake.on(Heartbeat, () => defaultHeartbeatResponse());
  return fake;
}

const heartbeat = (cluster: Cluster, groupId: string) =>
  cluster.request(Heartbeat, { groupId }, {
    key: groupId,
    errorCode: (r: HeartbeatResponse) => r.errorCode,
    ...fast,
  });

describe("Cluster coordinator cache", () => {
  test("a group's coordinator is looked up once and then cached", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("group/g1", 2);
    await withCluster(fake, async (cluster) => {
      await heartbeat(cluster, "g1");
      await heartbeat(cluster, "g1");
      assert.equal(await cluster.coordinator("group", "g1"), 2);
      assert.equal(fake.requests("FindCoordinator").length, 1);
      assert.deepEqual(fake.requests("Heartbeat").map((r) => r.nodeId), [2, 2]);
    });
  });

  test("keys asked for together share one FindCoordinator (v4+)", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("group/a", 1).set("group/b", 2).set("group/c", 3);
    await withCluster(fake, async (cluster) => {
      const ids = await Promise.all(["a", "b", "c"].map((g) => cluster.coordinator("group", g)));
      assert.deepEqual(ids, [1, 2, 3]);
      const lookups = fake.requests("FindCoordinator");
      assert.equal(lookups.length, 1);
      assert.ok(lookups[0].version >= 4, `version ${lookups[0].version}`);
      assert.deepEqual((lookups[0].body as { coordinatorKeys: string[] }).coordinatorKeys, [
        "a",
        "b",
        "c",
      ]);
    });
  });

  test("transactional ids are looked up with their own key type", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("transaction/tx", 3).set("group/tx", 1);
    await withCluster(fake, async (cluster) => {
      assert.equal(await cluster.coordinator("transaction", "tx"), 3);
      assert.equal(await cluster.coordinator("group", "tx"), 1);
      assert.deepEqual(
        fake.requests("FindCoordinator").map((r) => (r.body as { keyType: number }).keyType),
        [1, 0],
      );
    });
  });

  test("a broker before FindCoordinator v4 is asked once per key", async () => {
    const fake = fakeKafka();
    for (const node of fake.nodes.values()) node.maxVersion.set(FindCoordinator.key, 3);
    fake.coordinators.set("group/a", 1).set("group/b", 2);
    await withCluster(fake, async (cluster) => {
      const ids = await Promise.all(["a", "b"].map((g) => cluster.coordinator("group", g)));
      assert.deepEqual(ids, [1, 2]);
      const lookups = fake.requests("FindCoordinator");
      assert.deepEqual(lookups.map((r) => r.version), [3, 3]);
      assert.deepEqual(lookups.map((r) => (r.body as { key: string }).key).sort(), ["a", "b"]);
    });
  });

  test("NOT_COORDINATOR: the coordinator is forgotten, looked up again and asked", async () => {
    const fake = fakeKafka();
    fake.coordinators.set("group/g1", 2);
    fake.on(Heartbeat, (_req, { node }) => {
      if (node.id !== 2) return defaultHeartbeatResponse();
      fake.coordinators.set("group/g1", 3); // the group moved
      return { ...defaultHeartbeatResponse(), errorCode: 16 }; // NOT_COORDINATOR
    });
    await withCluster(fake, async (cluster) => {
      assert.equal(await cluster.coordinator("group", "g1"), 2);
      const res = await heartbeat(cluster, "g1");
      assert.equal(res.errorCode, 0);
      assert.deepEqual(fake.requests("Heartbeat").map((r) => r.nodeId), [2, 3]);
      assert.equal(fake.requests("FindCoordinator").length, 2);
      assert.equal(await cluster.coordinator("group", "g1"), 3);
    });
  });

  test("a failed lookup is not cached: coordinator() asks again until one is found", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      // Aborted during its first lookup: that call fails, and caches nothing.
      const gaveUp = new AbortController();
      const first = cluster.coordinator("group", "late", { signal: gaveUp.signal });
      while (fake.requests("FindCoordinator").length === 0) await Promise.resolve();
      gaveUp.abort(new Error("gave up"));
      await assert.rejects(first);
      const second = cluster.coordinator("group", "late");
      fake.coordinators.set("group/late", 1);
      assert.equal(await second, 1);
      assert.ok(fake.requests("FindCoordinator").length >= 2);
    });
  });

  test("a coordinator that is not ready yet is retried until it is", async () => {
    const fake = fakeKafka();
    let lookups = 0;
    const found = fake.coordinators;
    fake.on(FindCoordinator, (req) => {
      if (++lookups === 2) found.set("group/g1", 1);
      const keys = req.coordinatorKeys ?? [];
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: -1,
        host: "",
        port: -1,
        coordinators: keys.map((key) => {
          const id = found.get(`group/${key}`);
          return id === undefined
            ? { key, nodeId: -1, host: "", port: -1, errorCode: 15, errorMessage: null }
            : {
              key,
              nodeId: id,
              host: `broker${id}`,
              port: 9092,
              errorCode: 0,
              errorMessage: null,
            };
        }),
      };
    });
    await withCluster(fake, async (cluster) => {
      await heartbeat(cluster, "g1");
      assert.equal(lookups, 2);
      assert.deepEqual(fake.requests("Heartbeat").map((r) => r.nodeId), [1]);
    });
  });
});
