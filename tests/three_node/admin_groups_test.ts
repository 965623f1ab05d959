// Groups spread over the coordinators of a 3-node cluster: listGroups merges every broker's
// listing, and the many-group calls reach each group's own coordinator.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, dial, throwIfFailed } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { eventually } from "../_eventually.ts";

describe(`admin: groups on 3 nodes (${RUNTIME})`, () => {
  test("listGroups, describeGroups, fetchOffsets and deleteGroups cover groups of every coordinator", async () => {
    const brokers = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    const topic = `kafkit-admin-groups3-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using conn = await dial(brokers[0]);
      await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }]);
    }
    await using admin = new Client({ brokers });
    // Groups of at least two coordinators, three each. After the leader kills of earlier
    // tests the offsets topic's leaders (so every group's coordinator) may sit on one node:
    // give them back to their preferred replicas, as the controller would in a while.
    const candidates = Array.from({ length: 40 }, (_, i) => `${topic}-g${i}`);
    const lookUp = async () =>
      new Map(
        await Promise.all(
          // On a fresh cluster the first lookups create the offsets topic and answer
          // COORDINATOR_NOT_AVAILABLE for a moment: ask again.
          candidates.map(async (id) =>
            [id, await eventually(() => admin.cluster.coordinator("group", id), 30_000)] as const
          ),
        ),
      );
    let coordinatorOf = await lookUp();
    for (
      const end = Date.now() + 30_000;
      new Set(coordinatorOf.values()).size < 2 && Date.now() < end;
    ) {
      await admin.electLeaders({ type: "preferred" });
      for (const id of candidates) admin.cluster.forgetCoordinator("group", id);
      await new Promise((r) => setTimeout(r, 500));
      coordinatorOf = await lookUp();
    }
    const byCoordinator = new Map<number, string[]>();
    for (const [id, nodeId] of coordinatorOf) {
      byCoordinator.set(nodeId, [...(byCoordinator.get(nodeId) ?? []), id]);
    }
    assert.ok(
      byCoordinator.size >= 2,
      `every group's coordinator is node ${[...byCoordinator.keys()]}: the offsets topic's ` +
        `leaders stayed on one node through preferred elections for 30 s`,
    );
    const groupIds = [...byCoordinator.values()].flatMap((ids) => ids.slice(0, 3));
    const coordinators = groupIds.map((id) => coordinatorOf.get(id)!);
    // Each group gets offsets only (an Empty group), committed at its coordinator. A
    // coordinator learns of the new topic a moment after the controller created it
    // (UNKNOWN_TOPIC_OR_PARTITION until then): ask again.
    await Promise.all(
      groupIds.map((groupId, i) =>
        eventually(async () =>
          throwIfFailed(await admin.alterOffsets(groupId, [{ topic, partition: 0, offset: i }]))
        )
      ),
    );

    const listed = await admin.listGroups({ states: ["Empty"] });
    assert.deepEqual(
      listed.filter((g) => g.groupId.startsWith(topic)).map((g) => g.groupId).sort(),
      [...groupIds].sort(),
    );
    const described = throwIfFailed(await admin.describeGroups(groupIds));
    assert.deepEqual(described.map((d) => d.coordinatorId), coordinators);
    assert.ok(described.every((d) => d.state === "Empty" && d.type === "classic"));
    const fetched = throwIfFailed(
      await admin.fetchOffsets(groupIds.map((groupId) => ({ groupId }))),
    );
    assert.deepEqual(
      fetched.map((g) => g.offsets.map((o) => o.offset)),
      groupIds.map((_, i) => [i]),
    );

    throwIfFailed(await admin.deleteGroups(groupIds));
    const after = await admin.listGroups();
    assert.deepEqual(after.filter((g) => g.groupId.startsWith(topic)), []);
  });
});
