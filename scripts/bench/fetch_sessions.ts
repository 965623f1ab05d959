/**
 * Incremental fetch sessions (KIP-227) at scale: one Reader over every partition of a topic
 * of --partitions partitions on one broker, with sessions and without (`fetchSessions:
 * false`), then Kafka's ConsumerPerformance on the same topic.
 *
 *   deno run -A scripts/bench/fetch_sessions.ts [--partitions 1000] [--messages 1000000]
 *     [--size 100] [--idle-seconds 10] [--max-wait-ms 500] [--java] [--brokers host:port]
 *
 * The topic is seeded once by ProducerPerformance (values of --size bytes, no key). Each run
 * reads it all from the first offset ("catch-up"), then keeps fetching the idle partitions
 * for --idle-seconds ("idle"). Per phase: messages/s, Fetch requests/s, the mean Fetch
 * request size (bytes written, counted on the reader's sockets), the mean bytes received per
 * fetch, and the broker's CPU (user + system of $KAFKA_PID from /proc, in ms per s of the
 * phase; the broker may be shared, so other clients' load shows up there too).
 *
 * @module
 */

import { FirstOffset, Reader } from "../../mod.ts";
import { type Connect, detectConnect } from "../../src/transport/socket.ts";
import { parseOptions, positive } from "./_driver.ts";
import { createTopic, deleteTopic } from "./_topics.ts";
import { seedTopic } from "./consumer/java.ts";
import { javaClientVersion, keyValues, spawnJavaTool } from "./_java_run.ts";

const FETCH_API_KEY = 1;
const CLOCK_TICKS = 100;

const args = parseOptions("fetch_sessions.ts", {
  partitions: { type: "string", default: "1000" },
  messages: { type: "string", default: "1000000" },
  size: { type: "string", default: "100" },
  "idle-seconds": { type: "string", default: "10" },
  "max-wait-ms": { type: "string", default: "500" },
  java: { type: "boolean", default: false },
});
const partitions = positive("partitions", args.partitions);
const messages = positive("messages", args.messages);
const size = positive("size", args.size);
const idleMs = positive("idle-seconds", args["idle-seconds"]) * 1000;
const maxWait = positive("max-wait-ms", args["max-wait-ms"]);
const brokers = (args as { brokers?: string }).brokers ?? Deno.env.get("KAFKA_BROKERS");
if (!brokers) throw new Error("--brokers or $KAFKA_BROKERS is required");
const brokerPid = Number(Deno.env.get("KAFKA_PID") ?? 0);

/** Bytes and requests on the reader's sockets. */
const wire = { fetches: 0, fetchBytes: 0, readBytes: 0 };
const base = await detectConnect();
const counting: Connect = async (options) => {
  const socket = await base(options);
  return {
    write(data) {
      // One write is one request frame: size (4 bytes), then the API key.
      if (data.length >= 6 && ((data[4] << 8) | data[5]) === FETCH_API_KEY) {
        wire.fetches++;
        wire.fetchBytes += data.length;
      }
      return socket.write(data);
    },
    async read() {
      const chunk = await socket.read();
      if (chunk) wire.readBytes += chunk.length;
      return chunk;
    },
    close: () => socket.close(),
  };
};

