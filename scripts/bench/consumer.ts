/**
 * Consumer throughput and end-to-end latency against a single-node broker: kafkit's Reader on
 * Deno, Bun and Node 24, side by side with kafkajs and @platformatic/kafka (on Node 24) and
 * the Java client, one client at a time, each in its own process.
 *
 *   deno run -A scripts/bench/consumer.ts [--out report.md]
 *     [--clients java,java-perf,kafkajs,platformatic,franz-go,kafka-go,kafkit,kafkit-group]
 *                           kafkit = kafkit-deno,kafkit-bun,kafkit-node (one Reader over
 *                           the topic's partitions, no group, fetchMessage()); kafkit-group = kafkit-deno-group,... (one group
 *                           Reader, readMessage(), interval commits); kafkit-nocrc =
 *                           kafkit-deno-nocrc,... (the same, checkCrcs: false);
 *                           kafkit-nativecrc = the same, CRCs checked by @node-rs/crc32
 *                           (registerCrc32c);
 *                           kafkit-batch = kafkit-deno-batch,... (the same,
 *                           fetchMessages(): up to 1000 queued messages per call);
 *                           kafkit-groupbatch = kafkit-deno-groupbatch,... (one group
 *                           Reader, readMessages(), interval commits);
 *                           java = the Java client with check.crcs=true; java-perf = Kafka's
 *                           ConsumerPerformance tool (which forces check.crcs=false);
 *                           franz-go, kafka-go = Go programs built from the module proxy on
 *                           first use (see consumer/go.ts)
 *     [--sizes 100,1024] [--partitions 1,8,64]
 *     [--compression none,snappy]   codecs the topics are seeded with, one topic per codec
 *     [--messages 1000000]  records seeded per size, and read by every client
 *     [--repeat 2]          runs per client and configuration; the report keeps the fastest
 *     [--fetch-bytes 1048576] [--max-wait-ms 500] [--queue-capacity 10000]
 *     [--seed-batch-bytes 65536] [--idle-timeout-ms 30000]
 *     [--latency-clients kafkajs,platformatic,kafkit]   "none" skips the latency runs
 *     [--rate 5000] [--latency-seconds 10] [--latency-warmup-seconds 2] [--latency-size 100]
 *     [--brokers host:port] (default $KAFKA_BROKERS)
 *
 * Without --brokers or $KAFKA_BROKERS it uses the harness's broker in
 * ${KAFKIT_STATE:-/tmp/kafkit-bench}, starting one (C2 enabled) if none is up and then stopping
 * it at the end.
 *
 * Throughput: per size, partition count and codec one topic is seeded ONCE by the Java
 * client's ProducerPerformance (values of the given size, no key, batches of
 * --seed-batch-bytes), so every client decodes the same record batches; a throw-away kafkit
 * read then warms the broker's fetch path. Each run reads the whole topic from the beginning,
 * fresh: a Reader over the partitions from FirstOffset (kafkit), or a new consumer group reset to the
 * earliest offset (the others). Every client gets the same fetch limits: --fetch-bytes per
 * response and per partition (1 MiB by default, the Java client's and kafkajs's per-partition
 * default; 16 MiB was slower for kafkit and @platformatic/kafka, faster for kafkajs),
 * --max-wait-ms, min bytes 1. Runs go configuration by
 * configuration, the clients in turn (in reverse order on every other repeat). msgs/s and MB/s
 * (10^6 bytes of values per second) run from the moment the client is ready to fetch (kafkit's
 * readers created; the others' group joined — the Java tool's fetch.time.ms) to the last
 * message handed to the application; CPU is the client process's user + system time over that
 * window (for Java, the JVM's: see `consumer/java.ts`). Every kafkit run also reports its
 * event-loop stalls: how late a 10 ms timer fired, p99 and max, by the wall clock and counting
 * only the time the process was on the CPU (on a shared machine preemption looks like a
 * stall too).
 *
 * End-to-end latency: per client a fresh one-partition topic; once the consumer says it is
 * consuming, kafkit's Writer in this process produces --rate messages/s for
 * --latency-warmup-seconds + --latency-seconds, each value carrying its send time; the
 * consumer takes receive time − send time for the messages after the warm-up.
 *
 * The markdown report goes to stdout (and --out), progress to stderr.
 *
 * @module
 */

