// First use gone wrong: a broker port where nothing listens, a name that does not resolve, a
// server that accepts and never answers, a topic that does not exist. Each client (partition
// Reader, group Reader, Writer, Conn) must say so: onError/errorLogger within about a second,
// reads and writes settle (rejected, or ended by their signal with an AbortError), close()
// returns promptly. The bounds are generous (a loaded 2-core machine); the measured times are
// printed.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket as NetSocket } from "node:net";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import {
  AbortError,
  Client,
  ConnectionError,
  dial,
  Dialer,
  dialLeader,
  KafkaError,
  Reader,
  type ReaderConfig,
  TimeoutError,
  WriteErrors,
  Writer,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { FaultProxy } from "../_fault_proxy.ts";

/** Every client dials with these: a silent broker fails a dial after CONNECT_TIMEOUT. */
const CONNECT_TIMEOUT = 500;
const FAST = { connectTimeout: CONNECT_TIMEOUT, requestTimeout: 1_000 };
/** Time to the first onError/errorLogger call. */
const FIRST_ERROR_BOUND = 1_500;
/** Time to a read's or write's rejection, and to close() returning. */
const BOUND = 3_000;
/** How late an aborted call may settle after its signal. */
const ABORT_SLACK = 250;

const unique = (what: string) =>
  `kafkit-firstfail-${what}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

interface Scenario {
  name: string;
  /** The bootstrap address. */
  broker: () => string;
  topic: () => string;
  /** What the failure is: its class, and the address it names. */
  check: (e: unknown) => void;
  /** Whether reads reject on their own (no broker reachable) or wait (a missing topic). */
  rejects: boolean;
  /** The connection options: short, except toward the real broker (a loaded machine). */
  options: { connectTimeout: number; requestTimeout: number };
}

let closedPort = 0;
let silent: Server;
let silentPort = 0;
const silentSockets = new Set<NetSocket>();

const dialFailure = (
  address: () => string,
  kind: typeof ConnectionError | typeof TimeoutError,
  orTimeout = false,
) =>
(e: unknown) => {
  assert.ok(
    e instanceof kind || orTimeout && e instanceof TimeoutError,
    `expected ${kind.name}, got ${String(e)}`,
  );
  assert.equal((e as ConnectionError | TimeoutError).address, address());
  if (e instanceof TimeoutError) assert.equal(e.timeoutMs, CONNECT_TIMEOUT);
};

const missingTopic = (e: unknown) => {
  assert.ok(e instanceof KafkaError, String(e));
  assert.match(String(e), /UNKNOWN_TOPIC_OR_PARTITION/);
};

const unresolvable = "kafkit-no-such-host.invalid:9092";
const scenarios: Scenario[] = [
  {
    name: "a port where nothing listens",
    broker: () => `127.0.0.1:${closedPort}`,
    topic: () => "t",
    check: dialFailure(() => `127.0.0.1:${closedPort}`, ConnectionError),
    rejects: true,
    options: FAST,
  },
  {
    name: "a name that does not resolve",
    broker: () => unresolvable,
    topic: () => "t",
    // A slow resolver may take longer than connectTimeout to say so (seen on Bun).
    check: dialFailure(() => unresolvable, ConnectionError, true),
    rejects: true,
    options: FAST,
  },
  {
    name: "a server that never answers",
    broker: () => `127.0.0.1:${silentPort}`,
    topic: () => "t",
    check: dialFailure(() => `127.0.0.1:${silentPort}`, TimeoutError),
    rejects: true,
    options: FAST,
  },
  {
    name: "a topic that does not exist",
    broker: () => kafkaEnv("KAFKA_BROKERS").split(",")[0],
    topic: () => unique("missing"),
    check: missingTopic,
    rejects: false,
    // A Conn's lookup waits for the topic up to connectTimeout: 2 s.
    options: { connectTimeout: 2_000, requestTimeout: 5_000 },
  },
];

/** The measured times, printed at the end (the figures of the report). */
const figures: string[] = [];

before(async () => {
  // A port nobody listens on: one the system just handed out, closed again.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  // Accepts, reads, never writes a byte.
  silent = createServer((s) => {
    silentSockets.add(s);
    s.on("data", () => {});
    s.on("error", () => {});
    s.on("close", () => silentSockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  silentPort = (silent.address() as { port: number }).port;
});

after(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  console.log(`first failures (${RUNTIME}), ms:\n  ${figures.join("\n  ")}`);
});

/** A stopwatch, and the time of the first call of what it watches. */
function watch() {
  const started = performance.now();
  let first = -1;
  const errors: unknown[] = [];
  const logged: string[] = [];
  return {
    elapsed: () => Math.round(performance.now() - started),
    onError: (e: unknown) => {
      if (first < 0) first = Math.round(performance.now() - started);
      errors.push(e);
    },
    errorLogger: (m: string) => {
      logged.push(m);
    },
    first: () => first,
    errors,
    logged,
  };
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await run();
  return Math.round(performance.now() - t);
}

for (const s of scenarios) {
  describe(`first failure: ${s.name}`, () => {
    for (const kind of ["partition", "group"] as const) {
      test(
        `${kind} Reader: onError at once, reads ${
          s.rejects ? "reject" : "wait (signal ends them)"
        }, close() is prompt`,
        async () => {
          const w = watch();
          const config: ReaderConfig = {
            brokers: [s.broker()],
            topic: s.topic(),
            ...s.options,
            onError: w.onError,
            errorLogger: w.errorLogger,
            ...(kind === "group" ? { groupId: unique("group") } : {}),
          };
          const reader = new Reader(config);
          try {
            await waitFor("onError", () => w.first() >= 0, FIRST_ERROR_BOUND + 2_000);
            assert.ok(w.first() < FIRST_ERROR_BOUND, `first onError after ${w.first()} ms`);
            s.check(w.errors[0]);
            await waitFor("errorLogger", () => w.logged.length > 0, 1_000);
            let settled: number;
            if (s.rejects) {
              const error = await reader.readMessage().then(
                () => assert.fail("read a message from nowhere"),
                (e) => e,
              );
              settled = w.elapsed();
              assert.ok(settled < BOUND, `readMessage rejected after ${settled} ms`);
              s.check(error);
              // Later reads and the iterator reject at once while nothing can be reached.
              const again = performance.now();
              await assert.rejects(reader.fetchMessage(), (e) => (s.check(e), true));
              await assert.rejects(async () => {
                for await (const _ of reader) assert.fail("iterated a message from nowhere");
              }, (e) => (s.check(e), true));
              assert.ok(performance.now() - again < 500, "a later read did not reject at once");
            } else {
              // A missing topic is waited for (it may be about to be created): the signal ends
              // the wait with an AbortError whose cause is the signal's reason.
              const t = performance.now();
              const error = await reader.readMessage({ signal: AbortSignal.timeout(1_000) }).then(
                () => assert.fail("read a message from a missing topic"),
                (e) => e,
              );
              settled = w.elapsed();
              assert.ok(error instanceof AbortError && error.name === "AbortError", String(error));
              assert.equal((error.cause as Error).name, "TimeoutError");
              assert.ok(performance.now() - t < 1_000 + ABORT_SLACK, "the signal was late");
              // A partition reader retries the lookup (each failure reported); a group reports
              // the topic it leaves out of the assignment.
              const least = kind === "partition" ? 2 : 1;
              assert.ok(w.errors.length >= least, `onError called ${w.errors.length} times`);
            }
            const closing = await timed(() => reader.close());
            assert.ok(closing < BOUND, `close() took ${closing} ms`);
            figures.push(
              `${s.name} / ${kind} Reader: first onError ${w.first()}, read settled ${settled}, ` +
                `close ${closing}`,
            );
          } finally {
            await reader.close();
          }
        },
      );
    }

    test("Writer: the signal ends the write at once, the delivery timeout fails it, close() is prompt", async () => {
      const w = watch();
      const writer = new Writer({
        brokers: [s.broker()],
        topic: s.topic(),
        ...s.options,
        batchTimeout: 5,
        writeTimeout: 1_000,
        deliveryTimeout: 2_000,
        closeTimeout: 1_000,
        // The broker would create the missing topic (the Writer's default lets it decide).
        allowAutoTopicCreation: false,
        errorLogger: w.errorLogger,
      });
      try {
        const t = performance.now();
        const aborted = await writer.writeMessages([{ value: "x" }], {
          signal: AbortSignal.timeout(300),
        }).then(() => assert.fail("wrote to nowhere"), (e) => e);
        const abortedAfter = Math.round(performance.now() - t);
        assert.ok(aborted instanceof AbortError, String(aborted));
        assert.equal((aborted.cause as Error).name, "TimeoutError");
        assert.ok(
          abortedAfter < 300 + ABORT_SLACK,
          `the signal ended the write after ${abortedAfter} ms`,
        );
        const failed = await writer.writeMessages([{ value: "y" }]).then(
          () => assert.fail("wrote to nowhere"),
          (e) => e,
        );
        const failedAfter = w.elapsed();
        assert.ok(failed instanceof WriteErrors, String(failed));
        assert.ok(failedAfter < 2_000 + BOUND, `the write failed after ${failedAfter} ms`);
        if (s.rejects) assert.ok(w.logged.length > 0, "errorLogger heard of no failed dial");
        const closing = await timed(() => writer.close());
        assert.ok(closing < BOUND, `close() took ${closing} ms`);
        figures.push(
          `${s.name} / Writer: abort ${abortedAfter}, delivery timeout ${failedAfter}, ` +
            `close ${closing}`,
        );
      } finally {
        await writer.close();
      }
    });

    test("Conn: dialing fails with the address, or the signal ends it", async () => {
      const t = performance.now();
      const error = await (s.rejects
        ? dial(s.broker(), s.options)
        : dialLeader(s.broker(), s.topic(), 0, { ...s.options, allowAutoTopicCreation: false }))
        .then((c) => (c.close(), assert.fail("connected to nowhere")), (e) =>
          e);
      const failedAfter = Math.round(performance.now() - t);
      assert.ok(failedAfter < BOUND, `dial failed after ${failedAfter} ms`);
      s.check(error);
      const reason = new Error("caller gave up");
      const controller = new AbortController();
      const t2 = performance.now();
      setTimeout(() => controller.abort(reason), 100);
      const aborted = await dialLeader(s.broker(), s.topic(), 0, {
        ...s.options,
        connectTimeout: 10_000,
        allowAutoTopicCreation: false,
        signal: controller.signal,
      }).then((c) => (c.close(), assert.fail("connected to nowhere")), (e) => e);
      const abortedAfter = Math.round(performance.now() - t2);
      // A refused or unresolved dial may fail before the signal does.
      if (aborted instanceof AbortError) {
        assert.equal(aborted.cause, reason);
        assert.ok(abortedAfter < 100 + ABORT_SLACK, `aborted after ${abortedAfter} ms`);
      } else {
        s.check(aborted);
      }
      figures.push(`${s.name} / Conn: dial failed ${failedAfter}, aborted ${abortedAfter}`);
    });
  });
}

describe("close() once the broker went silent mid-session", () => {
  const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
  /** Long enough that only closeTimeout or the signal can end close() in time. */
  const SLOW = { requestTimeout: 30_000, closeTimeout: 60_000 };

  async function groupReaderWithPendingCommit(proxy: FaultProxy, closeTimeout?: number) {
    const topic = unique("silent-close");
    {
      await using conn = await dial(brokers()[0]);
      await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    }
    {
      await using writer = new Writer({ brokers: brokers(), topic, batchTimeout: 1 });
      await writer.writeMessages([{ value: "one" }]);
    }
    const reader = new Reader({
      brokers: brokers(),
      topic,
      groupId: unique("silent-close-group"),
      connect: proxy.connect,
      // The offset waits for an interval commit: close() has a commit to flush.
      commitInterval: 600_000,
      ...SLOW,
      ...(closeTimeout === undefined ? {} : { closeTimeout }),
    });
    await reader.readMessage({ signal: AbortSignal.timeout(20_000) });
    proxy.blackholeAll();
    return reader;
  }

  test("a group Reader's close() ends with its signal", async () => {
    const proxy = new FaultProxy();
    try {
      const reader = await groupReaderWithPendingCommit(proxy);
      const closing = await timed(() => reader.close({ signal: AbortSignal.timeout(200) }));
      assert.ok(closing < 200 + 1_000, `close() took ${closing} ms`);
      figures.push(`silent mid-session / group Reader: close({ signal: 200 ms }) ${closing}`);
    } finally {
      await proxy.close();
    }
  });

  test("a group Reader's close() ends after closeTimeout", async () => {
    const proxy = new FaultProxy();
    try {
      const reader = await groupReaderWithPendingCommit(proxy, 500);
      const closing = await timed(() => reader.close());
      assert.ok(closing >= 400 && closing < 500 + 1_000, `close() took ${closing} ms`);
      figures.push(`silent mid-session / group Reader: close() with closeTimeout 500: ${closing}`);
    } finally {
      await proxy.close();
    }
  });

  test("a Writer's close() ends with its signal, failing what is pending", async () => {
    const proxy = new FaultProxy();
    const topic = unique("silent-close-writer");
    try {
      {
        await using conn = await dial(brokers()[0]);
        await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
      }
      const writer = new Writer({
        brokers: brokers(),
        topic,
        connect: proxy.connect,
        batchTimeout: 1,
        ...SLOW,
        writeTimeout: 30_000,
      });
      await writer.writeMessages([{ value: "before" }]);
      proxy.blackholeAll();
      const pending = writer.writeMessages([{ value: "after" }]).catch((e) => e);
      await new Promise((r) => setTimeout(r, 50));
      const closing = await timed(() => writer.close({ signal: AbortSignal.timeout(200) }));
      assert.ok(closing < 200 + 1_000, `close() took ${closing} ms`);
      assert.ok((await pending) instanceof WriteErrors, "the pending write failed");
      figures.push(`silent mid-session / Writer: close({ signal: 200 ms }) ${closing}`);
    } finally {
      await proxy.close();
    }
  });
});

describe("every public async call ends with its signal, with an AbortError", () => {
  test("against a server that never answers", async () => {
    const broker = `127.0.0.1:${silentPort}`;
    // Long timeouts: only the signal can end these calls in time.
    const slow = { connectTimeout: 30_000, requestTimeout: 30_000 };
    const reader = new Reader({ brokers: [broker], topic: "t", ...slow });
    const group = new Reader({
      brokers: [broker],
      topic: "t",
      groupId: "g",
      ...slow,
      closeTimeout: 100,
    });
    const writer = new Writer({
      brokers: [broker],
      topic: "t",
      ...slow,
      deliveryTimeout: 60_000,
      closeTimeout: 100,
    });
    const admin = new Client({ brokers: [broker], ...slow, timeout: 60_000 });
    const dialer = new Dialer(slow);
    const calls: [string, (signal: AbortSignal) => Promise<unknown>][] = [
      ["Reader.readMessage", (signal) => reader.readMessage({ signal })],
      ["Reader.setOffsetAt", (signal) => reader.setOffsetAt(Date.now(), { signal })],
      ["Reader.readLag", (signal) => reader.readLag({ signal })],
      ["group Reader.readMessage", (signal) => group.readMessage({ signal })],
      ["Writer.writeMessages", (signal) => writer.writeMessages([{ value: "x" }], { signal })],
      ["Writer.flush", (signal) => writer.flush({ signal })],
      ["dial", (signal) => dial(broker, { ...slow, signal })],
      ["Dialer.lookupPartitions", (signal) => dialer.lookupPartitions(broker, "t", { signal })],
      ["Client.describeCluster", (signal) => admin.describeCluster({ signal })],
    ];
    try {
      const late: string[] = [];
      for (const [name, call] of calls) {
        const reason = new Error(`${name} gave up`);
        const controller = new AbortController();
        setTimeout(() => controller.abort(reason), 100);
        const t = performance.now();
        const error = await call(controller.signal).then(() => undefined, (e) => e);
        const ms = Math.round(performance.now() - t - 100);
        assert.ok(error instanceof AbortError, `${name}: ${String(error)}`);
        assert.equal(error.name, "AbortError");
        assert.equal(error.cause, reason, name);
        if (ms > ABORT_SLACK) late.push(`${name} ${ms} ms late`);
        figures.push(`signal / ${name}: settled ${ms} ms after the abort`);
      }
      assert.deepEqual(late, []);
    } finally {
      await Promise.all([reader.close(), group.close(), writer.close(), admin.close()]);
    }
  });
});

describe("first failure: bad input and aborted signals", () => {
  test("a port outside 1-65535 is a RangeError when the client is made", () => {
    for (const brokers of [["127.0.0.1:0"], ["127.0.0.1:65536"]]) {
      assert.throws(() => new Reader({ brokers, topic: "t" }), RangeError);
      assert.throws(() => new Writer({ brokers, topic: "t" }), RangeError);
    }
    assert.throws(() => new Reader({ brokers: ["127.0.0.1:70000"], topic: "t" }), {
      name: "RangeError",
      message: /brokers: broker address "127.0.0.1:70000": port must be 1–65535, got 70000/,
    });
  });

  test("maxAttempts and closeTimeout are checked when the Reader is made", () => {
    const base = { brokers: ["127.0.0.1:9092"], topic: "t" };
    for (const maxAttempts of [0, -1, 1.5, NaN]) {
      assert.throws(() => new Reader({ ...base, maxAttempts }), {
        name: "RangeError",
        message: /^maxAttempts must be an integer >= 1/,
      });
    }
    assert.throws(() => new Reader({ ...base, closeTimeout: -1 }), {
      name: "RangeError",
      message: /^closeTimeout must be an integer >= 0/,
    });
  });

  test("dial with an aborted signal opens no socket: the process exits", async () => {
    // A child that dials the real broker with a signal aborted before, and one aborted just
    // after, the call: it must reject and exit by itself (a leaked socket keeps it alive).
    const compiled = import.meta.url.endsWith(".js");
    const mod = new URL(compiled ? "../../mod.js" : "../../mod.ts", import.meta.url).href;
    const dir = mkdtempSync(join(tmpdir(), "kafkit-dial-abort-"));
    const script = join(dir, "child.mjs");
    writeFileSync(
      script,
      `import { dial } from ${JSON.stringify(mod)};
