/**
 * Producer throughput and latency against a single-node broker: kafkit's Writer on Deno, Bun
 * and Node 24, side by side with kafkajs and @platformatic/kafka (on Node 24) and the Java
 * client's ProducerPerformance, one client at a time, each in its own process.
 *
 *   deno run -A scripts/bench/producer.ts [--out report.md]
 *     [--clients kafkit,kafkajs,platformatic,java]   kafkit = kafkit-deno,kafkit-bun,kafkit-node
 *     [--sizes 100,1024] [--acks 1,all] [--partitions 1,3]
 *     [--keys 0]            distinct keys per configuration (default 0: no key; e.g. 0,1000)
 *     [--messages N]        measured messages per run (default 400000 of 100 B, 150000 of 1 KiB)
 *     [--warmup N]          messages produced before measuring (default: 20% of --messages)
 *     [--repeat 2]          runs per client and configuration; the report keeps the fastest
 *     [--batch-bytes 65536] [--linger-ms 5] [--inflight-bytes 1048576] [--max-seconds 10]
 *     [--brokers host:port] (default $KAFKA_BROKERS)
 *
 * Without --brokers or $KAFKA_BROKERS it uses the harness's broker in
 * ${KAFKIT_STATE:-/tmp/kafkit-bench}, starting one (C2 enabled) if none is up and then stopping
 * it at the end. Before the runs, one
 * throw-away Java run warms the broker's JIT. Every run gets a fresh topic (created, then
 * deleted, with kafkit's Conn). Runs go configuration by configuration, the clients in turn
 * (in reverse order on every other repeat); all of them at the defaults take about 7 minutes
 * on 2 cores. The markdown report goes to stdout (and --out), progress to stderr.
 *
 * Every client gets the same job: values of the given size without key, no compression,
 * round-robin partitioning, batches of about --batch-bytes, at most --inflight-bytes
 * unacknowledged. With --keys N > 0 (e.g. `--sizes 100 --partitions 64 --keys 1000`, the
 * "100 B records, 64 partitions, keyed" configuration) every message has one of N keys,
 * `key-0` … `key-(N-1)` in turn, and each client partitions by its default keyed partitioner
 * (kafkit's Writer with `Murmur2Balancer`, the Java client's partition for a key). The
 * JavaScript clients are driven by `producer/_measure.ts`: calls of one batch's worth of
 * messages, up to inflight/batch calls open, send→ack per call. Java gets batch.size =
 * --batch-bytes, linger.ms = --linger-ms, buffer.memory = --inflight-bytes, through
 * ProducerPerformance, or for keyed runs `producer/ProducerBench.java` (the tool's loop with
 * keys). msgs/s and MB/s (10^6 bytes of values per second) run from the first send to the last
 * ack of the measured phase; CPU is the client process's user + system time per message (for
 * Java, see `producer/java.ts`: the same steady-state window, from /proc). With a full
 * in-flight budget, p50 ≈ budget ÷ throughput (Little's law): latencies compare clients at
 * saturation, not idle round trips.
 *
 * @module
 */

import {
  clientCommands,
  clientKeys,
  errorText,
  fastestRuns,
  list,
  outcomeText,
  parseOptions,
  positive,
  printReport,
  ROOT,
  runClient,
  stampLine,
  useBroker,
} from "./_driver.ts";
import { cpuPerMessage, rate, sizeText, summarySection } from "./_report_table.ts";
import { createTopic, deleteTopic } from "./_topics.ts";
import { RESULT_PREFIX, type RunResult, type RunSpec } from "./producer/_measure.ts";
import { type Config, keysText, resultsTable, type Row, settingsList } from "./producer/_report.ts";
import { runJava } from "./producer/java.ts";

const RUN_TIMEOUT_MS = 180_000;

/** How each client key is run: a command for a JavaScript runner, or the Java tool. */
const CLIENTS = clientCommands(`${ROOT}/scripts/bench/producer`, ["java"]);

const opts = parseOptions("producer.ts", {
  clients: { type: "string", default: "java,kafkajs,platformatic,kafkit" },
  sizes: { type: "string", default: "100,1024" },
  acks: { type: "string", default: "1,all" },
  partitions: { type: "string", default: "1,3" },
  keys: { type: "string", default: "0" },
  messages: { type: "string" },
  warmup: { type: "string" },
  "batch-bytes": { type: "string", default: "65536" },
  "linger-ms": { type: "string", default: "5" },
  "inflight-bytes": { type: "string", default: "1048576" },
  "max-seconds": { type: "string", default: "10" },
  repeat: { type: "string", default: "2" },
});

/** An option's items; none is a TypeError. */
function items(name: string, text: string): string[] {
  const found = list(text);
  if (found.length === 0) throw new TypeError(`--${name} is empty`);
  return found;
}

