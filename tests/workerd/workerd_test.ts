// kafkit inside a Cloudflare Worker, for real: the test Worker (worker.ts) is bundled with
// esbuild from the sources and from the npm package (npm/package, which scripts/test.sh builds
// first), workerd (from npm) runs both, and this test drives them over HTTP against the
// harness broker: PLAINTEXT, TLS, SASL/SCRAM and SASL_SSL, every codec, a bounded Reader, a
// produce finished after the response (waitUntil) and an admin call.
//
// scripts/test.sh runs this file once per suite, on Node 24, in a step of its own: it needs no
// other runtime, since the code under test runs inside workerd. A missing workerd, esbuild or
// npm build fails the test; nothing here is skipped.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, dial, Writer } from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { fetchOffsets } from "../../src/consumer/_offsets.ts";
import { partitionKey } from "../../src/offsets.ts";
import { kafkaEnv } from "../_env.ts";
import { readTopic } from "../_read_topic.ts";
import { BIN, bundle, freePort } from "./_workerd.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HERE = join(ROOT, "tests", "workerd");
const NPM_PACKAGE = join(ROOT, "npm", "package");
const dec = new TextDecoder();

/** The Workers of config.capnp, each on a socket of its own. */
const WORKERS = ["source", "npm", "compat", "untrusting", "mtls"] as const;
type WorkerName = typeof WORKERS[number];

const brokers = (variable: string) => kafkaEnv(variable).split(",");
const sasl = () => ({
  mechanism: "SCRAM-SHA-512" as const,
  username: kafkaEnv("KAFKA_SASL_USER"),
  password: kafkaEnv("KAFKA_SASL_PASSWORD"),
});
let n = 0;
const uniqueTopic = (what: string) => `kafkit-workerd-${what}-${Date.now().toString(36)}-${n++}`;

let dir = "";
let workerd: ChildProcess | undefined;
let log = "";
const ports = new Map<WorkerName, number>();

/** When mod.ts or a file under src/ last changed. */
function newestSource(): number {
  const files = readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
  return Math.max(...[join(ROOT, "mod.ts"), ...files].map((f) => statSync(f).mtimeMs));
}

