// A partition reader and a group reader keep reading, from the right offsets, when the
// partition's leader of the 3-node cluster is stopped mid-stream.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, Dialer, Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";

const dec = new TextDecoder();
const TOTAL = 2_000;

describe(`Reader on the 3-node cluster (${RUNTIME})`, () => {
  test("a leader stops mid-read: partition and group readers continue on the new leader", async () => {
    const nodes = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
    const topic = `kafkit-read-failover-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using admin = await dial(nodes[0]);
      await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }]);
    }
    {
      await using w = new Writer({ brokers: nodes, topic, batchSize: 200 });
      await w.writeMessages(
        Array.from({ length: TOTAL }, (_, i) => ({ value: String(i) })),
      );
    }
    const leader = (await new Dialer().lookupLeader(nodes[0], topic, 0)).id;
    const options = { brokers: nodes, topic, maxBytes: 2_000, queueCapacity: 10, maxWait: 200 };
    const single = new Reader({ ...options, partition: 0 });
    const group = new Reader({ ...options, groupId: `${topic}-g`, heartbeatInterval: 500 });
    const next = { single: 0, group: 0 };
    const check = async (name: "single" | "group", r: Reader, upTo: number) => {
      while (next[name] < upTo) {
        const m = await r.readMessage();
        // Offsets and values line up: nothing skipped, nothing repeated.
        assert.equal(m.offset, next[name], `${name} reader`);
        assert.equal(dec.decode(m.value!), String(next[name]));
        next[name]++;
      }
    };
    try {
      await Promise.all([check("single", single, TOTAL / 4), check("group", group, TOTAL / 4)]);
      await harness("stop-node", String(leader));
      await Promise.all([check("single", single, TOTAL), check("group", group, TOTAL)]);
      assert.equal(single.offset, TOTAL);
    } finally {
      await Promise.all([single.close(), group.close()]);
      await harness("start-node", String(leader));
    }
  });

  test("rackId: the reader fetches from the follower in its rack (KIP-392)", async () => {
    const nodes = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
    const topic = `kafkit-rack-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using admin = await dial(nodes[0]);
      await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 3 }]);
    }
    const produce = async (from: number) => {
      await using w = new Writer({ brokers: nodes, topic });
      await w.writeMessages(Array.from({ length: 100 }, (_, i) => ({ value: String(from + i) })));
    };
    await produce(0);
    const leader = (await new Dialer().lookupLeader(nodes[0], topic, 0)).id;
    const follower = [1, 2, 3].find((n) => n !== leader)!;
    const logs: string[] = [];
    await using r = new Reader({
      brokers: nodes,
      topic,
      rackId: `rack-${follower}`,
      maxWait: 200,
      logger: (m) => logs.push(m),
    });
    for (let i = 0; i < 100; i++) {
      assert.equal(dec.decode((await r.readMessage()).value!), String(i));
    }
    await produce(100);
    for (let i = 100; i < 200; i++) {
      assert.equal(dec.decode((await r.readMessage()).value!), String(i));
    }
    assert.ok(
      logs.some((l) => l.includes(`from broker ${follower}, the preferred read replica`)),
      logs.join("\n"),
    );
  });
});