const clients = clientKeys(items("clients", opts.clients), CLIENTS);
const sizes = items("sizes", opts.sizes).map((s) => positive("sizes", s));
const acksList = items("acks", opts.acks).map((a) => {
  if (a === "all" || a === "-1") return -1 as const;
  if (a === "1") return 1 as const;
  throw new RangeError(`--acks takes 1 and all, got ${a}`);
});
const partitionsList = items("partitions", opts.partitions).map((p) => positive("partitions", p));
const keysList = items("keys", opts.keys).map((k) => k === "0" ? 0 : positive("keys", k));
const batchBytes = positive("batch-bytes", opts["batch-bytes"]);
const lingerMs = Number(opts["linger-ms"]);
const inflightBytes = positive("inflight-bytes", opts["inflight-bytes"]);
const maxSeconds = positive("max-seconds", opts["max-seconds"]);
const repeat = positive("repeat", opts.repeat);

const messagesFor = (size: number) =>
  opts.messages ? positive("messages", opts.messages) : size <= 512 ? 400_000 : 150_000;
const warmupFor = (size: number) =>
  opts.warmup ? positive("warmup", opts.warmup) : Math.ceil(messagesFor(size) / 5);

const log = (line: string) => console.error(`[producer-bench] ${line}`);

const { brokers, stop: stopBroker } = await useBroker(opts.brokers, log);

// ---------------------------------------------------------------------------------------------
// Runs

let topicSeq = 0;
const topicName = (key: string, c: Config) =>
  `bench-${key}-${c.size}-${
    c.acks === -1 ? "all" : c.acks
  }-${c.partitions}-k${c.keys}-${Date.now()}-${topicSeq++}`;

function specFor(topic: string, c: Config, messages?: number, warmup?: number): RunSpec {
  return {
    brokers,
    topic,
    partitions: c.partitions,
    size: c.size,
    keys: c.keys,
    acks: c.acks,
    messages: messages ?? messagesFor(c.size),
    warmup: warmup ?? warmupFor(c.size),
    batchBytes,
    lingerMs,
    inflightBytes,
    maxSeconds,
  };
}

async function run(key: string, config: Config): Promise<Row> {
  const topic = topicName(key, config);
  const spec = specFor(topic, config);
  try {
    await createTopic(brokers, topic, config.partitions);
    const how = CLIENTS[key];
    const result = how === "java"
      ? await runJava(spec, RUN_TIMEOUT_MS)
      : await runClient<RunResult>(how, spec, {
        timeoutMs: RUN_TIMEOUT_MS,
        resultPrefix: RESULT_PREFIX,
      });
    return { key, config, result };
  } catch (e) {
    return { key, config, error: errorText(e) };
  } finally {
    await deleteTopic(brokers, topic).catch((e) => log(`could not delete ${topic}: ${e}`));
  }
}

const rows: Row[] = [];
const started = Date.now();
try {
  // Warm the broker up (its JIT, page cache, log segments) with a throw-away Java run.
  log("warming the broker up");
  {
    const c: Config = { size: 100, acks: 1, partitions: 1, keys: 0 };
    const topic = topicName("warmup", c);
    await createTopic(brokers, topic, 1);
    await runJava(specFor(topic, c, 500_000, 100_000), RUN_TIMEOUT_MS).catch((e) =>
      log(`broker warm-up failed: ${e}`)
    );
    await deleteTopic(brokers, topic).catch(() => {});
  }
  const configs: Config[] = [];
  for (const size of sizes) {
    for (const acks of acksList) {
      for (const partitions of partitionsList) {
        for (const keys of keysList) configs.push({ size, acks, partitions, keys });
      }
    }
  }
  const total = configs.length * clients.length * repeat;
  let done = 0;
  for (const config of configs) {
    const what = `${config.size} B acks=${config.acks === -1 ? "all" : config.acks} ` +
      `p=${config.partitions}${config.keys > 0 ? ` keys=${config.keys}` : ""}`;
    const best = await fastestRuns(clients, repeat, (key) => run(key, config), (row) =>
      log(
        `[${++done}/${total}] ${row.key} ${what}: ` +
          outcomeText(row, (r) =>
            `${rate(r).toFixed(0)} msgs/s, ${cpuPerMessage(r).toFixed(2)} µs CPU/msg, ` +
            `p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`),
      ));
    rows.push(...best);
  }
} finally {
  await stopBroker?.();
}

// ---------------------------------------------------------------------------------------------
// Report

const report = [
  "# kafkit producer benchmark",
  "",
  stampLine(
    `${
      sizes.map((s) => `${messagesFor(s).toLocaleString("en-US")} messages of ${sizeText(s)}`)
        .join(", ")
    } per run after ${
      sizes.map((s) => warmupFor(s).toLocaleString("en-US")).join("/")
    } warm-up · batches of ${sizeText(batchBytes)}, linger ${lingerMs} ms, ` +
      `${sizeText(inflightBytes)} in flight` +
      (keysList.some((k) => k > 0) ? ` · keys: ${keysList.map(keysText).join(", ")}` : ""),
    repeat,
    started,
  ),
  "",
  "msgs/s and MB/s (10^6 bytes of values) from the first send to the last ack; CPU is the " +
  "client process's user + system time per message; p50/p99 are send→ack latencies at " +
  "saturation (≈ in-flight budget ÷ throughput). ×peer is kafkit's msgs/s over the peer's in " +
  "the same configuration.",
  "",
  resultsTable(rows),
  "",
  ...summarySection(rows),
  "Settings:",
  "",
  settingsList(rows),
  "",
];
await printReport(report, opts.out);
