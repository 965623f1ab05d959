// No loss, no duplicates, per-key order: an idempotent Writer (acks=all, 5 batches in flight
// per partition) writes keyed messages while the leader of a partition is SIGKILLed — no
// controlled shutdown, in-flight Produce requests simply vanish — and started again later.
// Batches whose answers were lost are sent again with their sequence numbers, so the broker
// deduplicates them; later in-flight batches are re-sent in order.

import { describe, test } from "node:test";
import { readFileSync } from "node:fs";
import process from "node:process";
import { Hash, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { checkLog, replicatedTopic, writeKeyed } from "./_writer_helpers.ts";

const TOTAL = 60_000;

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
    const { topic, leader } = await replicatedTopic(
      nodes,
      `kafkit-sigkill-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`,
    );
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
    let outcome;
    try {
      // The leader of partition 0 is killed in the middle of a call a quarter of the way in,
      // and started again at three quarters.
      outcome = await writeKeyed(writer, { total: TOTAL, chunk: 3_000, keys: 60 }, async (from) => {
        if (from === TOTAL / 4) killNode(leader);
        if (from === (3 * TOTAL) / 4) await harness("start-node", String(leader));
      });
      await writer.close();
    } finally {
      await harness("start-node", String(leader));
    }
    const read = await checkLog(nodes[0], topic, TOTAL, outcome);
    console.log(
      `${RUNTIME}: ${outcome.acked.size} acknowledged, ${outcome.rejected.size} reported as failed, ${read.length} in the log`,
    );
  });
});