import { dialLeader } from "../../mod.ts";
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
import { keyValues } from "./_java_run.ts";
import { cpuPerMessage, rate, settingsLines, sizeText, summarySection } from "./_report_table.ts";
import { createTopic, deleteTopic } from "./_topics.ts";
import { READY_LINE, RESULT_PREFIX, type RunResult, type RunSpec } from "./consumer/_measure.ts";
import { producePaced } from "./consumer/_paced.ts";
import {
  type Config,
  type LatencyRow,
  latencyTable,
  resultsTable,
  type Row,
  stallText,
} from "./consumer/_report.ts";
import { runJava, runJavaPerf, seedProps, seedTopic } from "./consumer/java.ts";
import { GO_PEERS, type GoPeer, runGo } from "./consumer/go.ts";

const RUN_TIMEOUT_MS = 300_000;

/** The runtimes kafkit runs on, as the suffixes of their client keys. */
const KAFKIT_RUNTIMES = ["deno", "bun", "node"];
/** kafkit's ways to read besides the default (a Reader over the partitions, no group), by client key suffix. */
const KAFKIT_VARIANTS: Record<
  string,
  Pick<RunSpec, "reader" | "checkCrcs" | "batch" | "nativeCrc">
> = {
  group: { reader: "group" },
  nocrc: { checkCrcs: false },
  nativecrc: { nativeCrc: true },
  batch: { batch: true },
  groupbatch: { reader: "group", batch: true },
};

/** The clients plus kafkit-<runtime>-<variant> for each variant (the same runner). */
function kafkitVariants<T>(clients: Record<string, T>): Record<string, T> {
  const out = { ...clients };
  for (const rt of KAFKIT_RUNTIMES) {
    for (const v of Object.keys(KAFKIT_VARIANTS)) {
      out[`kafkit-${rt}-${v}`] = clients[`kafkit-${rt}`];
    }
  }
  return out;
}

/** `kafkit-group`, `kafkit-nocrc`, ... stand for the variant on every runtime. */
const expandVariants = (keys: string[]) =>
  keys.flatMap((k) => {
    const m = /^kafkit-(\w+)$/.exec(k);
    return m && m[1] in KAFKIT_VARIANTS ? KAFKIT_RUNTIMES.map((rt) => `kafkit-${rt}-${m[1]}`) : [k];
  });

/** The variant settings a kafkit client key asks for (none for the others). */
const variantOf = (key: string) => KAFKIT_VARIANTS[/^kafkit-\w+-(\w+)$/.exec(key)?.[1] ?? ""] ?? {};

/** How each client key is run: a command for a JavaScript runner, or a Java run. */
const RUNNERS = clientCommands(`${ROOT}/scripts/bench/consumer`, [
  "java",
  "java-perf",
  ...GO_PEERS,
]);
const CLIENTS = kafkitVariants(RUNNERS);

const opts = parseOptions("consumer.ts", {
  clients: {
    type: "string",
    default: "java,java-perf,kafkajs,platformatic,franz-go,kafka-go,kafkit",
  },
  sizes: { type: "string", default: "100,1024" },
  partitions: { type: "string", default: "1" },
  compression: { type: "string", default: "none" },
  messages: { type: "string", default: "1000000" },
  repeat: { type: "string", default: "2" },
  "fetch-bytes": { type: "string", default: "1048576" },
  "max-wait-ms": { type: "string", default: "500" },
  "queue-capacity": { type: "string", default: "10000" },
  "seed-batch-bytes": { type: "string", default: "65536" },
  "idle-timeout-ms": { type: "string", default: "30000" },
  "latency-clients": { type: "string", default: "kafkajs,platformatic,kafkit" },
  rate: { type: "string", default: "5000" },
  "latency-seconds": { type: "string", default: "10" },
  "latency-warmup-seconds": { type: "string", default: "2" },
  "latency-size": { type: "string", default: "100" },
});

/** An option's items, "none" standing for no item. */
const items = (text: string) => list(text).filter((s) => s !== "none");

const clients = clientKeys(expandVariants(items(opts.clients)), CLIENTS);
const latencyClients = clientKeys(items(opts["latency-clients"]), CLIENTS);
for (const c of latencyClients) {
  if (typeof CLIENTS[c] === "string") {
    throw new TypeError(`--latency-clients: ${c} has no latency runner`);
  }
}
const sizes = items(opts.sizes).map((s) => positive("sizes", s));
const partitionsList = items(opts.partitions).map((p) => positive("partitions", p));
const codecs = list(opts.compression);
for (const c of codecs) {
  if (!["none", "gzip", "snappy", "lz4", "zstd"].includes(c)) {
    throw new TypeError(`--compression: unknown codec ${c}`);
  }
}
const messages = positive("messages", opts.messages);
const repeat = positive("repeat", opts.repeat);
const fetchBytes = positive("fetch-bytes", opts["fetch-bytes"]);
const maxWaitMs = positive("max-wait-ms", opts["max-wait-ms"]);
const queueCapacity = positive("queue-capacity", opts["queue-capacity"]);
const seedBatchBytes = positive("seed-batch-bytes", opts["seed-batch-bytes"]);
const idleTimeoutMs = positive("idle-timeout-ms", opts["idle-timeout-ms"]);
const latencyRate = positive("rate", opts.rate);
const latencySeconds = positive("latency-seconds", opts["latency-seconds"]);
const latencyWarmupSeconds = Number(opts["latency-warmup-seconds"]);
const latencySize = positive("latency-size", opts["latency-size"]);
if (latencySize < 12) throw new RangeError("--latency-size must be at least 12 bytes");

