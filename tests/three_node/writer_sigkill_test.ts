// No loss, no duplicates, per-key order: an idempotent Writer (acks=all, 5 batches in flight
// per partition) writes keyed messages while the leader of a partition is SIGKILLed — no
// controlled shutdown, in-flight Produce requests simply vanish — and started again later.
// Batches whose answers were lost are sent again with their sequence numbers, so the broker
// deduplicates them; later in-flight batches are re-sent in order.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { dial, Dialer, Hash, type MessageInput, WriteErrors, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { readTopic } from "../_read_topic.ts";

const TOTAL = 60_000;
const CHUNK = 3_000;
const KEYS = 60;
const dec = new TextDecoder();

/** Kills a cluster node with SIGKILL, by the pid the harness recorded for it. */
function killNode(id: number): void {
  const root = process.env.KAFKIT_STATE ?? "/tmp/kafkit-kafka";
  const state = JSON.parse(readFileSync(`${root}/cluster/state.json`, "utf8")) as {
    nodes: { id: number; pid: number | null }[];
  };
  const pid = state.nodes.find((n) => n.id === id)?.pid;
  if (!pid) throw new Error(`node ${id} has no recorded pid`);
  process.kill(pid, "SIGKILL");
}

describe(`Writer on the 3-node cluster, leader SIGKILLed (${RUNTIME})`, () => {
  test("idempotent, maxInFlight 5: 0 acknowledged lost, 0 duplicates, per-key order kept", async () => {
    const nodes = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    for (const node of [1, 2, 3]) await harness("start-node", String(node)); // all up
    const topic = `kafkit-sigkill-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using admin = await dial(nodes[0]);
      await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 3 }]);
    }
    const leader = (await new Dialer().lookupLeader(nodes[0], topic, 0)).id;
    const writer = new Writer({
      brokers: nodes,
      topic,
      requiredAcks: -1,
      idempotent: true,
      maxInFlight: 5,
      batchSize: 200,
      maxAttempts: 30,
      writeBackoffMax: 2_000,
      writeTimeout: 5_000,
      balancer: new Hash(),
    });
    const acked = new Set<number>();
    const rejected = new Set<number>();
    const write = async (from: number) => {
      const messages: MessageInput[] = [];
      for (let i = from; i < from + CHUNK; i++) {
        messages.push({ key: `k${i % KEYS}`, value: String(i) });
      }
      try {
        await writer.writeMessages(messages);
        for (let i = from; i < from + CHUNK; i++) acked.add(i);
      } catch (e) {
        assert.ok(e instanceof WriteErrors, `unexpected ${e}`);
        e.errors.forEach((err, j) => (err ? rejected : acked).add(from + j));
      }
    };
    try {
      // One call at a time, so "in order per key" is defined across calls. The leader of
      // partition 0 is killed in the middle of a call a quarter of the way in, and started
      // again at three quarters.
      for (let from = 0; from < TOTAL; from += CHUNK) {
        const call = write(from);
        if (from === TOTAL / 4) killNode(leader);
        if (from === (3 * TOTAL) / 4) await harness("start-node", String(leader));
        await call;
      }
      await writer.close();
    } finally {
      await harness("start-node", String(leader));
    }
    assert.equal(acked.size + rejected.size, TOTAL, "every message acknowledged or reported");
    const read = await readTopic(nodes[0], topic, acked.size);
    const seen = new Map<number, number>();
    const lastPerKey = new Map<string, number>();
    for (const m of read) {
      const i = Number(dec.decode(m.value!));
      seen.set(i, (seen.get(i) ?? 0) + 1);
      const key = dec.decode(m.key!);
      if (acked.has(i)) {
        assert.ok((lastPerKey.get(key) ?? -1) < i, `key ${key}: ${i} after ${lastPerKey.get(key)}`);
        lastPerKey.set(key, i);
      }
    }
    const missing = [...acked].filter((i) => !seen.has(i));
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged messages lost`);
    assert.deepEqual(duplicated.slice(0, 10), [], `${duplicated.length} messages duplicated`);
    console.log(
      `${RUNTIME}: ${acked.size} acknowledged, ${rejected.size} reported as failed, ${read.length} in the log`,
    );
  });
});
