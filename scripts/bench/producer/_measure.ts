/**
 * What every JavaScript runner of the producer benchmark shares: the run description it is
 * given, the closed-loop driver that produces and times the messages, and the result line it
 * prints for the orchestrator (`scripts/bench/producer.ts`).
 *
 * The driver hands the client `chunk` messages per call and keeps at most `window` calls
 * unacknowledged, so about `chunk × window × size` bytes are in flight (the "in-flight budget",
 * the same as the Java client's `buffer.memory`). A call's send→ack latency is the time from
 * handing its messages to the client API until its promise resolves; every message of the call
 * gets that latency, so the percentiles are exact per message (one entry per call, weighted by
 * its message count — memory grows with calls, not messages).
 *
 * With `keys` = N > 0 every message has a key: `key-0` … `key-(N-1)` (UTF-8 bytes), taken in
 * turn from the run's first message on (warm-up included), so every client — and the Java run,
 * `ProducerBench.java` — sends the same keys in the same order and partitions by them.
 *
 * @module
 */

import process from "node:process";
import { RUNTIME } from "../_runtime.ts";

/** One run, as the orchestrator passes it to a runner (JSON in the first argument). */
export interface RunSpec {
  brokers: string;
  topic: string;
  partitions: number;
  /** Value size in bytes (no headers). */
  size: number;
  /** Distinct keys, used in turn (`keyCycle`); 0: no key, round-robin partitioning. */
  keys: number;
  /** 1 (leader) or -1 (all in-sync replicas). */
  acks: 1 | -1;
  /** Measured messages, after the warm-up. */
  messages: number;
  /** Messages produced (to the same topic) before measuring. */
  warmup: number;
  /** Target bytes of one batch, and of one API call for the clients that do not batch. */
  batchBytes: number;
  /** How long a batching client may wait to fill a batch, ms. */
  lingerMs: number;
  /** Bytes allowed in flight (unacknowledged) at once. */
  inflightBytes: number;
  /** Stop starting new calls after this many seconds (per phase); the rate stays valid. */
  maxSeconds: number;
}

/** What a runner reports; the orchestrator reads it from the `RESULT ` line. */
export interface RunResult {
  client: string;
  /** e.g. "node 24.21.0". */
  runtime: string;
  messages: number;
  /** First send to last ack. */
  wallMs: number;
  /** User + system CPU of the client process over the measured phase. */
  cpuMs: number;
  p50Ms: number;
  p99Ms: number;
  /** The client settings, as one line for the report. */
  settings: string;
  /** How the driver fed the client: messages per call, calls open at most. */
  driver?: { chunk: number; window: number };
}

/** The prefix of the line a runner prints its result on. */
export const RESULT_PREFIX = "RESULT ";

/** Reads the run description from the command line (`runner.ts '<json>'`). */
export function readSpec(): RunSpec {
  const arg = process.argv[2];
  if (arg === undefined) throw new TypeError("usage: <runner> '<RunSpec as JSON>'");
  return JSON.parse(arg) as RunSpec;
}

/** How many messages the driver hands over per call, and how many calls it keeps open. */
export function chunking(spec: RunSpec): { chunk: number; window: number } {
  const chunk = Math.max(1, Math.floor(spec.batchBytes / spec.size));
  const window = Math.max(1, Math.floor(spec.inflightBytes / (chunk * spec.size)));
  return { chunk, window };
}

/** A value of `size` bytes with a fixed, non-constant pattern. */
export function payload(size: number): Uint8Array {
  const value = new Uint8Array(size);
  for (let i = 0; i < size; i++) value[i] = (i * 131 + 17) & 0xff;
  return value;
}

/**
 * The key of each next message, `key-0` … `key-(keys-1)` as UTF-8 bytes in turn, each made
 * once up front (by `as` from the bytes, e.g. as a Buffer); undefined for `keys` = 0 (no key).
 */
export function keyCycle<K = Uint8Array>(
  keys: number,
  as: (bytes: Uint8Array) => K = (bytes) => bytes as K,
): (() => K) | undefined {
  if (keys === 0) return undefined;
  const encoder = new TextEncoder();
  const all = Array.from({ length: keys }, (_, i) => as(encoder.encode(`key-${i}`)));
  let next = 0;
  return () => {
    const key = all[next];
    next = next + 1 === keys ? 0 : next + 1;
    return key;
  };
}

/** Sends `count` messages and resolves when the client reports all of them acknowledged. */
export type SendChunk = (count: number) => Promise<unknown>;

/** The measurements of one driven phase. */
export interface Phase {
  messages: number;
  wallMs: number;
  cpuMs: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Produces `total` messages through `send`, `chunk` per call with at most `window` calls open,
 * and measures wall time (first send to last ack), process CPU and send→ack percentiles.
 */
export async function drive(
  send: SendChunk,
  total: number,
  chunk: number,
  window: number,
  maxSeconds: number,
): Promise<Phase> {
  const calls = Math.ceil(total / chunk);
  const latencies = new Float64Array(calls);
  const counts = new Uint32Array(calls);
  let started = 0;
  let done = 0;
  let sent = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loop = async () => {
    while (started < total && performance.now() < deadline) {
      const n = Math.min(chunk, total - started);
      started += n;
      const t = performance.now();
      await send(n);
      latencies[done] = performance.now() - t;
      counts[done++] = n;
      sent += n;
    }
  };
  await Promise.all(Array.from({ length: window }, loop));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    messages: sent,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    p50Ms: percentile(latencies.subarray(0, done), counts, 0.5),
    p99Ms: percentile(latencies.subarray(0, done), counts, 0.99),
  };
}

/** The `q` quantile of values weighted by counts (nearest rank). */
export function percentile(values: Float64Array, counts: Uint32Array, q: number): number {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += counts[i];
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const i of order) {
    seen += counts[i];
    if (seen >= rank) return values[i];
  }
  return NaN;
}

/** A connected client, as a runner hands it to `runBenchmark`. */
export interface OpenClient {
  send: SendChunk;
  close: () => Promise<void>;
  /** The settings that matter for the comparison, as one line (the same for every run). */
  settings: string;
}

/**
 * Runs a benchmark: a warm-up phase, then the measured phase, then prints the result line.
 * `open` connects the client and returns its send function, clean-up and settings.
 */
export async function runBenchmark(
  client: string,
  open: (spec: RunSpec) => Promise<OpenClient>,
): Promise<void> {
  const spec = readSpec();
  const { chunk, window } = chunking(spec);
  const { send, close, settings } = await open(spec);
  try {
    if (spec.warmup > 0) await drive(send, spec.warmup, chunk, window, spec.maxSeconds);
    const phase = await drive(send, spec.messages, chunk, window, spec.maxSeconds);
    const result: RunResult = {
      client,
      runtime: RUNTIME,
      messages: phase.messages,
      wallMs: phase.wallMs,
      cpuMs: phase.cpuMs,
      p50Ms: phase.p50Ms,
      p99Ms: phase.p99Ms,
      settings,
      driver: { chunk, window },
    };
    console.log(RESULT_PREFIX + JSON.stringify(result));
  } finally {
    await close();
  }
}