/** POSTs a JSON body to a route of one Worker: its status and JSON answer. */
async function call(
  worker: WorkerName,
  route: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${ports.get(worker)}${route}`, {
    method: "POST",
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(45_000),
  });
  return { status: res.status, json: await res.json() };
}

/** Like `call`, failing with the Worker's error (and workerd's log) unless it answered 200. */
async function ok(
  worker: WorkerName,
  route: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { status, json } = await call(worker, route, body);
  assert.equal(status, 200, `${worker}${route}: ${JSON.stringify(json)}\nworkerd log:\n${log}`);
  return json;
}

interface WorkerMessage {
  offset: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

/** Asserts the messages /roundtrip writes (`count` of them) came back in order. */
function assertRoundtrip(messages: WorkerMessage[], count: number): void {
  assert.deepEqual(
    messages,
    Array.from({ length: count }, (_, i) => ({
      offset: i,
      key: `key-${i}`,
      value: `value-${i} `.repeat(20),
      headers: [["from", "workerd"]],
    })),
  );
}

/** What the broker holds, read by kafkit on Node: the Worker's writes really landed. */
async function assertOnBroker(topic: string, count: number): Promise<void> {
  const read = await readTopic(brokers("KAFKA_BROKERS")[0], topic, count);
  assert.deepEqual(
    read.map((m) => [m.offset, dec.decode(m.key!), dec.decode(m.value!)]),
    Array.from({ length: count }, (_, i) => [i, `key-${i}`, `value-${i} `.repeat(20)]),
  );
}

describe("Cloudflare Workers (workerd)", () => {
  before(async () => {
    for (const tool of ["workerd", "esbuild"]) {
      assert.ok(
        existsSync(join(BIN, tool)),
        `${tool} is not installed: run scripts/setup.sh (it is a devDependency)`,
      );
    }
    assert.ok(
      existsSync(join(NPM_PACKAGE, "package.json")),
      "npm/package is missing: build it with `deno run -A scripts/build_npm.ts`",
    );
    assert.ok(
      statSync(join(NPM_PACKAGE, "mod.js")).mtimeMs >= newestSource(),
      "npm/package is older than the sources: rebuild it with `deno run -A scripts/build_npm.ts`",
    );
    dir = await mkdtemp(join(tmpdir(), "kafkit-workerd-"));
    // The npm package as an application would install it, for the bundler to resolve.
    const app = join(dir, "app");
    await mkdir(join(app, "node_modules"), { recursive: true });
    await symlink(NPM_PACKAGE, join(app, "node_modules", "kafkit"), "dir");
    await writeFile(
      join(app, "entry.js"),
      `import * as kafkit from "kafkit";\n` +
        `import { makeWorker } from ${JSON.stringify(join(HERE, "worker.ts"))};\n` +
        `const worker = makeWorker(kafkit);\n` +
        `export default worker.handler;\n` +
        `export const GroupMember = worker.GroupMember;\n`,
    );
    await Promise.all([
      bundle(join(HERE, "entry.ts"), join(dir, "source.js")),
      bundle(join(app, "entry.js"), join(dir, "npm.js")),
      copyFile(join(HERE, "config.capnp"), join(dir, "config.capnp")),
      copyFile(kafkaEnv("KAFKA_CA"), join(dir, "ca.pem")),
      copyFile(kafkaEnv("KAFKA_CLIENT_CERT"), join(dir, "client.pem")),
      copyFile(kafkaEnv("KAFKA_CLIENT_KEY"), join(dir, "client-key.pem")),
    ]);
    const args = ["serve", "config.capnp"];
    for (const w of WORKERS) {
      ports.set(w, await freePort());
      args.push("--socket-addr", `${w}=127.0.0.1:${ports.get(w)}`);
    }
    workerd = spawn(join(BIN, "workerd"), args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    workerd.stdout!.on("data", (b) => log += b);
    workerd.stderr!.on("data", (b) => log += b);
    const exited = new Promise<never>((_, reject) =>
      workerd!.once("exit", (code) => reject(new Error(`workerd exited (${code}):\n${log}`)))
    );
    exited.catch(() => {});
    // Up once every socket answers (an unknown route is a 404 from the Worker itself).
    const deadline = Date.now() + 20_000;
    for (const w of WORKERS) {
      for (;;) {
        const up = await Promise.race([
          fetch(`http://127.0.0.1:${ports.get(w)}/`).then((r) => r.status === 404, () => false),
          exited,
        ]);
        if (up) break;
        if (Date.now() > deadline) throw new Error(`workerd did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  after(async () => {
    if (workerd && workerd.exitCode === null) {
      const gone = new Promise((r) => workerd!.once("exit", r));
      workerd.kill();
      // workerd waits for open connections (a Durable Object's, say) before it exits.
      const timer = setTimeout(() => workerd!.kill("SIGKILL"), 2_000);
      await gone;
      clearTimeout(timer);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const worker of ["source", "npm"] as const) {
    const from = worker === "source" ? "bundled from the sources" : "bundled from the npm package";

    test(`${from}: PLAINTEXT, gzip: produce and read back in one request`, async () => {
      const topic = uniqueTopic(`${worker}-plain`);
      const body = { brokers: brokers("KAFKA_BROKERS"), topic, count: 5, compression: "gzip" };
      const { messages } = await ok(worker, "/roundtrip", body);
      assertRoundtrip(messages as WorkerMessage[], 5);
      await assertOnBroker(topic, 5);
    });

    test(`${from}: TLS, snappy, the adapter passed explicitly`, async () => {
      const topic = uniqueTopic(`${worker}-tls`);
      const { messages } = await ok(worker, "/roundtrip", {
        brokers: brokers("KAFKA_SSL_BROKERS"),
        topic,
        count: 3,
        tls: true,
        compression: "snappy",
        explicit: true,
      });
      assertRoundtrip(messages as WorkerMessage[], 3);
      await assertOnBroker(topic, 3);
    });

    test(`${from}: SASL/SCRAM-SHA-512, lz4`, async () => {
      const topic = uniqueTopic(`${worker}-sasl`);
      const { messages } = await ok(worker, "/roundtrip", {
        brokers: brokers("KAFKA_SASL_BROKERS"),
        topic,
        count: 4,
        sasl: sasl(),
        compression: "lz4",
      });
      assertRoundtrip(messages as WorkerMessage[], 4);
      await assertOnBroker(topic, 4);
    });

    test(`${from}: SASL_SSL, uncompressed`, async () => {
      const topic = uniqueTopic(`${worker}-sasl-ssl`);
      const { messages } = await ok(worker, "/roundtrip", {
        brokers: brokers("KAFKA_SASL_SSL_BROKERS"),
        topic,
        count: 2,
        tls: true,
        sasl: sasl(),
      });
      assertRoundtrip(messages as WorkerMessage[], 2);
      await assertOnBroker(topic, 2);
    });

    test(`${from}: describeCluster matches what Node sees`, async () => {
      const got = await ok(worker, "/describe-cluster", { brokers: brokers("KAFKA_BROKERS") });
      await using admin = new Client({ brokers: brokers("KAFKA_BROKERS") });
      const want = await admin.describeCluster();
      assert.deepEqual(got, {
        clusterId: want.clusterId,
        brokers: want.brokers.map((b) => b.nodeId),
      });
    });
  }

  test("a bounded Reader in the Worker reads zstd that Node wrote (fzstd, no node:zlib)", async () => {
    const topic = uniqueTopic("zstd-read");
    {
      await using conn = await dial(brokers("KAFKA_BROKERS")[0]);
      await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    }
    {
      await using writer = new Writer({
        brokers: brokers("KAFKA_BROKERS"),
        topic,
        compression: "zstd",
      });
      await writer.writeMessages(
        Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `zstd ${i} `.repeat(50) })),
      );
    }
    const { messages } = await ok("source", "/read", {
      brokers: brokers("KAFKA_BROKERS"),
      topic,
      count: 6,
    });
    assert.deepEqual(
      (messages as WorkerMessage[]).map((m) => [m.offset, m.key, m.value]),
      Array.from({ length: 6 }, (_, i) => [i, `k${i}`, `zstd ${i} `.repeat(50)]),
    );
  });

  test("zstd compression without nodejs_compat fails, saying why and what to do", async () => {
    const { status, json } = await call("source", "/roundtrip", {
      brokers: brokers("KAFKA_BROKERS"),
      topic: uniqueTopic("zstd-nocompat"),
      count: 1,
      compression: "zstd",
    });
    assert.equal(status, 500);
    assert.match(String(json.message), /zstd compression is unavailable/);
    assert.match(String(json.message), /Wasm code generation disallowed/);
    assert.match(String(json.message), /nodejs_compat/);
  });

  test("with nodejs_compat, zstd compresses natively (workerd's node:zlib)", async () => {
    const topic = uniqueTopic("zstd-compat");
    const body = { brokers: brokers("KAFKA_BROKERS"), topic, count: 3, compression: "zstd" };
    const { messages } = await ok("compat", "/roundtrip", body);
    assertRoundtrip(messages as WorkerMessage[], 3);
    await assertOnBroker(topic, 3);
  });

  test("a produce finished after the response, kept alive by ctx.waitUntil", async () => {
    const topic = uniqueTopic("wait-until");
    {
      await using conn = await dial(brokers("KAFKA_BROKERS")[0]);
      await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    }
    const answer = await ok("source", "/produce-after-response", {
      brokers: brokers("KAFKA_BROKERS"),
      topic,
      count: 4,
    });
    assert.deepEqual(answer, { accepted: 4 });
    const read = await readTopic(brokers("KAFKA_BROKERS")[0], topic, 4);
    assert.deepEqual(
      read.map((m) => dec.decode(m.value!)),
      ["later-0", "later-1", "later-2", "later-3"],
    );
  });

  test("a Durable Object keeps a group member between requests, heartbeating while idle", async () => {
    const topic = uniqueTopic("member");
    const groupId = uniqueTopic("member-group");
    {
      await using conn = await dial(brokers("KAFKA_BROKERS")[0]);
      await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    }
    {
      await using writer = new Writer({ brokers: brokers("KAFKA_BROKERS"), topic });
      await writer.writeMessages([{ value: "m0" }, { value: "m1" }, { value: "m2" }]);
    }
    const body = { brokers: brokers("KAFKA_BROKERS"), topic, groupId };
    const member = (route: string) => ok("source", `/member/${route}?group=${groupId}`, body);
    assert.deepEqual(await member("start"), { started: true });
    assert.deepEqual(await member("next"), { offset: 0, value: "m0", assignments: 1 });
    assert.deepEqual(await member("next"), { offset: 1, value: "m1", assignments: 1 });
    // Longer than the session timeout (6 s) with no request running: only heartbeats sent by
    // the object on its own keep the member in the group, so it is not assigned anew.
    await new Promise((r) => setTimeout(r, 7_000));
    assert.deepEqual(await member("next"), { offset: 2, value: "m2", assignments: 1 });
    assert.deepEqual(await member("stop"), { assignments: 1 });
    // The member committed what it read: the group resumes after m2.
    const cluster = new Cluster({ brokers: brokers("KAFKA_BROKERS") });
    try {
      const committed = await fetchOffsets(cluster, groupId, [{ topic, partition: 0 }]);
      assert.equal(committed.get(partitionKey(topic, 0))?.offset, 3);
    } finally {
      await cluster.close();
    }
  });

  test("a runtime with no socket API kafkit knows: the first call says so and what to do", async () => {
    // The Worker without nodejs_compat, made to look like another runtime: kafkit's last
    // resort, node:net, does not exist there (as in a browser).
    const { status, json } = await call("source", "/describe-cluster", {
      brokers: brokers("KAFKA_BROKERS"),
      disguised: true,
    });
    assert.equal(status, 500);
    assert.match(String(json.message), /this runtime has no TCP socket API kafkit can use/);
    assert.match(String(json.message), /pass a `connect` function/);
    // The disguise came off: the same Worker connects again.
    await ok("source", "/describe-cluster", { brokers: brokers("KAFKA_BROKERS") });
  });

  test("TLS options cloudflare:sockets cannot honour are a TypeError before connecting", async () => {
    const { status, json } = await call("source", "/roundtrip", {
      brokers: brokers("KAFKA_SSL_BROKERS"),
      topic: uniqueTopic("tls-ca"),
      count: 1,
      tls: true,
      ca: "-----BEGIN CERTIFICATE-----\n",
    });
    assert.equal(status, 500);
    assert.equal(json.name, "TypeError");
    assert.match(String(json.message), /tls\.ca is not supported on Cloudflare Workers/);
  });

  test("mutual TLS with the client certificate of workerd's network service", async () => {
    const topic = uniqueTopic("mtls");
    const body = { brokers: brokers("KAFKA_MTLS_BROKERS"), topic, count: 2, tls: true };
    const { messages } = await ok("mtls", "/roundtrip", body);
    assertRoundtrip(messages as WorkerMessage[], 2);
    await assertOnBroker(topic, 2);
    // Without the certificate the listener turns the Worker away (with TLS 1.3, after the
    // handshake: the first read fails, and workerd hides why behind "internal error").
    const { status, json } = await call("source", "/roundtrip", {
      ...body,
      topic: uniqueTopic("no-cert"),
    });
    assert.equal(status, 500, JSON.stringify(json));
    assert.equal(json.name, "ConnectionError");
    assert.match(String(json.message), /127\.0\.0\.1:\d+/);
  });

  test("TLS verifies the broker: a Worker trusting only public CAs cannot connect", async () => {
    const { status, json } = await call("untrusting", "/roundtrip", {
      brokers: brokers("KAFKA_SSL_BROKERS"),
      topic: uniqueTopic("untrusted"),
      count: 1,
      tls: true,
    });
    assert.equal(status, 500, JSON.stringify(json));
    assert.match(String(json.message), /TLS connection to 127\.0\.0\.1:\d+ failed/);
    // workerd says why only in its log.
    assert.match(log, /invalid peer certificate: UnknownIssuer/);
  });
});
