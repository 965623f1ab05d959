/**
 * The leader-kill chaos run: keyed writes through repeated SIGKILLs of partition leaders of
 * the 3-node harness cluster, then a full read-back counted against what was acknowledged —
 * lost, duplicated and out-of-order-per-key messages, and the failures by reason. The same
 * run as tests/three_node/writer_sigkill_test.ts, as long as you like. It kills and restarts
 * cluster nodes: hold the cluster lock when others may use it.
 *
 *   flock /tmp/kafkit-cluster.lock deno run -A scripts/chaos/leader_kills.ts \
 *     [--seconds 60] [--messages 300000] [--kills 6] [--acks all|1] [--down-ms 2000]
 *     [--chunk 3000] [--keys 60]
 *     [--partitions 3] [--max-attempts N] [--delivery-timeout MS] [--json]
 *
 * (also `bun scripts/chaos/leader_kills.ts …`, or Node 24 with `node scripts/chaos/leader_kills.ts`).
 * The brokers are $KAFKA_CLUSTER_BROKERS (the harness's cluster env file). The messages are
 * paced evenly over --seconds (and written on at that pace until the last kill is over); a
 * kill happens every --seconds/(kills+1), each of the next partition's current leader.
 * `--max-attempts 10` brings back the old retry budget (10 attempts, 100 ms–1 s backoff)
 * to compare with the default, where deliveryTimeout (2 minutes) bounds the retries.
 * `--acks 1` writes without idempotence; acknowledged messages can then be lost when a
 * leader dies before its followers have them, and retries can duplicate.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { helpAndExit, intFlag, printReport } from "./_flags.ts";
import { kafkaEnv } from "../../tests/_env.ts";
import { reportText, runLeaderKills } from "../../tests/three_node/_leader_kills.ts";

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "60" },
    messages: { type: "string", default: "300000" },
    kills: { type: "string", default: "6" },
    acks: { type: "string", default: "all" },
    "down-ms": { type: "string", default: "2000" },
    chunk: { type: "string", default: "3000" },
    keys: { type: "string", default: "60" },
    partitions: { type: "string", default: "3" },
    "max-attempts": { type: "string" },
    "delivery-timeout": { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

helpAndExit(flags, "scripts/chaos/leader_kills.ts");
const count = (name: keyof typeof flags, min = 1) => intFlag(flags, name, min);

if (flags.acks !== "all" && flags.acks !== "1") {
  console.error(`--acks must be all or 1, got ${flags.acks}`);
  process.exit(2);
}

const report = await runLeaderKills({
  brokers: kafkaEnv("KAFKA_CLUSTER_BROKERS").split(","),
  acks: flags.acks === "all" ? -1 : 1,
  kills: count("kills", 0),
  seconds: count("seconds"),
  messages: count("messages"),
  downFor: count("down-ms", 0),
  chunk: count("chunk"),
  keys: count("keys"),
  partitions: count("partitions"),
  writer: {
    ...(flags["max-attempts"] !== undefined ? { maxAttempts: count("max-attempts") } : {}),
    ...(flags["delivery-timeout"] !== undefined
      ? { deliveryTimeout: count("delivery-timeout") }
      : {}),
  },
  log: (line) => console.error(line),
});
printReport(flags.json, {
  ...report,
  lost: report.lost.length,
  duplicated: report.duplicated.length,
  outOfOrder: report.outOfOrder.length,
}, reportText(report));
