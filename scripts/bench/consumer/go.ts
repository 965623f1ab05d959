/**
 * The Go peers of the consumer benchmark (client keys `franz-go` and `kafka-go`), run by the
 * orchestrator under Deno. Each is a small program in `go/<key>/main.go` (with `go/common.go`
 * beside it: the spec, CPU time and result line), built on first use
 * with the module it measures at a pinned version, fetched through the Go module proxy (`go
 * mod tidy`), and cached by its source and version under `${KAFKIT_STATE:-/tmp/kafkit-bench}`.
 * The program measures itself (window from the client created to the last record, the
 * process's user + system CPU from getrusage) and prints one `RESULT` line.
 *
 * @module
 */

import type { RunResult, RunSpec } from "./_measure.ts";
import { go, goBinary } from "../_go_build.ts";
import { watchPeakRss } from "../_java_run.ts";

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);

/** Each Go peer's module and version, and its settings line for the report. */
const PEERS = {
  "franz-go": {
    module: "github.com/twmb/franz-go",
    version: "v1.22.3",
    settings: (s: RunSpec) =>
      "kgo.Client consuming the partitions directly from the start (no group), PollFetches " +
      `loop, fetch max bytes = per partition = ${s.fetchBytes}, fetch max wait ${s.maxWaitMs} ms, ` +
      "fetch min bytes 1, producer compression off (kgo.NoCompression)",
  },
  "kafka-go": {
    module: "github.com/segmentio/kafka-go",
    version: "v0.4.51",
    settings: (s: RunSpec) =>
      "one kafka.Reader per partition (no group) from FirstOffset, FetchMessage loop, " +
      `MinBytes 1, MaxBytes ${s.fetchBytes}, MaxWait ${s.maxWaitMs} ms, ` +
      `QueueCapacity ${s.queueCapacity}`,
  },
} as const;

/** A Go peer's client key. */
export type GoPeer = keyof typeof PEERS;
/** The Go peers' client keys. */
export const GO_PEERS = Object.keys(PEERS) as GoPeer[];

const built = new Map<GoPeer, Promise<string>>();

/** The peer's binary, built once per source and version (and per run of the benchmark). */
function binary(peer: GoPeer): Promise<string> {
  let path = built.get(peer);
  if (!path) {
    path = build(peer);
    built.set(peer, path);
  }
  return path;
}

function build(peer: GoPeer): Promise<string> {
  const { module, version } = PEERS[peer];
  return goBinary(peer, {
    "main.go": Deno.readTextFileSync(`${HERE}go/${peer}/main.go`),
    "common.go": Deno.readTextFileSync(`${HERE}go/common.go`),
    "go.mod": `module kafkit.bench/${peer}\n\ngo 1.22\n\nrequire ${module} ${version}\n`,
  }, { tidy: true });
}

/** Reads the seeded topic with a Go peer. */
export async function runGo(peer: GoPeer, spec: RunSpec, timeoutMs: number): Promise<RunResult> {
  const bin = await binary(peer);
  const child = new Deno.Command(bin, {
    args: [JSON.stringify(spec)],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).spawn();
  const rss = watchPeakRss(child.pid);
  const out = await child.output().finally(() => rss.stop());
  const peakRssMiB = rss.stop();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${peer} failed (${out.code}): ${stderr || stdout.trim()}`);
  }
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no result from ${peer}:\n${stdout}`);
  const r = JSON.parse(line.slice(7)) as Pick<RunResult, "messages" | "bytes" | "wallMs" | "cpuMs">;
  return {
    client: `${peer} ${PEERS[peer].version}`,
    runtime: (await go(["version"], HERE)).replace(/^go version /, ""),
    ...r,
    peakRssMiB,
    settings: PEERS[peer].settings(spec),
  };
}
