// examples/ run as a reader would run them, so they cannot rot: each program is a subprocess
// of the runtime running this test (Node 20: its build in npm/build/examples), its kafkit
// imports pointed at this checkout, against the test broker (KAFKA_BROKERS), and must exit 0
// printing what it promises. The Cloudflare Worker example is bundled with esbuild and served
// by workerd. Each example makes (and deletes) topics and groups of its own per run.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { Client } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { COMPILED, ENTRY, localImports, ROOT, type RunOptions, runScript } from "../_run_script.ts";
import { BIN, bundle, freePort } from "../workerd/_workerd.ts";

// The examples as this runtime runs them: TypeScript, or the npm build's JavaScript.
const SOURCE = COMPILED ? join(ROOT, "npm", "build", "examples") : join(ROOT, "examples");
const EXT = COMPILED ? ".js" : ".ts";
// Beside the npm build (git- and lint-ignored), so a run that is killed leaves nothing behind.
const DIR = mkdtempSync(join(ROOT, "npm", ".examples-run-"));
for (const name of readdirSync(SOURCE)) {
  if (!name.endsWith(EXT) || name.endsWith(".d.ts")) continue;
  writeFileSync(join(DIR, name), localImports(readFileSync(join(SOURCE, name), "utf8")));
}

/** Runs one example; fails with its output unless it exits 0. Resolves with its stdout lines. */
async function example(
  name: string,
  options: Pick<RunOptions, "env" | "signalWhen"> = {},
): Promise<string[]> {
  const { code, stdout, output } = await runScript(join(DIR, name + EXT), {
    timeout: 30_000,
    ...options,
  });
  assert.equal(code, 0, `examples/${name}${EXT} failed:\n${output}`);
  return stdout.split("\n").filter((line) => line !== "");
}

const sorted = (lines: string[]) => [...lines].sort();

describe(`examples/ (${RUNTIME})`, () => {
  after(() => rmSync(DIR, { recursive: true, force: true }));

  test("conn: the kafka-go Conn example writes three messages and reads them back", async () => {
    assert.deepEqual(await example("conn"), ["one!", "two!", "three!"]);
  });

  test("reader: reads a partition from offset 42 to its end", async () => {
    assert.deepEqual(await example("reader"), [
      "message at offset 42: key-42 = value-42",
      "message at offset 43: key-43 = value-43",
      "message at offset 44: key-44 = value-44",
    ]);
  });

  test("writer: writes three messages with the LeastBytes balancer", async () => {
    // Keys and values: 5 + 12, 5 + 4, 5 + 4 bytes.
    assert.deepEqual(await example("writer"), ["wrote 3 messages, 35 bytes of keys and values"]);
  });

  const orders = Array.from({ length: 6 }, (_, i) => `billed order-${i} for customer-${i % 2}`);

  test("group_service: handles N orders and leaves (EXAMPLE_MAX_MESSAGES, as in CI)", async () => {
    const lines = await example("group_service", { env: { EXAMPLE_MAX_MESSAGES: "6" } });
    assert.equal(lines[0], "assigned partitions 0, 1, 2");
    assert.deepEqual(sorted(lines.slice(1, 7)), orders);
    assert.deepEqual(lines.slice(7), ["handled 6 orders; leaving the group"]);
  });

  test("group_service: SIGTERM while it waits for orders is a clean exit 0", async () => {
    const lines = await example("group_service", {
      // Every order handled: it waits for more when the signal comes.
      signalWhen: { output: /(billed order-\d[^\n]*\n[^]*){6}/, signal: "SIGTERM" },
    });
    assert.deepEqual(sorted(lines.filter((l) => l.startsWith("billed"))), orders);
    assert.deepEqual(lines.slice(-2), [
      "SIGTERM: finishing the current order, then leaving the group",
      "handled 6 orders; leaving the group",
    ]);
  });

  test("share_worker: accepts, releases and redelivers, rejects", async () => {
    assert.deepEqual(
      sorted(await example("share_worker")),
      [
        "done: resize img-1 (delivery 1)",
        "done: resize img-2 (delivery 2)",
        "done: resize img-3 (delivery 1)",
        "rejected the empty job at offset 2",
        "released resize img-2 (delivery 1)",
      ],
    );
  });

  test("transactional: exactly-once pipeline; the aborted input never shows", async () => {
    assert.deepEqual(await example("transactional"), [
      "input transaction aborted: changed my mind",
      "output: EXACTLY",
      "output: ONCE",
      "output: DELIVERY",
      "3 input messages processed exactly once",
    ]);
  });

  describe("worker: the Cloudflare Worker, bundled with esbuild and run in workerd", () => {
    const brokers = kafkaEnv("KAFKA_BROKERS");
    const topic = `kafkit-example-worker-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    const dir = join(DIR, "worker");
    let workerd: ChildProcess | undefined;
    let log = "";
    let url = "";

    before(async () => {
      await using admin = new Client({ brokers });
      const [created] = await admin.createTopics([{ topic, numPartitions: 1 }]);
      if (created.error) throw created.error;
      const worker = join(ROOT, "examples", "worker");
      // The kafkit it bundles: the sources, or the npm build where this test runs compiled.
      const kafkit = join(ROOT, ENTRY[""]);
      await bundle(join(worker, "worker.ts"), join(dir, "worker.js"), [
        `--alias:@kafkit/kafkit=${kafkit}`,
      ]);
      copyFileSync(join(worker, "config.capnp"), join(dir, "config.capnp"));
      const port = await freePort();
      url = `http://127.0.0.1:${port}/events`;
      workerd = spawn(
        join(BIN, "workerd"),
        ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`],
        { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TOPIC: topic } },
      );
      workerd.stdout!.on("data", (b) => log += b);
      workerd.stderr!.on("data", (b) => log += b);
      // Up once the Worker answers (a 404 for an unknown path is its own answer).
      const deadline = Date.now() + 15_000;
      while (!await fetch(url.replace("/events", "/")).then((r) => r.status === 404, () => false)) {
        if (workerd.exitCode !== null || Date.now() > deadline) {
          throw new Error(`workerd did not start:\n${log}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    });

    after(async () => {
      if (workerd && workerd.exitCode === null) {
        const gone = new Promise((r) => workerd!.once("exit", r));
        workerd.kill();
        await gone;
      }
      await using admin = new Client({ brokers });
      await admin.deleteTopics([topic]);
    });

    test("POST /events writes, GET /events?last=N reads them back", async () => {
      for (const [key, body] of [["k1", "first"], ["k2", "second"], ["k3", "third"]]) {
        const res = await fetch(url, { method: "POST", headers: { "x-key": key }, body });
        assert.equal(res.status, 202, `${await res.text()}\nworkerd log:\n${log}`);
      }
      // Each Worker request answers before its writer flushes (so the three may land in any
      // order): read until all three are there.
      type Event = { offset: number; key: string; value: string };
      let events: Event[] = [];
      for (const deadline = Date.now() + 10_000; events.length < 3 && Date.now() < deadline;) {
        const res = await fetch(`${url}?last=3`);
        assert.equal(res.status, 200, `${await res.clone().text()}\nworkerd log:\n${log}`);
        events = await res.json();
      }
      assert.deepEqual(events.map((e) => e.offset), [0, 1, 2]);
      assert.deepEqual(events.map((e) => `${e.key}=${e.value}`).sort(), [
        "k1=first",
        "k2=second",
        "k3=third",
      ]);
    });
  });
});
