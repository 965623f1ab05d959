import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Connection } from "../../src/core.ts";
import { CreateTopics, Metadata } from "../../src/protocol/mod.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";

describe(`3-node cluster (${RUNTIME})`, () => {
  const addresses = () => kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
  let conn: Connection;

  before(async () => {
    conn = await Connection.connect(hostPort(addresses()[0]));
  });
  after(() => conn?.close());

  test("every node answers ApiVersions and Metadata lists all three", async () => {
    assert.equal(addresses().length, 3);
    for (const address of addresses()) {
      await using c = await Connection.connect(hostPort(address));
      assert.ok(c.brokerVersions(Metadata.key));
      const meta = await c.request(Metadata, { topics: null });
      assert.deepEqual(meta.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
      assert.ok(meta.controllerId >= 1);
    }
  });

  test("a topic with replication factor 3 gets a leader and 3 in-sync replicas per partition", async () => {
    const topic = `kafkit-rf3-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    const created = await conn.request(CreateTopics, {
      topics: [{ name: topic, numPartitions: 3, replicationFactor: 3 }],
      timeoutMs: 15_000,
    });
    assert.equal(created.topics[0].errorCode, 0, created.topics[0].errorMessage ?? "");
    let partitions: { leaderId: number; isrNodes: number[]; replicaNodes: number[] }[] = [];
    for (let i = 0; i < 100; i++) {
      const meta = await conn.request(Metadata, { topics: [{ name: topic }] });
      partitions = meta.topics[0].partitions;
      if (
        partitions.length === 3 &&
        partitions.every((p) => p.leaderId >= 0 && p.isrNodes.length === 3)
      ) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(partitions.length, 3);
    for (const p of partitions) {
      assert.deepEqual([...p.replicaNodes].sort(), [1, 2, 3]);
      assert.equal(p.isrNodes.length, 3);
      assert.ok(p.replicaNodes.includes(p.leaderId));
    }
  });
});
