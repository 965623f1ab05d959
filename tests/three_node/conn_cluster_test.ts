import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, dial, Dialer, KafkitError } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { eventually } from "../_eventually.ts";

describe(`Conn on the 3-node cluster (${RUNTIME})`, () => {
  const nodes = () => kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
  const topic = `kafkit-leaders-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

  async function settle(dialer: Dialer): Promise<void> {
    for (let attempt = 0;; attempt++) {
      try {
        const views = await Promise.all(nodes().map((n) => dialer.lookupPartitions(n, topic)));
        const leaders = views.map((v) => v.map((p) => p.leader.id).join());
        if (new Set(leaders).size === 1) {
          for (const p of views[0]) {
            await using conn = await dialer.dialLeader(nodes()[0], topic, p.id);
            await conn.writeMessagesAt([{ value: "settle" }]);
          }
          return;
        }
      } catch (e) {
        if (!(e instanceof KafkitError && e.retriable) || attempt >= 50) throw e;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  before(async () => {
    // A previous run that stopped a node may have left it down: start any that is.
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
    await using conn = await dial(nodes()[0]);
    await conn.createTopics([{ topic, numPartitions: 6, replicationFactor: 3 }]);
  });

  test("every node's lookups name the same leaders, and dialLeader reaches them", async () => {
    const dialer = new Dialer({ clientId: "kafkit-cluster-test" });
    // A new topic's leaders reach every broker's metadata (and the leaders themselves) a
    // moment apart: wait until every node names the same leaders and each accepts a write.
    await settle(dialer);
    const views = await Promise.all(nodes().map((n) => dialer.lookupPartitions(n, topic)));
    const leaders = views[0].map((p) => p.leader.id);
    assert.equal(leaders.length, 6);
    for (const view of views) assert.deepEqual(view.map((p) => p.leader.id), leaders);
    assert.ok(new Set(leaders).size > 1, `leaders ${leaders} are spread over brokers`);
    for (const p of views[0]) {
      assert.deepEqual(p.replicas.map((r) => r.id).sort(), [1, 2, 3]);
      // Only the leader accepts the write (others answer NOT_LEADER_OR_FOLLOWER).
      await using conn = await dialer.dialLeader(nodes()[0], topic, p.id);
      assert.equal(conn.broker().id, p.leader.id);
      const res = await conn.writeMessagesAt([{ value: `to ${p.id}` }]);
      assert.equal(res.partition, p.id);
    }
  });

  test("a broker that stops mid-request fails the pending call with ConnectionError, not a timeout", async () => {
    const dialer = new Dialer();
    const empty = `kafkit-stop-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using admin = await dial(nodes()[0]);
      await admin.createTopics([{ topic: empty, numPartitions: 1, replicationFactor: 3 }]);
    }
    const partition = await dialer.lookupPartition(nodes()[0], empty, 0);
    await using conn = await dialer.dialPartition(nodes()[0], partition);
    // The leader learns of the new topic a moment after the controller created it.
    await eventually(() => conn.readLastOffset());
    // A fetch the broker holds for 30 s (nothing to read), with a 60 s client timeout.
    const pending = conn.readBatchWith({
      minBytes: 1,
      maxBytes: 1024,
      maxWait: 30_000,
      timeout: 60_000,
    });
    // Handle the rejection now: it arrives while the harness is still stopping the node.
    const outcome = assert.rejects(pending, ConnectionError);
    try {
      await harness("stop-node", String(partition.leader.id));
      await outcome;
    } finally {
      await harness("start-node", String(partition.leader.id));
    }
  });
});