const address = ${JSON.stringify(kafkaEnv("KAFKA_BROKERS").split(",")[0])};
for (const when of ["before", "during"]) {
  const controller = new AbortController();
  if (when === "before") controller.abort(new Error("early"));
  else queueMicrotask(() => controller.abort(new Error("late")));
  try {
    const conn = await dial(address, { signal: controller.signal });
    conn.close();
    console.log(when + ": connected");
  } catch (e) {
    console.log(when + ": " + e.name);
  }
}
`,
    );
    const root = fileURLToPath(new URL(compiled ? "../../../../" : "../../", import.meta.url));
    const args = "Deno" in globalThis
      ? ["run", "-A", "--config", join(root, "deno.json"), script]
      : [script];
    try {
      const { code, out, ms } = await new Promise<{ code: number | null; out: string; ms: number }>(
        (resolve, reject) => {
          const t = performance.now();
          const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          child.stdout!.on("data", (d) => out += d);
          child.stderr!.on("data", (d) => out += d);
          const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
          child.on("error", reject);
          child.on("close", (code) => {
            clearTimeout(killer);
            resolve({ code, out, ms: Math.round(performance.now() - t) });
          });
        },
      );
      assert.equal(code, 0, `the child did not exit by itself (${ms} ms): ${out}`);
      assert.match(out, /^before: AbortError$/m);
      assert.match(out, /^during: (AbortError|connected)$/m);
      figures.push(`aborted dial: child exited after ${ms}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
