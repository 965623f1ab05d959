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

import type { RunResult, RunSpec } from "./_measure.ts";

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);
const JAVA_TOOL = `${HERE}../../kafka/java_tool.sh`;
const CLOCK_TICKS = 100; // USER_HZ: utime/stime in /proc/<pid>/stat are in 1/100 s
const SAMPLE_MS = 20;

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

/** The Java client's version: the kafka-clients jar in $KAFKA_LIBS (or "?"). */
export function javaClientVersion(): string {
  const libs = Deno.env.get("KAFKA_LIBS");
  if (!libs) return "?";
  for (const entry of Deno.readDirSync(libs)) {
    const m = /^kafka-clients-(\d[^-]*)\.jar$/.exec(entry.name);
    if (m) return m[1];
  }
  return "?";
}

/** CPU ms of a live process from /proc, or NaN once it is gone. */
function procCpuMs(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS;
  } catch {
    return NaN;
  }
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
    ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
  ];
  // java_tool.sh execs the JVM, so the child's pid is the JVM's.
  const child = new Deno.Command(JAVA_TOOL, { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const samples: Sample[] = [];
  const sample = () => {
    const cpuMs = procCpuMs(child.pid);
    if (!Number.isNaN(cpuMs)) samples.push({ at: performance.now(), cpuMs });
  };
  const poller = setInterval(sample, SAMPLE_MS);
  const stderr = new Response(child.stderr).text();
  let out = "";
  let end: Sample | undefined;
  try {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      out += decoder.decode(chunk, { stream: true });
      if (!end && STEADY.test(out)) {
        sample();
        end = samples.at(-1);
      }
    }
    const status = await child.status;
    if (!status.success) {
      throw new Error(`ProducerPerformance failed (${status.code}): ${(await stderr).trim()}`);
    }
  } finally {
    clearInterval(poller);
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

/** A reading of the JVM's CPU time. */
interface Sample {
  at: number;
  cpuMs: number;
}

/** The CPU time at `at`, interpolated between the samples around it. */
function cpuAt(samples: Sample[], at: number): number {
  const i = samples.findIndex((s) => s.at >= at);
  if (i < 0) return samples.at(-1)!.cpuMs;
  if (i === 0) return samples[0].cpuMs;
  const [a, b] = [samples[i - 1], samples[i]];
  return a.cpuMs + (b.cpuMs - a.cpuMs) * (at - a.at) / (b.at - a.at);
}

let javaVersion: string | undefined;

/** `java -version`'s version number, cached. */
function javaRuntimeVersion(): string {
  if (javaVersion === undefined) {
    try {
      const home = Deno.env.get("JAVA_HOME");
      const java = home ? `${home}/bin/java` : "java";
      const out = new Deno.Command(java, { args: ["-version"], stderr: "piped" }).outputSync();
      javaVersion = /version "([^"]+)"/.exec(new TextDecoder().decode(out.stderr))?.[1] ?? "?";
    } catch {
      javaVersion = "?";
    }
  }
  return javaVersion;
}
