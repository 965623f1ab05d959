/**
 * The Java client's run in the producer benchmark: Kafka's own `ProducerPerformance` tool
 * (through `scripts/kafka/java_tool.sh`), started by the orchestrator under Deno.
 *
 * Throughput and latency come from the tool's steady-state summary (the records after
 * `--warmup-records`; its percentiles are whole milliseconds, its latency runs from the
 * `send()` call — which blocks while `buffer.memory` is full — to the callback). CPU is the
 * JVM's user + system time (every thread: sender, GC, JIT) over that same steady-state window:
 * `/proc/<pid>/stat` is sampled every 20 ms, the window ends when the summary line arrives
 * (the tool prints it after `close()`) and starts the steady-state duration (records ÷ rate)
 * earlier, interpolated between samples. So JVM start-up, producer construction and the
 * warm-up records are excluded, as they are for the JavaScript runners; JIT and GC work during
 * the window are included.
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

/** Runs ProducerPerformance for `spec` and returns its steady-state result. */
export async function runJava(spec: RunSpec, timeoutMs: number): Promise<RunResult> {
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
      if (!end && STEADY.test(out)) {
        sampler.sample();
        end = samples.at(-1);
      }
    }
    const status = await child.status;
    if (!status.success) {
      throw new Error(`ProducerPerformance failed (${status.code}): ${(await stderr).trim()}`);
    }
  } finally {
    sampler.stop();
    clearTimeout(timer);
  }
  const m = STEADY.exec(out);
  if (!m || !end) throw new Error(`no steady-state line in ProducerPerformance's output:\n${out}`);
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
    settings: Object.entries(props).filter(([k]) => k !== "acks" && k !== "client.id")
      .map(([k, v]) => `${k}=${v}`).join(", ") +
      ", enable.idempotence by default (true with acks=all, false with acks=1), " +
      "max.in.flight.requests.per.connection=5, sticky partitioner (no key), " +
      "one send() per record from one thread",
  };
}
