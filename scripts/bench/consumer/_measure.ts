/**
 * What every JavaScript runner of the consumer benchmark shares: the run description it is
 * given, the counting sink each client feeds its messages into, and the result line it prints
 * for the orchestrator (`scripts/bench/consumer.ts`).
 *
 * Two modes:
 *
 * - `throughput`: read a seeded topic from the beginning until `messages` records are seen.
 *   The measured window runs from the moment the client is ready to fetch (kafkit: readers
 *   created; group clients: group joined, as the Java tool's `fetch.time.ms`) to the last
 *   message handed to the application; CPU is the process's user + system time over the same
 *   window. Process start-up and group joins are left out; the first fetch is in (clients
 *   decode a whole fetch response before handing its first message over).
 * - `latency`: read a fresh topic that the orchestrator fills at a fixed rate once the runner
 *   prints `READY`; every value starts with its send time (float64 ms since the epoch, from
 *   `performance.timeOrigin + performance.now()`, little endian) and a sequence number
 *   (uint32), and end-to-end latency is receive time − send time, for the records after the
 *   first `warmup` (sequence numbers below it are read but not counted).
 *
 * Every client does the same per-message work: count the message and add up its value bytes
 * (and, in latency mode, decode the send time).
 *
 * @module
 */

import process from "node:process";
import { PerformanceObserver } from "node:perf_hooks";
import { RUNTIME } from "../_runtime.ts";

/** One run, as the orchestrator passes it to a runner (JSON in the first argument). */
export interface RunSpec {
  mode: "throughput" | "latency";
  brokers: string;
  topic: string;
  partitions: number;
  /** Value size in bytes (no key, no headers). */
  size: number;
  /** Records to read in all. */
  messages: number;
  /** Each partition's end offset (the topic starts at offset 0), where known in advance. */
  ends?: number[];
  /** Latency mode: records (lowest sequence numbers) read but left out of the percentiles. */
  warmup: number;
  /** Largest fetch response, and per partition, in bytes (every client). */
  fetchBytes: number;
  /** Longest the broker may hold a fetch waiting for data, ms (every client). */
  maxWaitMs: number;
  /** kafkit: messages fetched ahead of the application. */
  queueCapacity: number;
  /** Give up when no message arrives for this long, ms. */
  idleTimeoutMs: number;
  /**
   * kafkit: "partition" (a partition Reader per partition, `fetchMessage()`; the default) or
   * "group" (one group Reader, `readMessage()`, offsets committed every 5 s).
   */
  reader?: "partition" | "group";
  /**
   * kafkit: read a batch per call — `fetchMessages()` (partition) or `readMessages()` (group)
   * — instead of a message per call.
   */
  batch?: boolean;
  /** kafkit: whether record batch CRC-32Cs are checked (default true). */
  checkCrcs?: boolean;
  /** kafkit: check them with @node-rs/crc32's native CRC-32C (`registerCrc32c`). */
  nativeCrc?: boolean;
}

/** What a runner reports; the orchestrator reads it from the `RESULT ` line. */
export interface RunResult {
  client: string;
  /** e.g. "node 24.21.0". */
  runtime: string;
  messages: number;
  /** Value bytes read. */
  bytes: number;
  /** First message to last message. */
  wallMs: number;
  /** User + system CPU of the client process over the measured window. */
  cpuMs: number;
  /** Latency mode: end-to-end percentiles over the measured records. */
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  /**
   * Event-loop stalls over the measured window: how much later than due a 10 ms interval
   * timer fired, p99 and max, ms.
   */
  stallP99Ms?: number;
  stallMaxMs?: number;
  /** The same, counting only the part of each gap the process spent on the CPU. */
  stallOnCpuP99Ms?: number;
  stallOnCpuMaxMs?: number;
  /** The client process's peak resident set, MiB (added by the orchestrator, from /proc). */
  peakRssMiB?: number;
  /** Time spent in garbage collection over the window, ms (where the runtime reports it: Node). */
  gcMs?: number;
  /** The client settings, as one line for the report. */
  settings: string;
}

/**
 * Adds up the runtime's "gc" performance entries while it runs; `ms()` is undefined where
 * none came (Bun takes the observer but reports none, Deno has no gc entries).
 */
class GcMeter {
  #ms = 0;
  #entries = 0;
  #observer: PerformanceObserver | undefined;

