/**
 * The Java client's run in the producer benchmark, started by the orchestrator under Deno
 * through `scripts/kafka/java_tool.sh`: Kafka's own `ProducerPerformance` tool without keys,
 * and, with keys (which the tool cannot send), `ProducerBench.java`, the tool's loop with the
 * runners' keys, the same producer properties and a `RESULT` line of its own.
 *
 * Throughput and latency come from the tool's steady-state summary (the records after
 * `--warmup-records`; its percentiles are whole milliseconds, its latency runs from the
 * `send()` call — which blocks while `buffer.memory` is full — to the callback). CPU is the
 * JVM's user + system time (every thread: sender, GC, JIT) over that same steady-state window:
 * `/proc/<pid>/stat` is sampled every 20 ms, the window ends when the summary line arrives
 * (the tool prints it after `close()`) and starts the steady-state duration (records ÷ rate)
 * earlier, interpolated between samples. So JVM start-up, producer construction and the
 * warm-up records are excluded, as they are for the JavaScript runners; JIT and GC work during
 * the window are included. ProducerBench.java is measured the same way: its result line (printed
 * after `flush()`, before `close()`) gives the window's end and length (first measured send to
 * last ack) and the send→ack percentiles (fractions of a millisecond).
 *
 * Note for keyed runs: the Java client takes a whole batch.size from buffer.memory for every
 * open batch, and keys keep a batch open on every partition, so with P partitions it needs
 * about P × batch.size (4 MiB at 64 × 64 KiB) before send() stops blocking on memory; with less
 * it sends small batches at once (low latency, low throughput). Without keys the sticky
 * partitioner fills one batch at a time. The JavaScript clients' batches take only what their
 * messages hold.
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
} from "../_java_run.ts";
import type { RunResult, RunSpec } from "./_measure.ts";

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);
const PRODUCER_BENCH = `${HERE}ProducerBench.java`;

/** The producer properties the Java run uses for `spec`. */
export function javaProps(spec: RunSpec): Record<string, string | number> {
  return {
    acks: spec.acks === -1 ? "all" : 1,
    "linger.ms": spec.lingerMs,
    "batch.size": spec.batchBytes,
    "buffer.memory": spec.inflightBytes,
    "compression.type": "none",
    "client.id": "kafkit-bench",
  };
}

const STEADY =
  /^(\d+) steady state records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/m;

/** The settings the report lists for a Java run with `props`, besides the partitioner. */
const settingsText = (props: Record<string, string | number>) =>
  Object.entries(props).filter(([k]) => k !== "acks" && k !== "client.id")
    .map(([k, v]) => `${k}=${v}`).join(", ") +
  ", enable.idempotence by default (true with acks=all, false with acks=1), " +
  "max.in.flight.requests.per.connection=5";

/**
 * Runs the Java client for `spec`: ProducerPerformance without keys, ProducerBench.java with
 * them; returns the measured phase's result.
 */
export function runJava(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  return spec.keys > 0
    ? runProducerBench(spec, timeoutMs)
    : runProducerPerformance(spec, timeoutMs);
}

/**
 * Runs java_tool.sh with `args` while sampling the JVM's CPU time; resolves once it has exited
 * with its stdout and the CPU sample taken when `done` first matched the output so far.
 */
async function sampledRun(
  args: string[],
  name: string,
  done: RegExp,
  timeoutMs: number,
): Promise<{ out: string; samples: CpuSample[]; end: CpuSample }> {
  const { child, timer } = spawnJavaTool(args, timeoutMs);
  const sampler = sampleCpu(child.pid, () => performance.now());
  const samples = sampler.samples;
  const stderr = new Response(child.stderr).text();
  let out = "";
  let end: CpuSample | undefined;
  try {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      out += decoder.decode(chunk, { stream: true });
      if (!end && done.test(out)) {
        sampler.sample();
        end = samples.at(-1);
      }
    }
    const status = await child.status;
    if (!status.success) {
      throw new Error(`${name} failed (${status.code}): ${(await stderr).trim()}`);
    }
  } finally {
    sampler.stop();
    clearTimeout(timer);
  }
  if (!end) throw new Error(`no result in ${name}'s output:\n${out}`);
  return { out, samples, end };
}

/** Runs ProducerPerformance for `spec` (no keys) and returns its steady-state result. */
async function runProducerPerformance(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  const props = javaProps(spec);
  const args = [
    "org.apache.kafka.tools.ProducerPerformance",
    "--bootstrap-server",
    spec.brokers,
    "--topic",
    spec.topic,
    "--num-records",
    String(spec.messages + spec.warmup),
    "--warmup-records",
    String(spec.warmup),
    "--record-size",
    String(spec.size),
    "--throughput",
    "-1",
    "--command-property",
    ...keyValues(props),
  ];
  const { out, samples, end } = await sampledRun(args, "ProducerPerformance", STEADY, timeoutMs);
  const m = STEADY.exec(out)!;
  const messages = Number(m[1]);
  const wallMs = messages / Number(m[2]) * 1000;
  return {
    client: `java ${javaClientVersion()}`,
    runtime: "java " + javaRuntimeVersion(),
    messages,
    wallMs,
    cpuMs: end.cpuMs - cpuAt(samples, end.at - wallMs),
    p50Ms: Number(m[6]),
    p99Ms: Number(m[8]),
    settings: `${settingsText(props)}, sticky partitioner (no key), ` +
      "one send() per record from one thread",
  };
}

const RESULT = /^RESULT (\{.*\})$/m;

/** Runs ProducerBench.java for `spec` (keyed) and returns its measured phase's result. */
async function runProducerBench(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  const props = javaProps(spec);
  const args = [
    PRODUCER_BENCH,
    spec.brokers,
    spec.topic,
    String(spec.messages),
    String(spec.warmup),
    String(spec.size),
    String(spec.keys),
    ...keyValues(props),
  ];
  const { out, samples, end } = await sampledRun(args, "ProducerBench.java", RESULT, timeoutMs);
  const r = JSON.parse(RESULT.exec(out)![1]) as Pick<
    RunResult,
    "messages" | "wallMs" | "p50Ms" | "p99Ms"
  >;
  return {
    client: `java ${javaClientVersion()}`,
    runtime: "java " + javaRuntimeVersion(),
    ...r,
    cpuMs: end.cpuMs - cpuAt(samples, end.at - r.wallMs),
    settings: `KafkaProducer (ProducerBench.java), ${settingsText(props)}, ` +
      "default partitioner (murmur2 of the key), one send() per record from one thread; " +
      "every open batch holds batch.size of buffer.memory (keys keep one open per partition)",
  };
}
