/**
 * What the benchmarks' Java runs share: starting Kafka's tools (and source-file programs)
 * through `scripts/kafka/java_tool.sh`, the Java client's and the JVM's versions, and the JVM's
 * CPU time, sampled from `/proc/<pid>/stat` and interpolated between samples.
 *
 * @module
 */

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);
const JAVA_TOOL = `${HERE}../kafka/java_tool.sh`;
const CLOCK_TICKS = 100; // USER_HZ: utime/stime in /proc/<pid>/stat are in 1/100 s
const SAMPLE_MS = 20;

/**
 * Starts java_tool.sh with `args`, stdout and stderr piped, killed after `timeoutMs`
 * (`clearTimeout(timer)` once it is done). java_tool.sh execs the JVM, so the child's pid is
 * the JVM's.
 */
export function spawnJavaTool(
  args: string[],
  timeoutMs: number,
): { child: Deno.ChildProcess; timer: ReturnType<typeof setTimeout> } {
  const child = new Deno.Command(JAVA_TOOL, { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return { child, timer };
}

/** Java properties as `key=value` arguments (or report text). */
export const keyValues = (props: Record<string, string | number>): string[] =>
  Object.entries(props).map(([k, v]) => `${k}=${v}`);

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

let javaVersion: string | undefined;

/** `java -version`'s version number, cached. */
export function javaRuntimeVersion(): string {
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

/** A reading of a process's CPU time, at a time on the sampler's clock (ms). */
export interface CpuSample {
  at: number;
  cpuMs: number;
}

/**
 * Watches process `pid`'s peak resident set (Linux's VmHWM, a high-water mark), read every
 * 50 ms; `stop()` gives the last reading in MiB (undefined if none): growth in the last 50 ms
 * before the process exits is missed.
 */
export function watchPeakRss(pid: number): { stop(): number | undefined } {
  let kib: number | undefined;
  const read = () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
      if (m) kib = Number(m[1]);
    } catch { /* gone */ }
  };
  const poller = setInterval(read, 50);
  return {
    stop: () => {
      clearInterval(poller);
      return kib === undefined ? undefined : kib / 1024;
    },
  };
}

/** Readings of a process's CPU time, taken every 20 ms until `stop()`. */
export interface CpuSampler {
  readonly samples: CpuSample[];
  /** Takes a reading now (none once the process is gone). */
  sample(): void;
  stop(): void;
}

/** Samples the user + system CPU time of process `pid`, each reading stamped by `clock`. */
export function sampleCpu(pid: number, clock: () => number): CpuSampler {
  const samples: CpuSample[] = [];
  const sample = () => {
    const cpuMs = procCpuMs(pid);
    if (!Number.isNaN(cpuMs)) samples.push({ at: clock(), cpuMs });
  };
  const poller = setInterval(sample, SAMPLE_MS);
  return { samples, sample, stop: () => clearInterval(poller) };
}

/** The CPU time at `at`, interpolated between the samples around it. */
export function cpuAt(samples: CpuSample[], at: number): number {
  const i = samples.findIndex((s) => s.at >= at);
  if (i < 0) return samples.at(-1)!.cpuMs;
  if (i === 0) return samples[0].cpuMs;
  const [a, b] = [samples[i - 1], samples[i]];
  return a.cpuMs + (b.cpuMs - a.cpuMs) * (at - a.at) / (b.at - a.at);
}
