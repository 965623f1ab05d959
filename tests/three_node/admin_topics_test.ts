// The admin client's topic and record operations on the 3-node cluster, where partitions
// have different leaders: describeTopics against TopicCommand, and per-leader requests.

import { eventually } from "../_eventually.ts";
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, throwIfFailed, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { javaTool } from "../_java.ts";

const brokers = () => kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");

describe(`admin on the 3-node cluster (${RUNTIME})`, () => {
  before(async () => {
    // A previous run that stopped a node may have left it down: start any that is.
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
  });

  test("describeTopics matches TopicCommand; offsets and deletions reach every leader", async () => {
    await using admin = new Client({ brokers: brokers() });
    const topic = `kafkit-admin-3n-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    const nodeIds = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort();
    assert.equal(nodeIds.length, 3);
    throwIfFailed(await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 3 }]));
    try {
      let d!: Awaited<ReturnType<Client["describeTopics"]>>[number];
      await eventually(async () => {
        [d] = await admin.describeTopics([topic]);
        assert.equal(d.error, undefined);
        for (const p of d.partitions) {
          assert.ok(p.leaderId >= 0);
          assert.equal(p.isr.length, 3);
        }
      });
      // Three partitions on three brokers: the controller spreads the leaders.
      assert.equal(new Set(d.partitions.map((p) => p.leaderId)).size, 3);
      for (const p of d.partitions) assert.deepEqual([...p.replicas].sort(), nodeIds);

      const out = await javaTool("org.apache.kafka.tools.TopicCommand", [
        "--bootstrap-server",
        brokers()[0],
        "--describe",
        "--topic",
        topic,
      ]);
      const java = [
        ...out.matchAll(/Partition: (\d+)\s+Leader: (\d+)\s+Replicas: ([\d,]+)\s+Isr: ([\d,]+)/g),
      ].map((m) => ({
        id: Number(m[1]),
        leaderId: Number(m[2]),
        replicas: m[3].split(",").map(Number),
        isr: m[4].split(",").map(Number).sort(),
      }));
      assert.deepEqual(
        d.partitions.map(({ id, leaderId, replicas, isr }) => ({
          id,
          leaderId,
          replicas,
          isr: [...isr].sort(),
        })),
        java,
        out,
      );

      {
        await using writer = new Writer({ brokers: brokers(), topic });
        await writer.writeMessages(
          [0, 1, 2].flatMap((partition) =>
            Array.from({ length: 4 + partition }, (_, i) => ({ partition, value: `m${i}` }))
          ),
        );
      }
      const latest = throwIfFailed(
        await admin.listOffsets([0, 1, 2].map((partition) => ({
          topic,
          partition,
          spec: "latest" as const,
        }))),
      );
      assert.deepEqual(latest.map((r) => r.offset), [4, 5, 6]);
      const deleted = throwIfFailed(
        await admin.deleteRecords([0, 1, 2].map((partition) => ({ topic, partition, offset: 2 }))),
      );
      assert.deepEqual(deleted.map((r) => r.lowWatermark), [2, 2, 2]);
      const earliest = throwIfFailed(
        await admin.listOffsets([0, 1, 2].map((partition) => ({
          topic,
          partition,
          spec: "earliest" as const,
        }))),
      );
      assert.deepEqual(earliest.map((r) => r.offset), [2, 2, 2]);
      const ends = throwIfFailed(
        await admin.offsetsForLeaderEpoch(d.partitions.map((p) => ({
          topic,
          partition: p.id,
          leaderEpoch: p.leaderEpoch,
        }))),
      );
      assert.deepEqual(ends.map((r) => r.endOffset), [4, 5, 6]);

      // New partitions placed by hand: replicas as given, the first one preferred as leader.
      const [grown] = await admin.createPartitions([{
        topic,
        count: 4,
        assignments: [[nodeIds[2], nodeIds[0], nodeIds[1]]],
      }]);
      assert.equal(grown.error, undefined);
      await eventually(async () => {
        const [after] = await admin.describeTopics([topic]);
        assert.deepEqual(after.partitions[3]?.replicas, [nodeIds[2], nodeIds[0], nodeIds[1]]);
      });
    } finally {
      await admin.deleteTopics([topic]);
    }
  });
});
