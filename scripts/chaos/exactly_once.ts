/**
 * The exactly-once chaos run: two ExactlyOnce members of one consumer group copy an input
 * topic to an output topic (one transaction per batch, with the batch's offsets) on the
 * 3-node harness cluster while output partition leaders are SIGKILLed and started again and
 * one member is killed (its connections vanish, its transaction left open) and started again
 * with the same transactional id; then the output is read back read_committed and counted
 * against the input — lost, duplicated — and the group's committed offsets against the
 * input's end offsets. The same run as tests/three_node/exactly_once_test.ts, as big as you
 * like. It kills and restarts cluster nodes: hold the cluster lock.
 *
 *   flock /tmp/kafkit-cluster.lock deno run -A scripts/chaos/exactly_once.ts \
 *     [--messages 100000] [--seconds 90] [--kills 4] [--down-ms 2000] [--batch 500] [--json]
 *
 * (also `bun scripts/chaos/exactly_once.ts …`, or Node 24 with `node scripts/chaos/exactly_once.ts`).
 * The brokers are $KAFKA_CLUSTER_BROKERS (the harness's cluster env file).
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { helpAndExit, intFlag, printReport } from "./_flags.ts";
import { kafkaEnv } from "../../tests/_env.ts";
import { reportText, runEosChaos } from "../../tests/three_node/_eos_chaos.ts";

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    messages: { type: "string", default: "100000" },
    seconds: { type: "string", default: "90" },
    kills: { type: "string", default: "4" },
    "down-ms": { type: "string", default: "2000" },
    batch: { type: "string", default: "500" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

helpAndExit(flags, "scripts/chaos/exactly_once.ts");
const count = (name: keyof typeof flags, min = 1) => intFlag(flags, name, min);

const report = await runEosChaos({
  brokers: kafkaEnv("KAFKA_CLUSTER_BROKERS").split(","),
  messages: count("messages"),
  seconds: count("seconds"),
  kills: count("kills", 0),
  downFor: count("down-ms", 0),
  batchSize: count("batch"),
  log: (line) => console.error(line),
});
printReport(flags.json, {
  ...report,
  lost: report.lost.length,
  duplicated: report.duplicated.length,
}, reportText(report));
process.exit(
  report.lost.length === 0 && report.duplicated.length === 0 && report.offsetsMatch ? 0 : 1,
);