/** The broker's CPU time so far, in ms (0 without $KAFKA_PID). */
function brokerCpuMs(): number {
  if (!brokerPid) return 0;
  const stat = Deno.readTextFileSync(`/proc/${brokerPid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS;
}

interface Phase {
  seconds: number;
  messages: number;
  fetches: number;
  requestBytes: number;
  readBytes: number;
  brokerCpuMs: number;
}

function phase(from: typeof wire & { at: number; cpu: number }, read: number): Phase {
  return {
    seconds: (performance.now() - from.at) / 1000,
    messages: read,
    fetches: wire.fetches - from.fetches,
    requestBytes: wire.fetchBytes - from.fetchBytes,
    readBytes: wire.readBytes - from.readBytes,
    brokerCpuMs: brokerCpuMs() - from.cpu,
  };
}
const mark = () => ({ ...wire, at: performance.now(), cpu: brokerCpuMs() });

async function run(topic: string, fetchSessions: boolean): Promise<[Phase, Phase]> {
  const reader = new Reader({
    brokers,
    connect: counting,
    partitions: Array.from({ length: partitions }, (_, partition) => ({
      topic,
      partition,
      offset: FirstOffset,
    })),
    fetchSessions,
    maxWait,
    queueCapacity: 10_000,
  });
  try {
    const start = mark();
    for (let n = 0; n < messages; n++) await reader.fetchMessage();
    const catchUp = phase(start, messages);
    const idleStart = mark();
    await new Promise((r) => setTimeout(r, idleMs));
    return [catchUp, phase(idleStart, 0)];
  } finally {
    await reader.close();
  }
}

/**
 * Kafka's ConsumerPerformance over the topic (a fresh group, 1 MiB fetches, the same maxWait),
 * with its metrics: the window is its fetch time (the run minus the group join), the Fetch
 * count and mean request size its client's own metrics, the broker's CPU over the whole run
 * scaled to the window (the join is idle time for the broker).
 */
async function runJava(topic: string): Promise<Phase> {
  const cpu = brokerCpuMs();
  const started = performance.now();
  const { child, timer } = spawnJavaTool([
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    brokers!,
    "--topic",
    topic,
    "--num-records",
    String(messages),
    "--group",
    `kafkit-bench-sessions-java-${Date.now()}`,
    "--fetch-size",
    "1048576",
    "--timeout",
    "60000",
    "--print-metrics",
    "--command-property",
    ...keyValues({ "fetch.max.bytes": 1_048_576, "fetch.max.wait.ms": maxWait }),
  ], 600_000);
  const out = await child.output();
  clearTimeout(timer);
  const brokerCpu = brokerCpuMs() - cpu;
  const runMs = performance.now() - started;
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`ConsumerPerformance failed:\n${text}`);
  // `group:name:{tags} : value` lines; `tags` narrows to one connection (node-id=node-1).
  const metric = (name: string, tags = "") => {
    const m = new RegExp(`^${name}:\\{[^}]*${tags}[^}]*\\}\\s*:\\s*([\\d.]+)`, "m").exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const summary = text.split("\n").find((l) => /^\d{4}-/.test(l))!.split(", ");
  const fetchSeconds = Number(summary[7]) / 1000;
  const fetches = metric("consumer-fetch-manager-metrics:fetch-total");
  return {
    seconds: fetchSeconds,
    messages: Number(summary[4]),
    fetches,
    // The broker's connection carries the Fetches (and a commit every 5 s); the coordinator's
    // has a node id of its own.
    requestBytes: fetches *
      metric("consumer-node-metrics:request-size-avg", "node-id=node-\\d{1,4}\\b"),
    readBytes: fetches * metric("consumer-fetch-manager-metrics:fetch-size-avg"),
    brokerCpuMs: brokerCpu * Math.min(1, fetchSeconds * 1000 / runMs),
  };
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);
function row(name: string, p: Phase): string {
  const perFetch = (n: number) => p.fetches ? fixed(n / p.fetches) : "-";
  return `| ${name} | ${fixed(p.messages / p.seconds)} | ${fixed(p.fetches / p.seconds, 1)} | ` +
    `${perFetch(p.requestBytes)} | ${perFetch(p.readBytes)} | ` +
    `${fixed(p.brokerCpuMs / p.seconds)} |`;
}

const topic = `kafkit-bench-sessions-${Date.now()}`;
await createTopic(brokers, topic, partitions);
try {
  console.error(`seeding ${messages} messages of ${size} bytes over ${partitions} partitions`);
  await seedTopic(brokers, topic, messages, size, 65_536, 600_000);
  const lines = [
    `Reader over ${partitions} partitions × ${messages / partitions} messages of ${size} B ` +
    `on one broker (maxWait ${maxWait} ms, ${Deno.version ? `Deno ${Deno.version.deno}` : ""})`,
    "",
    "| run | msgs/s | Fetch req/s | bytes per Fetch request | bytes received per Fetch | broker CPU ms/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const sessions of [true, false]) {
    const name = sessions ? "sessions" : "no sessions";
    console.error(`reading, ${name}`);
    const [catchUp, idle] = await run(topic, sessions);
    lines.push(row(`${name}, catch-up`, catchUp), row(`${name}, idle`, idle));
  }
  if (args.java) {
    console.error("reading with ConsumerPerformance");
    lines.push(
      row(`java ${javaClientVersion()} ConsumerPerformance, catch-up`, await runJava(topic)),
    );
  }
  console.log(lines.join("\n"));
} finally {
  await deleteTopic(brokers, topic);
}
