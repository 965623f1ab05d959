// No loss, no duplicates, per-key order: an idempotent Writer (acks=all, 5 batches in flight
// per partition) writes keyed messages while partition leaders are SIGKILLed — no controlled
// shutdown, in-flight Produce requests simply vanish — and started again. Batches whose
// answers were lost are sent again with their sequence numbers, so the broker deduplicates
// them; later in-flight batches are re-sent in order; and with the retries bounded by time
// (deliveryTimeout), not by attempts, no message fails while a new leader takes over. The
// short version of scripts/chaos/leader_kills.ts (the same run).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { reportText, runLeaderKills } from "./_leader_kills.ts";

describe(`Writer on the 3-node cluster, leaders SIGKILLed (${RUNTIME})`, () => {
  test("idempotent, maxInFlight 5, two leader kills: nothing failed, lost, duplicated or out of order", async () => {
    const report = await runLeaderKills({
      brokers: kafkaEnv("KAFKA_CLUSTER_BROKERS").split(","),
      acks: -1,
      kills: 2,
      seconds: 20,
      messages: 60_000,
    });
    console.log(reportText(report));
    assert.equal(report.kills.length, 2);
    assert.equal(report.acknowledged + report.failed, report.written);
    assert.ok(report.written >= 30_000, `${report.written} written`);
    assert.deepEqual(report.lost.slice(0, 10), [], `${report.lost.length} lost`);
    assert.deepEqual(report.duplicated.slice(0, 10), [], `${report.duplicated.length} duplicated`);
    assert.deepEqual(
      report.outOfOrder.slice(0, 10),
      [],
      `${report.outOfOrder.length} out of order`,
    );
    assert.equal(report.failed, 0, `failures: ${JSON.stringify(report.reasons)}`);
    assert.equal(report.inLog, report.written);
  });
});