  start(): void {
    try {
      this.#observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          this.#ms += e.duration;
          this.#entries++;
        }
      });
      this.#observer.observe({ entryTypes: ["gc"] });
    } catch {
      this.#observer = undefined; // no gc entries on this runtime
    }
  }

  stop(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }

  ms(): number | undefined {
    return this.#entries > 0 ? this.#ms : undefined;
  }
}

/** The period of the timer that measures event-loop stalls, ms. */
const STALL_TICK_MS = 10;

/**
 * Measures how late a 10 ms interval timer fires while the client consumes: a stall is the
 * time the event loop spent on something else (decoding a whole fetch response, say) before
 * it got to the timer, what every other task of the application would wait too. On a busy
 * machine the process is also descheduled now and then, which looks the same from inside;
 * the on-CPU figure counts a gap only as far as the process used CPU during it (user +
 * system, all threads), which leaves such waits out.
 */
class StallMeter {
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = 0;
  #lastCpu = 0;
  readonly #late: number[] = [];
  readonly #lateOnCpu: number[] = [];

  start(): void {
    this.#last = performance.now();
    this.#lastCpu = cpuMsNow();
    this.#timer = setInterval(() => this.#tick(), STALL_TICK_MS);
  }

  #tick(): void {
    const now = performance.now();
    const cpu = cpuMsNow();
    const gap = now - this.#last;
    this.#late.push(Math.max(0, gap - STALL_TICK_MS));
    this.#lateOnCpu.push(Math.max(0, Math.min(gap, cpu - this.#lastCpu) - STALL_TICK_MS));
    this.#last = now;
    this.#lastCpu = cpu;
  }

  /** Stops measuring (the time since the last tick counts as one more). */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#tick();
  }

  /** p99 and max, ms, of the wall-clock and the on-CPU lateness. */
  summary(): { p99: number; max: number; p99OnCpu: number; maxOnCpu: number } {
    const wall = percentiles(this.#late);
    const onCpu = percentiles(this.#lateOnCpu);
    return { p99: wall.p99, max: wall.max, p99OnCpu: onCpu.p99, maxOnCpu: onCpu.max };
  }
}

const cpuMsNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function percentiles(xs: number[]): { p99: number; max: number } {
  const sorted = Float64Array.from(xs).sort();
  return {
    p99: sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** The prefix of the line a runner prints its result on. */
export const RESULT_PREFIX = "RESULT ";
/** The line a latency runner prints once it is consuming. */
export const READY_LINE = "READY";

/** Reads the run description from the command line (`runner.ts '<json>'`). */
export function readSpec(): RunSpec {
  const arg = process.argv[2];
  if (arg === undefined) throw new TypeError("usage: <runner> '<RunSpec as JSON>'");
  return JSON.parse(arg) as RunSpec;
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** A latency-mode value of `size` bytes (at least 12): send time, sequence number, pattern. */
export function stampedValue(size: number, seq: number, sentAt: number): Uint8Array {
  const value = new Uint8Array(Math.max(12, size));
  for (let i = 12; i < value.length; i++) value[i] = (i * 131 + 17) & 0xff;
  const view = new DataView(value.buffer);
  view.setFloat64(0, sentAt, true);
  view.setUint32(8, seq, true);
  return value;
}

/**
 * Counts the messages a client hands over and measures the window; `done` resolves when
 * `messages` have been seen (or rejects when none came for `idleTimeoutMs`).
 */
export class Sink {
  readonly #spec: RunSpec;
  readonly #latencies: Float64Array;
  readonly #stalls = new StallMeter();
  readonly #gc = new GcMeter();
  #count = 0;
  #bytes = 0;
  #measured = 0;
  #t0 = 0;
  #t1 = 0;
  #cpu0: ReturnType<typeof process.cpuUsage> | undefined;
  #cpuMs = 0;
  #lastSeen = performance.now();
  #resolve!: () => void;
  #reject!: (e: Error) => void;
  readonly #watchdog: ReturnType<typeof setInterval>;
  /** Settles when every expected message has been seen. */
  readonly done: Promise<void>;

  constructor(spec: RunSpec) {
    this.#spec = spec;
    this.#latencies = new Float64Array(spec.mode === "latency" ? spec.messages : 0);
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#watchdog = setInterval(() => {
      if (performance.now() - this.#lastSeen > spec.idleTimeoutMs) {
        clearInterval(this.#watchdog);
        this.#reject(
          new Error(
            `no message for ${spec.idleTimeoutMs} ms after ${this.#count} of ${spec.messages}`,
          ),
        );
      }
    }, 250);
  }

  /** Whether every expected message has been seen. */
  get finished(): boolean {
    return this.#count >= this.#spec.messages;
  }

  /**
   * Starts the measured window, once: the runner calls it when the client is ready to fetch
   * (readers created; group joined), else the first message starts it.
   */
  start(): void {
    if (this.#cpu0 !== undefined) return;
    this.#t0 = performance.now();
    this.#cpu0 = process.cpuUsage();
    this.#stalls.start();
    this.#gc.start();
  }

  /** Takes one message's value (null counts as empty). */
  add(value: Uint8Array | null | undefined): void {
    if (this.#cpu0 === undefined) this.start();
    this.#count++;
    if (value) {
      this.#bytes += value.length;
      if (this.#spec.mode === "latency") this.#stamp(value);
    }
    if (this.#count === this.#spec.messages) {
      this.#t1 = performance.now();
      this.#stalls.stop();
      this.#gc.stop();
      const cpu = process.cpuUsage(this.#cpu0);
      this.#cpuMs = (cpu.user + cpu.system) / 1000;
      clearInterval(this.#watchdog);
      this.#resolve();
    } else if ((this.#count & 1023) === 0) {
      this.#lastSeen = performance.now();
    }
  }

  #stamp(value: Uint8Array): void {
    const now = epochNow();
    const view = new DataView(value.buffer, value.byteOffset, 12);
    const seq = view.getUint32(8, true);
    if (seq >= this.#spec.warmup && this.#measured < this.#latencies.length) {
      this.#latencies[this.#measured++] = now - view.getFloat64(0, true);
    }
    this.#lastSeen = performance.now();
  }

  /** The result line's content. */
  result(client: string, settings: string): RunResult {
    const result: RunResult = {
      client,
      runtime: RUNTIME,
      messages: this.#count,
      bytes: this.#bytes,
      wallMs: this.#t1 - this.#t0,
      cpuMs: this.#cpuMs,
      gcMs: this.#gc.ms(),
      settings,
    };
    if (this.#spec.mode === "throughput") {
      const stalls = this.#stalls.summary();
      result.stallP99Ms = stalls.p99;
      result.stallMaxMs = stalls.max;
      result.stallOnCpuP99Ms = stalls.p99OnCpu;
      result.stallOnCpuMaxMs = stalls.maxOnCpu;
    }
    if (this.#spec.mode === "latency") {
      const sorted = this.#latencies.subarray(0, this.#measured).sort();
      const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
      result.p50Ms = at(0.5);
      result.p99Ms = at(0.99);
      result.maxMs = sorted[sorted.length - 1];
      result.messages = this.#measured;
    }
    return result;
  }

  /** Ends the run with an error the client reported. */
  fail(error: unknown): void {
    clearInterval(this.#watchdog);
    this.#stalls.stop();
    this.#gc.stop();
    this.#reject(error instanceof Error ? error : new Error(String(error)));
  }

  /** Stops the idle watchdog. */
  dispose(): void {
    clearInterval(this.#watchdog);
    this.#stalls.stop();
    this.#gc.stop();
  }
}

/** A consuming client, as a runner hands it to `runConsumer`. */
export interface OpenClient {
  /** Stops consuming and disconnects. */
  close: () => Promise<void>;
  /** The settings that matter for the comparison, as one line (the same for every run). */
  settings: string;
}

/**
 * Runs one consumer benchmark: `open` starts the client consuming into the sink and resolves
 * once it is subscribed (latency mode then prints READY); the result line is printed when the
 * sink has every message, then the client is closed (not measured).
 */
export async function runConsumer(
  client: string,
  open: (spec: RunSpec, sink: Sink) => Promise<OpenClient>,
): Promise<void> {
  const spec = readSpec();
  const sink = new Sink(spec);
  let opened: OpenClient | undefined;
  try {
    opened = await open(spec, sink);
    if (spec.mode === "latency") console.log(READY_LINE);
    await sink.done;
    console.log(RESULT_PREFIX + JSON.stringify(sink.result(client, opened.settings)));
  } finally {
    sink.dispose();
    await opened?.close();
  }
}
