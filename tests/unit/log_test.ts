import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { consoleLogger, type LogLevel, stringLogger, Writer } from "../../mod.ts";
import { clientLog, formatLine, Log, logOf, redact } from "../../src/log.ts";
import { Cluster } from "../../src/core.ts";

/** A logger that keeps its entries. */
function memoryLogger() {
  const entries: { level: LogLevel; message: string; fields: Record<string, unknown> }[] = [];
  return {
    entries,
    log: (level: LogLevel, message: string, fields: Record<string, unknown>) => {
      entries.push({ level, message, fields });
    },
  };
}

describe("structured logging", () => {
  test("the string callbacks get one line each: debug and info to logger, the rest to errorLogger", () => {
    const info: string[] = [];
    const errors: string[] = [];
    const log = new Log(stringLogger((l) => info.push(l), (l) => errors.push(l)));
    log.debug("refreshing metadata", { topics: ["a", "b"] });
    log.info("retrying", { topic: "t", partition: 3 });
    log.warn("heartbeat failed", { group: "my group" });
    log.error("write failed", { error: new Error("boom") });
    assert.deepEqual(info, [
      'refreshing metadata topics=["a","b"]',
      "retrying topic=t partition=3",
    ]);
    assert.deepEqual(errors, ['heartbeat failed group="my group"', "write failed error=boom"]);
  });

  test("secrets never reach a logger: credential-like fields redacted, bytes as their length", () => {
    const mem = memoryLogger();
    new Log(mem).info("connecting", {
      sasl: { mechanism: "PLAIN", username: "alice", password: "s3cret" },
      options: { password: "s3cret", token: "t0ken", clientId: "c" },
      authBytes: new Uint8Array([1, 2, 3]),
      value: new Uint8Array(5),
    });
    const fields = mem.entries[0].fields;
    assert.equal(fields.sasl, "[redacted]");
    assert.deepEqual(fields.options, {
      password: "[redacted]",
      token: "[redacted]",
      clientId: "c",
    });
    assert.equal(fields.authBytes, "[redacted]");
    assert.equal(fields.value, "<5 bytes>");
    assert.ok(!JSON.stringify(mem.entries).includes("s3cret"));
    assert.deepEqual(redact({ accessToken: "x", oauthBearer: "y", topic: "t" }), {
      accessToken: "[redacted]",
      oauthBearer: "[redacted]",
      topic: "t",
    });
  });

  test("silent by default; a logger that throws does not break the client", () => {
    assert.equal(logOf({}).enabled, false);
    let calls = 0;
    const throwing = new Log({
      log() {
        calls++;
        throw new Error("bad logger");
      },
    });
    throwing.error("x");
    assert.equal(calls, 1);
    assert.throws(() => logOf({ log: {} as never }), /log must be a Logger/);
    assert.throws(() => logOf({ logger: "no" as never }), /logger must be a function/);
  });

  test("a client logs to its own log if set, else to its shared core's", async () => {
    const mem = memoryLogger();
    const cluster = new Cluster({ brokers: "127.0.0.1:1", log: mem });
    try {
      assert.equal(clientLog({}, cluster), cluster.log);
      assert.notEqual(clientLog({ logger: () => {} }, cluster), cluster.log);
      assert.throws(() => new Writer({ cluster, log: {} as never }), /log must be a Logger/);
    } finally {
      await cluster.close();
    }
  });

  test("consoleLogger writes JSON lines from its level up", () => {
    const lines: string[] = [];
    const { log, error } = console;
    console.log = (l: string) => lines.push(`out ${l}`);
    console.error = (l: string) => lines.push(`err ${l}`);
    try {
      const logger = consoleLogger("info");
      logger.log("debug", "hidden", {});
      logger.log("info", "shown", { topic: "t" });
      logger.log("error", "failed", {});
    } finally {
      Object.assign(console, { log, error });
    }
    assert.deepEqual(lines, [
      'out {"level":"info","message":"shown","topic":"t"}',
      'err {"level":"error","message":"failed"}',
    ]);
    assert.throws(() => consoleLogger("loud" as never), /log level must be one of/);
    assert.equal(formatLine("m", { a: 'x"y', b: null }), 'm a="x\\"y" b=null');
  });
});