const log = (line: string) => console.error(`[consumer-bench] ${line}`);

const { brokers, stop: stopBroker } = await useBroker(opts.brokers, log);

// ---------------------------------------------------------------------------------------------
// Runs

let topicSeq = 0;
const topicName = (what: string) => `bench-consume-${what}-${Date.now()}-${topicSeq++}`;

/** Each partition's end offset (the log end: the seeded topics have no transactions). */
async function endOffsets(topic: string, partitions: number): Promise<number[]> {
  const ends: number[] = [];
  for (let p = 0; p < partitions; p++) {
    await using conn = await dialLeader(brokers, topic, p);
    ends.push(await conn.readLastOffset());
  }
  return ends;
}

function throughputSpec(topic: string, c: Config, ends: number[]): RunSpec {
  return {
    mode: "throughput",
    brokers,
    topic,
    partitions: c.partitions,
    size: c.size,
    messages,
    ends,
    warmup: 0,
    fetchBytes,
    maxWaitMs,
    queueCapacity,
    idleTimeoutMs,
  };
}

/** Runs a JavaScript runner; `whenReady` runs once it prints READY (latency mode). */
const runScript = (command: string[], spec: RunSpec, whenReady?: () => Promise<void>) =>
  runClient<RunResult>(command, spec, {
    timeoutMs: RUN_TIMEOUT_MS,
    resultPrefix: RESULT_PREFIX,
    ready: whenReady && { line: READY_LINE, then: whenReady },
  });

async function run(key: string, config: Config, topic: string, ends: number[]): Promise<Row> {
  const spec = { ...throughputSpec(topic, config, ends), ...variantOf(key) };
  try {
    const how = CLIENTS[key];
    const result = how === "java"
      ? await runJava(spec, RUN_TIMEOUT_MS)
      : how === "java-perf"
      ? await runJavaPerf(spec, RUN_TIMEOUT_MS)
      : typeof how === "string"
      ? await runGo(how as GoPeer, spec, RUN_TIMEOUT_MS)
      : await runScript(how, spec);
    if (result.messages < messages) throw new Error(`read ${result.messages} of ${messages}`);
    return { key, config, result };
  } catch (e) {
    return { key, config, error: errorText(e) };
  }
}

async function runLatency(key: string): Promise<LatencyRow> {
  const topic = topicName(`latency-${key}`);
  const warmup = Math.round(latencyRate * latencyWarmupSeconds);
  const total = warmup + latencyRate * latencySeconds;
  const spec: RunSpec = {
    mode: "latency",
    brokers,
    topic,
    partitions: 1,
    size: latencySize,
    messages: total,
    warmup,
    fetchBytes,
    maxWaitMs,
    queueCapacity,
    idleTimeoutMs,
  };
  try {
    await createTopic(brokers, topic, 1);
    const command = CLIENTS[key] as string[];
    const result = await runScript(command, spec, async () => {
      const paced = await producePaced(brokers, topic, latencySize, latencyRate, total);
      log(
        `  produced ${paced.sent} messages in ${(paced.spanMs / 1000).toFixed(2)} s ` +
          `(${(paced.sent / paced.spanMs * 1000).toFixed(0)} msgs/s)`,
      );
    });
    return { key, result };
  } catch (e) {
    return { key, error: errorText(e) };
  } finally {
    await deleteTopic(brokers, topic).catch((e) => log(`could not delete ${topic}: ${e}`));
  }
}

