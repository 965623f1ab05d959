import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cluster } from "../../../src/cluster/cluster.ts";
import { resolveWriterConfig } from "../../../src/producer/_writer_config.ts";
import { Hash } from "../../../mod.ts";

describe("resolveWriterConfig", () => {
  test("defaults", () => {
    const c = resolveWriterConfig({ brokers: "a:1" });
    assert.equal(c.acks, -1);
    assert.equal(c.idempotent, true);
    assert.equal(c.maxInFlight, 5);
    // Time bounds the retries, not a count (as the Java producer's delivery.timeout.ms).
    assert.equal(c.maxAttempts, Infinity);
    assert.equal(c.deliveryTimeout, 120_000);
    assert.equal(c.maxBufferedBytes, 32 * 1024 * 1024);
    assert.equal(c.maxBlock, 60_000);
    assert.equal(c.closeTimeout, 5_000);
    assert.deepEqual(c.limits, { batchSize: 100, batchBytes: 1_048_576, batchTimeout: 5 });
    assert.deepEqual(c.backoff, { backoffMin: 100, backoffMax: 1000 });
    assert.equal(c.writeTimeout, 10_000);
    assert.equal(c.clientId, "kafkit");
    assert.equal(c.cluster, undefined);
    assert.deepEqual(c.clusterOptions?.brokers, ["a:1"]);
    assert.equal(c.clusterOptions?.requestTimeout, 10_000); // readTimeout
  });

  test("brokers: one comma-separated string or a list", () => {
    assert.deepEqual(resolveWriterConfig({ brokers: "a:1,b:2" }).clusterOptions?.brokers, [
      "a:1",
      "b:2",
    ]);
    assert.deepEqual(
      resolveWriterConfig({ brokers: ["a:1", "b:2,c:3"] }).clusterOptions?.brokers,
      ["a:1", "b:2", "c:3"],
    );
    assert.throws(() => resolveWriterConfig({ brokers: "a:1,nope" }), {
      name: "TypeError",
      message: /brokers.*nope/,
    });
    assert.throws(() => resolveWriterConfig({} as never), {
      name: "TypeError",
      message: /brokers/,
    });
  });

  test("an unknown option is a TypeError naming it and the likely one", () => {
    assert.throws(
      () => resolveWriterConfig({ brokers: "a:1", batchTimout: 5 } as never),
      { name: "TypeError", message: /"batchTimout".*"batchTimeout"/ },
    );
    assert.throws(
      () => resolveWriterConfig({ brokers: "a:1", maxBufferBytes: 5 } as never),
      { name: "TypeError", message: /"maxBufferBytes".*"maxBufferedBytes"/ },
    );
  });

  test("connection and core options are known and go to the cluster", () => {
    const connect = () => Promise.reject(new Error("unused"));
    // Every connection and core option, each set, so that each must be handed on.
    const core = {
      clientId: "me",
      connectTimeout: 1,
      requestTimeout: 2,
      maxResponseSize: 3,
      keepAlive: false,
      tls: {},
      connect,
      sasl: { mechanism: "PLAIN" as const, username: "u", password: "p" },
      metadataMaxAge: 4,
      idleTimeout: 5,
      deadBrokerBackoff: 6,
      allowAutoTopicCreation: true,
      log: { log() {} },
      telemetry: { api: {} } as never,
    };
    const c = resolveWriterConfig({ brokers: "a:1", ...core });
    assert.deepEqual(c.clusterOptions, { brokers: ["a:1"], ...core });
  });

  test("maxInFlight: at most 5; 1 by default without idempotence, unless set", () => {
    assert.equal(resolveWriterConfig({ brokers: "a:1", maxInFlight: 3 }).maxInFlight, 3);
    assert.throws(() => resolveWriterConfig({ brokers: "a:1", maxInFlight: 6 }), {
      name: "RangeError",
      message: /maxInFlight/,
    });
    assert.throws(() => resolveWriterConfig({ brokers: "a:1", maxInFlight: 0 }), {
      name: "RangeError",
      message: /maxInFlight/,
    });
    const plain = resolveWriterConfig({ brokers: "a:1", requiredAcks: 1, maxInFlight: 5 });
    assert.equal(plain.idempotent, false);
    assert.equal(plain.maxInFlight, 5);
    assert.equal(resolveWriterConfig({ brokers: "a:1", requiredAcks: 1 }).maxInFlight, 1);
    assert.equal(resolveWriterConfig({ brokers: "a:1", idempotent: false }).maxInFlight, 1);
  });

  test("deliveryTimeout, maxAttempts, maxBufferedBytes, maxBlock and closeTimeout are taken as given", () => {
    const c = resolveWriterConfig({
      brokers: "a:1",
      deliveryTimeout: 30_000,
      maxAttempts: 5,
      maxBufferedBytes: 1024,
      maxBlock: 0,
      closeTimeout: 0,
    });
    assert.deepEqual(
      [c.deliveryTimeout, c.maxAttempts, c.maxBufferedBytes, c.maxBlock, c.closeTimeout],
      [30_000, 5, 1024, 0, 0],
    );
    assert.equal(
      resolveWriterConfig({ brokers: "a:1", maxAttempts: Infinity }).maxAttempts,
      Infinity,
    );
  });

  test("bad values name their field", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ writeBackoffMin: 10, writeBackoffMax: 5 }, /writeBackoffMax/],
      [{ metadataMaxAge: -1 }, /metadataMaxAge/],
      [{ idleTimeout: 0.5 }, /idleTimeout/],
      [{ deadBrokerBackoff: -2 }, /deadBrokerBackoff/],
      [{ writeTimeout: 0 }, /writeTimeout/],
      [{ deliveryTimeout: 0 }, /deliveryTimeout/],
      [{ deliveryTimeout: 1.5 }, /deliveryTimeout/],
      // It must leave room for the linger and one request, as the Java producer demands.
      [{ deliveryTimeout: 5_000, writeTimeout: 10_000 }, /deliveryTimeout.*batchTimeout/],
      [{ maxAttempts: 0 }, /maxAttempts/],
      [{ maxAttempts: 2.5 }, /maxAttempts/],
      [{ maxBufferedBytes: 0 }, /maxBufferedBytes/],
      [{ maxBufferedBytes: "1mb" }, /maxBufferedBytes/],
      [{ maxBlock: -1 }, /maxBlock/],
      [{ maxBlock: Infinity }, /maxBlock/],
      [{ closeTimeout: -5 }, /closeTimeout/],
      [{ maxBlock: 2 ** 31 }, /maxBlock must be at most/],
      [{ cluster: {} }, /cluster/],
    ];
    for (const [extra, field] of cases) {
      assert.throws(
        () => resolveWriterConfig({ brokers: "a:1", ...extra } as never),
        (e: unknown) =>
          (e instanceof TypeError || e instanceof RangeError) && field.test(e.message),
        JSON.stringify(extra),
      );
    }
  });

  test("a shared cluster needs no brokers and builds no cluster of its own", async () => {
    const cluster = new Cluster({ brokers: "a:1" });
    const c = resolveWriterConfig({ cluster, balancer: new Hash(), compression: "gzip" });
    assert.equal(c.cluster, cluster);
    assert.equal(c.clusterOptions, undefined);
    assert.ok(c.balancer instanceof Hash);
    assert.equal(typeof c.codec?.compress, "function");
    await cluster.close();
  });
});
