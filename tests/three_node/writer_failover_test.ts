// No loss and no duplicates: 100k keyed messages with acks=all while a partition leader of
// the 3-node cluster is stopped and started again. Every acknowledged message must be in the
// log exactly once and in order per key; every rejected one must have been reported.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Hash, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { readTopic } from "../_read_topic.ts";
import { checkLog, replicatedTopic, writeKeyed } from "./_writer_helpers.ts";

const TOTAL = 100_000;

describe(`Writer on the 3-node cluster (${RUNTIME})`, () => {
  test("100k keyed messages survive a leader stop and restart: no loss, no duplicates, keys in order", async () => {
    const nodes = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    const { topic, leader } = await replicatedTopic(
      nodes,
      `kafkit-failover-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`,
    );
    const writer = new Writer({
      brokers: nodes,
      topic,
      batchSize: 1_000,
      balancer: new Hash(),
    });
    let outcome;
    try {
      // The leader of partition 0 stops a fifth of the way in (in the middle of a call) and
      // starts again at three fifths.
      outcome = await writeKeyed(
        writer,
        { total: TOTAL, chunk: 5_000, keys: 100 },
        async (from) => {
          if (from === TOTAL / 5) await harness("stop-node", String(leader));
          if (from === (3 * TOTAL) / 5) await harness("start-node", String(leader));
        },
      );
      await writer.close();
    } finally {
      await harness("start-node", String(leader));
    }
    const read = await readTopic(nodes[0], topic, outcome.acked.size);
    checkLog(read, outcome);
    // Retries are bounded by time (deliveryTimeout), so the leader's move costs no message.
    assert.equal(outcome.rejected.size, 0, JSON.stringify([...outcome.reasons]));
    assert.deepEqual(
      [...new Set(read.map((m) => m.partition))].sort(),
      [0, 1, 2],
      "keys spread over every partition",
    );
    console.log(
      `${RUNTIME}: ${outcome.acked.size} acknowledged, ${outcome.rejected.size} reported as failed, ${read.length} in the log`,
    );
  });
});
