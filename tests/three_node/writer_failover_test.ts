// No loss and no duplicates: 100k keyed messages with acks=all while a partition leader of
// the 3-node cluster is stopped and started again. Every acknowledged message must be in the
// log exactly once and in order per key; every rejected one must have been reported.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, Dialer, Hash, type MessageInput, WriteErrors, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { readTopic } from "../_read_topic.ts";

const TOTAL = 100_000;
const CHUNK = 5_000;
const KEYS = 100;
const dec = new TextDecoder();

describe(`Writer on the 3-node cluster (${RUNTIME})`, () => {
  test("100k keyed messages survive a leader stop and restart: no loss, no duplicates, keys in order", async () => {
    const nodes = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    for (const node of [1, 2, 3]) await harness("start-node", String(node)); // all up
    const topic = `kafkit-failover-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using admin = await dial(nodes[0]);
      await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 3 }]);
    }
    const leader = (await new Dialer().lookupLeader(nodes[0], topic, 0)).id;
    const writer = new Writer({
      brokers: nodes,
      topic,
      batchSize: 1_000,
      maxAttempts: 30,
      writeBackoffMax: 2_000,
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
      // partition 0 stops a fifth of the way in (in the middle of a call) and starts again at
      // three fifths.
      for (let from = 0; from < TOTAL; from += CHUNK) {
        const call = write(from);
        if (from === TOTAL / 5) await harness("stop-node", String(leader));
        if (from === (3 * TOTAL) / 5) await harness("start-node", String(leader));
        await call;
      }
      await writer.close();
    } finally {
      await harness("start-node", String(leader));
    }
    assert.equal(
      acked.size + rejected.size,
      TOTAL,
      "every message was either acknowledged or reported",
    );
    const read = await readTopic(nodes[0], topic, acked.size);
    const seen = new Map<number, number>();
    const lastPerKey = new Map<string, number>();
    for (const m of read) {
      const i = Number(dec.decode(m.value!));
      seen.set(i, (seen.get(i) ?? 0) + 1);
      const key = dec.decode(m.key!);
      // Per key, the log order follows the write order of the acknowledged messages.
      if (acked.has(i)) {
        assert.ok((lastPerKey.get(key) ?? -1) < i, `key ${key}: ${i} after ${lastPerKey.get(key)}`);
        lastPerKey.set(key, i);
      }
    }
    assert.deepEqual(
      [...new Set(read.map((m) => m.partition))].sort(),
      [0, 1, 2],
      "keys spread over every partition",
    );
    const missing = [...acked].filter((i) => !seen.has(i));
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
    assert.deepEqual(
      missing.slice(0, 10),
      [],
      `${missing.length} acknowledged messages are missing`,
    );
    assert.deepEqual(duplicated.slice(0, 10), [], `${duplicated.length} messages are duplicated`);
    console.log(
      `${RUNTIME}: ${acked.size} acknowledged, ${rejected.size} reported as failed, ${read.length} in the log`,
    );
  });
});
