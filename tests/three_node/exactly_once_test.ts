// Exactly once through failures: two ExactlyOnce members of one group copy 5,000 messages
// while output partition leaders are SIGKILLed and one member is killed and started again
// (the short version of scripts/chaos/exactly_once.ts, the same run). The output, read
// read_committed, holds each input exactly once, and the group's offsets are the input's ends.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { reportText, runEosChaos } from "./_eos_chaos.ts";

describe(`ExactlyOnce on the 3-node cluster, leaders SIGKILLed (${RUNTIME})`, () => {
  test("5,000 messages, two leader kills, a member killed and restarted: 0 lost, 0 duplicated", async () => {
    const report = await runEosChaos({
      brokers: kafkaEnv("KAFKA_CLUSTER_BROKERS").split(","),
      messages: 5_000,
      seconds: 20,
      kills: 2,
      batchSize: 100,
    });
    console.log(reportText(report));
    assert.equal(report.kills.length, 2);
    assert.ok(report.memberKill, "the member was killed and restarted");
    assert.deepEqual(report.lost.slice(0, 10), [], `${report.lost.length} lost`);
    assert.deepEqual(report.duplicated.slice(0, 10), [], `${report.duplicated.length} duplicated`);
    assert.equal(report.committedOutput, report.messages);
    assert.ok(
      report.offsetsMatch,
      `offsets ${report.committedOffsets} vs ends ${report.endOffsets}`,
    );
    assert.ok(report.members.b2.committed > 0, "the restarted member took part");
  });
});
