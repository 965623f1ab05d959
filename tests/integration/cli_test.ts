// The `kafkit` command line run as a real subprocess on the runtime running the test (the
// npm build's bin under Node 20), against the harness broker; what it writes and reports is
// compared with kcat and the Java ConsumerGroupCommand on the same topic and group.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { describeGroupWithJava } from "../_consumer_group_command.ts";
import { Murmur2Balancer } from "../../mod.ts";

/** How this runtime starts the CLI: its sources, or the npm build's bin (tests run as JS). */
function cliCommand(): [string, string[]] {
  const built = import.meta.url.endsWith(".js");
  const entry = fileURLToPath(
    new URL(`../../src/cli/${built ? "bin.js" : "main.ts"}`, import.meta.url),
  );
  return "Deno" in globalThis
    ? [process.execPath, ["run", "-A", entry]]
    : [process.execPath, [entry]];
}
const [EXEC, EXEC_ARGS] = cliCommand();
/** The environment of every run: Node keeps its compiled (and type-stripped) modules here. */
const BASE_ENV = {
  PATH: process.env.PATH ?? "",
  NODE_COMPILE_CACHE: join(tmpdir(), "kafkit-cli-compile-cache"),
};

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `kafkit args...` with `input` on stdin; the env has the plaintext brokers only. */
function kafkit(
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(EXEC, [...EXEC_ARGS, ...args], {
      env: { ...BASE_ENV, KAFKA_BROKERS: BROKERS, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    collect(child).then(resolve, reject);
    child.stdin!.end(options.input ?? "");
  });
}

function collect(child: ChildProcess): Promise<Result> {
  return new Promise((resolve, reject) => {
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d) => stdout += d);
    child.stderr!.on("data", (d) => stderr += d);
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs kafkit and expects exit code 0 and a quiet stderr (no progress line when piped). */
async function ok(args: string[], input?: string): Promise<string> {
  const r = await kafkit(args, { input });
  assert.equal(r.code, 0, `kafkit ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr, "", `kafkit ${args.join(" ")} wrote to stderr`);
  return r.stdout;
}

function kcat(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("kcat", ["-b", BROKERS, ...args], (error, stdout, stderr) => {
      if (error) reject(new Error(`kcat ${args.join(" ")}: ${error.message} ${stderr}`));
      else resolve(stdout);
    })
  );
}

const jsonLines = (text: string) =>
  text.trim().split("\n").filter((l) => l).map((l) => JSON.parse(l));

let BROKERS = "";
const run = `${RUNTIME.replace(/\W/g, "")}-${Date.now().toString(36)}`;
const topic = `kafkit-cli-${run}`;
const group = `kafkit-cli-${run}-g`;
let dir = "";

describe(`kafkit command line (${RUNTIME})`, () => {
  before(() => {
    BROKERS = kafkaEnv("KAFKA_BROKERS");
    dir = mkdtempSync(join(tmpdir(), "kafkit-cli-"));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await kafkit(["topics", "delete", topic, `${topic}-json`, `${topic}-big`]);
  });

  test("topics: create, describe (as kcat -L), configs, alter-configs, list", async () => {
    const created = await ok([
      "topics",
      "create",
      topic,
      "--partitions",
      "3",
      "--replication-factor",
      "1",
      "--config",
      "retention.ms=3600000",
    ]);
    assert.match(created, /created .* \(3 partitions, replication factor 1\)/);
    const [described] = JSON.parse(await ok(["topics", "describe", topic, "--format", "json"]));
    const metadata = JSON.parse(await kcat(["-L", "-J", "-t", topic])).topics[0];
    assert.deepEqual(
      described.partitions.map((
        p: { id: number; leaderId: number; replicas: number[]; isr: number[] },
      ) => [
        p.id,
        p.leaderId,
        p.replicas,
        p.isr,
      ]),
      metadata.partitions.map((
        p: {
          partition: number;
          leader: number;
          replicas: { id: number }[];
          isrs: { id: number }[];
        },
      ) => [
        p.partition,
        p.leader,
        p.replicas.map((r) => r.id),
        p.isrs.map((r) => r.id),
      ]),
    );
    assert.match(
      await ok(["topics", "describe", topic]),
      /PartitionCount: 3 {2}ReplicationFactor: 1/,
    );
    assert.match(await ok(["topics", "configs", topic]), /retention\.ms\s+3600000\s+dynamic-topic/);
    await ok([
      "topics",
      "alter-configs",
      topic,
      "--set",
      "retention.ms=7200000",
      "--set",
      "cleanup.policy=delete",
    ]);
    const configs = JSON.parse(await ok(["topics", "configs", topic, "-o", "json"]));
    assert.deepEqual(
      configs.map((c: { name: string; value: string }) => [c.name, c.value]).sort(),
      [["cleanup.policy", "delete"], ["retention.ms", "7200000"]],
    );
    assert.ok((await ok(["topics", "list"])).split("\n").includes(topic));
  });

  test("produce keyed lines with headers; kcat reads the same; consume prints them", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `key-${i}:value ${i}`);
    await ok(
      ["produce", "-t", topic, "-K", ":", "-H", "source=cli", "-H", "n=1"],
      lines.join("\n") + "\n",
    );
    const seen = jsonLines(await kcat(["-C", "-J", "-e", "-q", "-t", topic]));
    assert.equal(seen.length, 30);
    const mine = jsonLines(
      await ok(["consume", "-t", topic, "--from", "beginning", "-e", "--format", "json"]),
    );
    const view = (
      m: { partition: number; offset: number; key: string; value?: string; payload?: string },
    ) => `${m.partition}/${m.offset} ${m.key}=${m.value ?? m.payload}`;
    assert.deepEqual(mine.map(view).sort(), seen.map(view).sort());
    assert.deepEqual(mine[0].headers, [{ key: "source", value: "cli" }, { key: "n", value: "1" }]);
    assert.deepEqual(seen[0].headers, ["source", "cli", "n", "1"]);
    // Keys are placed by murmur2, as the Java client places them.
    const murmur2 = new Murmur2Balancer();
    for (const m of mine) {
      assert.equal(m.partition, murmur2.balance({ key: m.key, value: null }, [0, 1, 2]));
    }
    const plain = await ok(["consume", "-t", topic, "--from", "beginning", "-e", "-K", "\t"]);
    assert.deepEqual(
      plain.trim().split("\n").sort(),
      lines.map((l) => l.replace(":", "\t")).sort(),
    );
  });

  test("produce JSON lines to a partition with gzip; consume --partition --from OFFSET --count", async () => {
    const json = `${topic}-json`;
    await ok(["topics", "create", json, "-p", "2"]);
    const base = Date.now() - 60_000;
    const input = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({
        key: `k${i}`,
        value: { n: i },
        headers: { i: String(i) },
        timestamp: base + i * 1000,
      })).join("\n");
    await ok(["produce", "-t", json, "--format", "json", "--partition", "1", "-z", "gzip"], input);
    const seen = jsonLines(await kcat(["-C", "-J", "-e", "-q", "-t", json]));
    assert.deepEqual(
      seen.map((m) => [m.partition, m.payload]),
      Array.from({ length: 10 }, (_, i) => [1, `{"n":${i}}`]),
    );
    const some = jsonLines(
      await ok(["consume", "-t", json, "-p", "1", "--from", "4", "-c", "3", "--format", "json"]),
    );
    assert.deepEqual(some.map((m) => [m.offset, m.key, m.headers[0].value]), [
      [4, "k4", "4"],
      [5, "k5", "5"],
      [6, "k6", "6"],
    ]);
    // From a time (the records carry the JSON lines' timestamps) to the end.
    const since = new Date(base + 7000).toISOString();
    const late = jsonLines(
      await ok(["consume", "-t", json, "--from", since, "-e", "--format", "json"]),
    );
    assert.deepEqual(late.map((m) => [m.partition, m.offset, m.timestamp]), [
      [1, 7, base + 7000],
      [1, 8, base + 8000],
      [1, 9, base + 9000],
    ]);
  });

  test("a progress line on a terminal (util-linux script gives the run one; piped runs print none)", async () => {
    const lines = join(dir, "lines.txt");
    writeFileSync(lines, "one\ntwo\nthree\n");
    const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
    const command = [EXEC, ...EXEC_ARGS, "produce", "-t", `${topic}-json`, "-f", lines].map(quote)
      .join(" ");
    const terminal = await new Promise<string>((resolve, reject) =>
      execFile(
        "script",
        ["-qec", command, "/dev/null"],
        { env: { ...BASE_ENV, KAFKA_BROKERS: BROKERS } },
        (error, stdout) => error ? reject(error) : resolve(stdout),
      )
    );
    assert.match(terminal, new RegExp(`produce ${topic}-json: 3 messages, 0\\.0 MB, \\d+ msg/s`));
  });

  test("offsets: earliest, latest and by time, as kcat -Q", async () => {
    const latest = JSON.parse(await ok(["offsets", topic, "-o", "json"]));
    const q = JSON.parse(
      await kcat(["-Q", "-J", ...[0, 1, 2].flatMap((p) => ["-t", `${topic}:${p}:-1`])]),
    )[topic];
    assert.deepEqual(
      latest.map((r: { offset: number }) => r.offset),
      [0, 1, 2].map((p) => q[p].offset),
    );
    assert.equal(latest.reduce((n: number, r: { offset: number }) => n + r.offset, 0), 30);
    const earliest = JSON.parse(await ok(["offsets", topic, "--at", "earliest", "-o", "json"]));
    assert.deepEqual(earliest.map((r: { offset: number }) => r.offset), [0, 0, 0]);
    const future = JSON.parse(
      await ok(["offsets", topic, "--at", "2100-01-01T00:00:00Z", "-p", "0", "-o", "json"]),
    );
    assert.deepEqual(
      future.map((r: { partition: number; offset: number }) => [r.partition, r.offset]),
      [[0, -1]],
    );
  });

  test("consume as a group; groups describe matches ConsumerGroupCommand; reset-offsets; Ctrl-C", async () => {
    const first = await ok([
      "consume",
      "-t",
      topic,
      "-g",
      group,
      "--from",
      "beginning",
      "-c",
      "12",
    ]);
    assert.equal(first.trim().split("\n").length, 12);
    const [lag] = JSON.parse(await ok(["groups", "describe", group, "-o", "json"]));
    const committed = (g: { partitions: { committed: number }[] }) =>
      g.partitions.reduce((n, p) => n + Math.max(p.committed, 0), 0);
    assert.equal(committed(lag), 12, "the 12 printed messages are committed");
    const java = await describeGroupWithJava(BROKERS, group);
    for (const p of lag.partitions) {
      const j = java.get(`${p.topic}:${p.partition}`);
      assert.deepEqual(
        [p.committed, p.logEnd, p.lag],
        [j?.current, j?.logEnd, j?.lag],
        `partition ${p.partition}`,
      );
    }
    assert.match(
      await ok(["groups", "list", "--type", "classic"]),
      new RegExp(`^${group}\\s+Empty\\s+classic$`, "m"),
    );

    const plan = await ok(["groups", "reset-offsets", group, "--all-topics", "--to-earliest"]);
    assert.match(plan, /dry run/);
    const [still] = JSON.parse(await ok(["groups", "describe", group, "-o", "json"]));
    assert.equal(committed(still), 12, "a dry run commits nothing");
    await ok(["groups", "reset-offsets", group, "--topic", topic, "--to-earliest", "--execute"]);
    const [reset] = JSON.parse(await ok(["groups", "describe", group, "-o", "json"]));
    assert.equal(reset.totalLag, 30);

    // A member that is interrupted commits what it printed and leaves the group.
    const child = spawn(EXEC, [...EXEC_ARGS, "consume", "-t", topic, "-g", group], {
      env: { ...BASE_ENV, KAFKA_BROKERS: BROKERS },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const done = collect(child);
    let printed = 0;
    await new Promise<void>((resolve) =>
      child.stdout!.on("data", (d: Buffer) => {
        printed += d.toString().split("\n").length - 1;
        if (printed >= 30) resolve();
      })
    );
    const [member] = JSON.parse(await ok(["groups", "describe", group, "--members", "-o", "json"]));
    assert.equal(member.state, "Stable");
    assert.deepEqual(
      member.members.map((m: { assignment: { partitions: number[] }[] }) =>
        m.assignment[0].partitions.length
      ),
      [3],
    );
    child.kill("SIGINT");
    const stopped = await done;
    // 130, as a shell reports an interrupted command (Deno ends such a run by the signal).
    assert.ok(
      stopped.code === 130 || stopped.signal === "SIGINT",
      `${stopped.code} ${stopped.stderr}`,
    );
    const [left] = JSON.parse(await ok(["groups", "describe", group, "-o", "json"]));
    assert.deepEqual([left.state, left.totalLag], ["Empty", 0]);
    assert.match(await ok(["groups", "delete", group]), /deleted/);
  });

  test("cluster: brokers and controller as kcat -L; features; api-versions", async () => {
    const metadata = JSON.parse(await kcat(["-L", "-J", "-t", topic]));
    const c = JSON.parse(await ok(["cluster", "brokers", "-o", "json"]));
    assert.deepEqual(
      c.brokers.map((b: { nodeId: number; host: string; port: number }) =>
        `${b.nodeId} ${b.host}:${b.port}`
      ),
      metadata.brokers.map((b: { id: number; name: string }) => `${b.id} ${b.name}`),
    );
    assert.equal(
      JSON.parse(await ok(["cluster", "controller", "-o", "json"])).nodeId,
      metadata.controllerid,
    );
    assert.match(await ok(["cluster", "features"]), /^metadata\.version\s+\d+/m);
    assert.match(await ok(["cluster", "api-versions"]), /^Produce\s+0\s+\d+\s+\d+$/m);
  });

  test("connection from a .properties file (SASL_SSL, PEM truststore) and SASL from the env", async () => {
    const props = join(dir, "client.properties");
    writeFileSync(
      props,
      [
        `bootstrap.servers=${kafkaEnv("KAFKA_SASL_SSL_BROKERS")}`,
        "security.protocol=SASL_SSL",
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${kafkaEnv("KAFKA_CA")}`,
        "sasl.mechanism=SCRAM-SHA-512",
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\`,
        `  username="${kafkaEnv("KAFKA_SASL_USER")}" password="${
          kafkaEnv("KAFKA_SASL_PASSWORD")
        }";`,
      ].join("\n"),
    );
    const viaFile = await kafkit(["topics", "list", "--command-config", props]);
    assert.equal(viaFile.code, 0, viaFile.stderr);
    assert.ok(viaFile.stdout.split("\n").includes(topic));

    // TLS, and mutual TLS, from flags.
    const tls = ["--tls-ca", kafkaEnv("KAFKA_CA")];
    const client = [
      "--tls-cert",
      kafkaEnv("KAFKA_CLIENT_CERT"),
      "--tls-key",
      kafkaEnv("KAFKA_CLIENT_KEY"),
    ];
    const [ssl, mtls] = await Promise.all([
      kafkit(["cluster", "controller", "-b", kafkaEnv("KAFKA_SSL_BROKERS"), ...tls]),
      kafkit(["cluster", "controller", "-b", kafkaEnv("KAFKA_MTLS_BROKERS"), ...tls, ...client]),
    ]);
    for (const r of [ssl, mtls]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\d+ \(/);
    }

    const sasl = {
      KAFKA_BROKERS: kafkaEnv("KAFKA_SASL_BROKERS"),
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: kafkaEnv("KAFKA_SASL_USER"),
    };
    const good = await kafkit(["offsets", topic, "-o", "json"], {
      env: { ...sasl, KAFKA_SASL_PASSWORD: kafkaEnv("KAFKA_SASL_PASSWORD") },
    });
    assert.equal(good.code, 0, good.stderr);
    const wrong = "not-the-password-5731";
    const bad = await kafkit(["offsets", topic], { env: { ...sasl, KAFKA_SASL_PASSWORD: wrong } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^kafkit offsets: .*(SASL|[Aa]uthenticat)/);
    assert.ok(!bad.stderr.includes(wrong), "the password is never printed");

    // A PKCS12 truststore (the harness's Java config) is refused with what to do instead.
    const p12 = await kafkit(["topics", "list", "-F", kafkaEnv("KAFKA_JAVA_SSL_PROPERTIES")]);
    assert.equal(p12.code, 2);
    assert.match(
      p12.stderr,
      /ssl\.truststore\.type PKCS12 is not supported: kafkit reads PEM only/,
    );
  });

  test("exit codes, one-line errors (stack with --verbose), --help", async () => {
    const missing = await kafkit(["topics", "describe", `${topic}-missing`]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
    assert.match(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
    const verbose = await kafkit(["topics", "describe", `${topic}-missing`, "--verbose"]);
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, /\n\s+at /);
    const exists = await kafkit(["topics", "create", topic]);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /TOPIC_ALREADY_EXISTS.*broker message/);

    // A reader that goes away (`| head -1`) ends the run at the next write, without an error
    // (the output is larger than a pipe holds, so the writes go on after it has gone).
    const big = `${topic}-big`;
    await ok(["topics", "create", big, "-p", "1"]);
    await ok(["produce", "-t", big], `${"x".repeat(99)}\n`.repeat(5000));
    const tail = spawn(EXEC, [...EXEC_ARGS, "consume", "-t", big, "--from", "beginning"], {
      env: { ...BASE_ENV, KAFKA_BROKERS: BROKERS },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tailed = collect(tail);
    tail.stdout!.once("data", () => tail.stdout!.destroy());
    const headed = await tailed;
    assert.deepEqual([headed.code, headed.stderr], [0, ""]);

    const usage = [
      ["produce"],
      ["consume", "-t", topic, "--from", "yesterday"],
      ["topics", "lst"],
      ["offsets", topic, "--bogus"],
    ];
    for (
      const [args, r] of await Promise.all(usage.map(async (a) => [a, await kafkit(a)] as const))
    ) {
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /--help' for usage/);
    }
    const helps = await Promise.all(
      [[], ["consume"], ["topics"], ["groups", "reset-offsets"]].map((a) =>
        kafkit([...a, "--help"])
      ),
    );
    for (const h of helps) {
      assert.equal(h.code, 0, h.stderr);
      assert.match(h.stdout, /^(Usage: kafkit|kafkit \d)/);
    }
  });
});