const rows: Row[] = [];
const latencyRows: LatencyRow[] = [];
const started = Date.now();
const configs: Config[] = sizes.flatMap((size) =>
  partitionsList.flatMap((partitions) =>
    codecs.map((compression) => ({ size, partitions, compression }))
  )
);
try {
  const total = configs.length * clients.length * repeat;
  let done = 0;
  for (const config of configs) {
    const what = `${sizeText(config.size)} p=${config.partitions} ${config.compression}`;
    const topic = topicName(`${config.size}-${config.partitions}-${config.compression}`);
    try {
      await createTopic(brokers, topic, config.partitions);
      log(`seeding ${topic}: ${messages} × ${what} with ProducerPerformance`);
      const t = performance.now();
      await seedTopic(
        brokers,
        topic,
        messages,
        config.size,
        seedBatchBytes,
        RUN_TIMEOUT_MS,
        config.compression,
      );
      const ends = await endOffsets(topic, config.partitions);
      log(`  seeded in ${((performance.now() - t) / 1000).toFixed(1)} s, end offsets ${ends}`);
      if (ends.reduce((a, b) => a + b, 0) !== messages) {
        throw new Error(`seeded ${ends.reduce((a, b) => a + b, 0)} records, not ${messages}`);
      }
      // A throw-away read warms the broker's fetch path (its JIT) up.
      const warm = await runScript(CLIENTS["kafkit-node"] as string[], {
        ...throughputSpec(topic, config, ends),
      }).catch((e) => log(`warm-up read failed: ${e}`));
      if (warm) log(`  warm-up read: ${rate(warm).toFixed(0)} msgs/s (kafkit-node, not reported)`);
      const best = await fastestRuns(
        clients,
        repeat,
        (key) => run(key, config, topic, ends),
        (row) =>
          log(
            `[${++done}/${total}] ${row.key} ${what}: ` +
              outcomeText(
                row,
                (r) =>
                  `${rate(r).toFixed(0)} msgs/s, ${cpuPerMessage(r).toFixed(2)} µs CPU/msg` +
                  (r.stallMaxMs === undefined ? "" : `, stall max ${stallText(r)}`),
              ),
          ),
      );
      rows.push(...best);
    } finally {
      await deleteTopic(brokers, topic).catch((e) => log(`could not delete ${topic}: ${e}`));
    }
  }
  for (const key of latencyClients) {
    log(`latency: ${key}, ${latencyRate} msgs/s for ${latencyWarmupSeconds} + ${latencySeconds} s`);
    const row = await runLatency(key);
    log(
      `  ${key}: ` +
        outcomeText(row, (r) =>
          `p50 ${r.p50Ms!.toFixed(2)} ms, p99 ${r.p99Ms!.toFixed(2)} ms, ` +
          `max ${r.maxMs!.toFixed(1)} ms over ${r.messages} messages`),
    );
    latencyRows.push(row);
  }
} finally {
  await stopBroker?.();
}

// ---------------------------------------------------------------------------------------------
// Report

const seed = keyValues(seedProps(seedBatchBytes, codecs.join("/")))
  .filter((kv) => !kv.startsWith("client.id="))
  .join(", ");
const report = [
  "# kafkit consumer benchmark",
  "",
  stampLine(
    `${messages.toLocaleString("en-US")} messages of ${sizes.map(sizeText).join(" and ")} ` +
      `seeded once per size by ProducerPerformance (${seed}) · ` +
      `${partitionsList.join("/")} partition${partitionsList.join() === "1" ? "" : "s"} · ` +
      `fetches of at most ${sizeText(fetchBytes)}, max wait ${maxWaitMs} ms`,
    repeat,
    started,
  ),
  "",
];
if (rows.length > 0) {
  report.push(
    "## Throughput",
    "",
    "Every client reads the whole seeded topic from the beginning. msgs/s and MB/s (10^6 bytes " +
      "of values) from the moment the client is ready to fetch (readers created, or group " +
      "joined) to the last message handed to the application; CPU is the client process's user " +
      "+ system time over that window, per message; GC is the time the runtime reports in " +
      "garbage collection over it (Node's gc performance entries; Deno and Bun report none); " +
      "peak RSS is the process's resident-set high-water mark (VmHWM) over the whole run. " +
      "×peer is kafkit's msgs/s over the peer's " +
      "in the same configuration (java = the Java client with check.crcs=true).",
    "",
    resultsTable(rows),
    "",
    ...summarySection(rows),
  );
}
if (latencyRows.length > 0) {
  report.push(
    "## End-to-end latency",
    "",
    `${latencyRate.toLocaleString("en-US")} messages/s of ${sizeText(latencySize)} for ` +
      `${latencySeconds} s (after ${latencyWarmupSeconds} s not counted) into a fresh ` +
      "one-partition topic, produced by kafkit's Writer (acks=1, batchTimeout=0) in the " +
      "orchestrator's process; latency is the consumer's receive time − the send time in the " +
      "value. p50/p99 ×peer: kafkit's over the peer's (lower is better).",
    "",
    latencyTable(latencyRows),
    "",
  );
}
report.push(
  "Settings:",
  "",
  settingsLines([...rows.map((r) => r.result), ...latencyRows.map((r) => r.result)]).join("\n"),
  "",
);
await printReport(report, opts.out);
