/**
 * The Java client's side of the consumer benchmark, run by the orchestrator under Deno through
 * `scripts/kafka/java_tool.sh`:
 *
 * - `seedTopic`: Kafka's `ProducerPerformance` writes the records every client then reads, once
 *   per size, so all of them decode the same batches.
 * - `runJava` (client key `java`): `ConsumerBench.java`, ConsumerPerformance's loop with the
 *   client's default `check.crcs=true`; it measures itself (window from the partition
 *   assignment to the last record, JVM process CPU from the OperatingSystemMXBean).
 * - `runJavaPerf` (client key `java-perf`): Kafka's own `ConsumerPerformance` tool, which
 *   forces `check.crcs=false`. Its rate is `fetch.nMsg.sec` (the run minus the group join);
 *   CPU is the JVM's user + system time over that same window, from `/proc/<pid>/stat`
 *   sampled every 20 ms and interpolated at the window's ends (the tool prints them).
 *
 * @module
 */

import {
  cpuAt,
  type CpuSample,
  javaClientVersion,
  javaRuntimeVersion,
  keyValues,
  sampleCpu,
  spawnJavaTool,
  watchPeakRss,
} from "../_java_run.ts";
import type { RunResult, RunSpec } from "./_measure.ts";

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);
const CONSUMER_BENCH = `${HERE}ConsumerBench.java`;

/**
 * Runs java_tool.sh with `args`; resolves with its stdout (and, given a `clock`, the JVM's CPU
 * samples stamped by it), rejects with its stderr, naming the run `name`, on failure.
 */
async function javaTool(
  args: string[],
  timeoutMs: number,
  name = args[0],
  clock?: () => number,
): Promise<{ stdout: string; samples: CpuSample[]; peakRssMiB?: number }> {
  const { child, timer } = spawnJavaTool(args, timeoutMs);
  const sampler = clock && sampleCpu(child.pid, clock);
  const rss = watchPeakRss(child.pid);
  try {
    const out = await child.output();
    const peakRssMiB = rss.stop();
    const stdout = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      const stderr = new TextDecoder().decode(out.stderr).trim();
      throw new Error(`${name} failed (${out.code}): ${stderr || stdout.trim()}`);
    }
    return { stdout, samples: sampler?.samples ?? [], peakRssMiB };
  } finally {
    rss.stop();
    sampler?.stop();
    clearTimeout(timer);
  }
}

/** The producer properties of the seeding run. */
export function seedProps(
  batchBytes: number,
  compression = "none",
): Record<string, string | number> {
  return {
    acks: 1,
    "linger.ms": 5,
    "batch.size": batchBytes,
    "compression.type": compression,
    "client.id": "kafkit-bench-seed",
  };
}

/** Writes `records` values of `size` bytes (no key) to `topic` with ProducerPerformance. */
export async function seedTopic(
  brokers: string,
  topic: string,
  records: number,
  size: number,
  batchBytes: number,
  timeoutMs: number,
  compression = "none",
): Promise<void> {
  const out = await javaTool([
    "org.apache.kafka.tools.ProducerPerformance",
    "--bootstrap-server",
    brokers,
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    String(size),
    "--throughput",
    "-1",
    "--command-property",
    ...keyValues(seedProps(batchBytes, compression)),
  ], timeoutMs);
  const m = new RegExp(`^${records} records sent`, "m").exec(out.stdout);
  if (!m) throw new Error(`ProducerPerformance did not report ${records} records:\n${out.stdout}`);
}

const groupId = (what: string) =>
  `bench-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Reads the seeded topic with ConsumerBench.java (check.crcs=true). */
export async function runJava(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  const { stdout: out, peakRssMiB } = await javaTool([
    CONSUMER_BENCH,
    spec.brokers,
    spec.topic,
    String(spec.messages),
    String(spec.fetchBytes),
    String(spec.maxWaitMs),
    groupId("java"),
    String(spec.idleTimeoutMs),
  ], timeoutMs);
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no result from ConsumerBench.java:\n${out}`);
  const r = JSON.parse(line.slice(7)) as Pick<RunResult, "messages" | "bytes" | "wallMs" | "cpuMs">;
  return {
    client: `java ${javaClientVersion()}`,
    runtime: `java ${javaRuntimeVersion()}`,
    ...r,
    peakRssMiB,
    settings: "KafkaConsumer with a fresh group, auto.offset.reset=earliest, poll(100 ms) " +
      `loop (ConsumerPerformance's), check.crcs=true (the default), ` +
      `max.partition.fetch.bytes=fetch.max.bytes=${spec.fetchBytes}, ` +
      `fetch.max.wait.ms=${spec.maxWaitMs}, fetch.min.bytes=1, max.poll.records=500, ` +
      "enable.auto.commit=true (5 s), receive.buffer.bytes=2097152",
  };
}

// start, end, MB, MB/s, nMsg, nMsg/s, rebalance.time.ms, fetch.time.ms, fetch.MB/s, fetch.nMsg/s
const SUMMARY = /^(\S+), (\S+), [\d.]+, [\d.]+, (\d+), [\d.]+, (\d+), (\d+), [\d.]+, [\d.]+$/m;

/** Reads the seeded topic with Kafka's ConsumerPerformance tool (check.crcs=false). */
export async function runJavaPerf(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  const props = {
    "fetch.max.bytes": spec.fetchBytes,
    "fetch.max.wait.ms": spec.maxWaitMs,
    "client.id": "kafkit-bench",
  };
  const args = [
    "org.apache.kafka.tools.ConsumerPerformance",
    "--bootstrap-server",
    spec.brokers,
    "--topic",
    spec.topic,
    "--num-records",
    String(spec.messages),
    "--group",
    groupId("java-perf"),
    "--fetch-size",
    String(spec.fetchBytes),
    "--timeout",
    String(spec.idleTimeoutMs),
    "--date-format",
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "--command-property",
    ...keyValues(props),
  ];
  // The window's ends are dates in the tool's output, so the samples are stamped with Date.now.
  const { stdout, samples, peakRssMiB } = await javaTool(
    args,
    timeoutMs,
    "ConsumerPerformance",
    Date.now,
  );
  const m = SUMMARY.exec(stdout);
  if (!m || samples.length === 0) {
    throw new Error(`no summary line in ConsumerPerformance's output:\n${stdout}`);
  }
  const end = Date.parse(m[2]);
  const fetchMs = Number(m[5]);
  const messages = Number(m[3]);
  if (messages < spec.messages) throw new Error(`ConsumerPerformance read ${messages} records`);
  return {
    client: `java ${javaClientVersion()} ConsumerPerformance`,
    runtime: `java ${javaRuntimeVersion()}`,
    messages,
    bytes: messages * spec.size,
    wallMs: fetchMs,
    cpuMs: cpuAt(samples, end) - cpuAt(samples, end - fetchMs),
    peakRssMiB,
    settings: "Kafka's tool: fresh group, auto.offset.reset=earliest, poll(100 ms) loop, " +
      "check.crcs=false (forced by the tool, after any --command-property), " +
      `max.partition.fetch.bytes=fetch.max.bytes=${spec.fetchBytes}, ` +
      `fetch.max.wait.ms=${spec.maxWaitMs}, max.poll.records=500; rate = fetch.nMsg.sec ` +
      "(run minus group join), CPU from /proc over that window",
  };
}
