import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, Dialer, TimeoutError, UnsupportedVersionError } from "../../mod.ts";
import { Connection } from "../../src/core.ts";
import {
  ApiVersions,
  Fetch,
  type FetchRequest,
  Metadata,
  Produce,
} from "../../src/protocol/mod.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";
import { runDemo } from "../../scripts/demo.ts";

describe(`connection to a real broker (${RUNTIME})`, () => {
  let conn: Connection;
  let idle: FetchRequest; // a Fetch that waits, since its partition stays empty
  const address = () => hostPort(kafkaEnv("KAFKA_BROKERS").split(",")[0]);

  before(async () => {
    conn = await Connection.connect({ ...address(), clientId: "kafkit-test" });
    const topic = `kafkit-idle-${Date.now()}`;
    const { topicId } = await new Dialer().lookupPartition(
      kafkaEnv("KAFKA_BROKERS").split(",")[0],
      topic,
      0,
    );
    idle = {
      maxWaitMs: 1_000, // the broker answers a connection's requests in order: keep it short
      minBytes: 1 << 30,
      topics: [{
        topic,
        topicId,
        partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }],
      }],
    };
  });
  after(() => conn?.close());

  test("the broker answers ApiVersions with Kafka 4's ranges", () => {
    const produce = conn.brokerVersions(Produce.key);
    const fetch = conn.brokerVersions(Fetch.key);
    assert.ok(produce && produce.max >= 12, `Produce ${JSON.stringify(produce)}`);
    assert.ok(fetch && fetch.min >= 4 && fetch.max >= 17, `Fetch ${JSON.stringify(fetch)}`);
    assert.equal(conn.negotiate(ApiVersions), 4);
    assert.ok(conn.negotiate(Produce) >= 3);
  });

  test("Metadata lists the broker the harness started", async () => {
    const meta = await conn.request(Metadata, { topics: null });
    const expected = kafkaEnv("KAFKA_BROKERS").split(",").length;
    assert.equal(meta.brokers.length, expected);
    const { port } = address();
    assert.ok(meta.brokers.some((b) => b.port === port), JSON.stringify(meta.brokers));
    assert.ok(meta.clusterId && meta.clusterId.length > 0);
  });

  test("older versions still decode (Metadata v1, ApiVersions negotiation capped)", async () => {
    const meta = await conn.request(Metadata, { topics: null }, { version: 1 });
    assert.ok(meta.brokers.length >= 1);
    assert.equal(conn.negotiate(Metadata, 4), 4);
  });

  test("1,000 pipelined requests each get their own response", async () => {
    // Each asks for a different (missing) topic at one of 12 versions; every answer must
    // name the topic its request asked for.
    const results = await Promise.all(
      Array.from(
        { length: 1000 },
        (_, i) =>
          conn.request(Metadata, {
            topics: [{ name: `kafkit-missing-${i}` }],
            allowAutoTopicCreation: false,
          }, {
            version: 4 + (i % 10),
          }),
      ),
    );
    results.forEach((m, i) => assert.equal(m.topics[0].name, `kafkit-missing-${i}`));
  });

  test("a version below the broker's floor is refused before sending", () => {
    assert.throws(() => conn.negotiate(Produce, 2), UnsupportedVersionError);
  });

  test("an aborted signal rejects the pending request and the connection stays usable", async () => {
    const controller = new AbortController();
    const pending = conn.request(Fetch, idle, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await assert.rejects(pending, /stop/);
    const meta = await conn.request(Metadata, { topics: null });
    assert.ok(meta.brokers.length >= 1);
  });

  test("a request that outlives its timeout fails with TimeoutError", async () => {
    await assert.rejects(
      conn.request(Fetch, idle, { timeout: 100 }),
      TimeoutError,
    );
  });

  test("closing fails in-flight requests with ConnectionError", async () => {
    const c = await Connection.connect(address());
    const pending = c.request(Fetch, idle);
    setTimeout(() => c.close(), 50);
    await assert.rejects(pending, ConnectionError);
    await assert.rejects(c.request(Metadata, { topics: null }), ConnectionError);
  });

  test("connecting to a closed port fails with ConnectionError", async () => {
    await assert.rejects(Connection.connect({ host: "127.0.0.1", port: 1 }), ConnectionError);
  });

  test("the demo writes three messages and reads them back", async () => {
    const lines: string[] = [];
    const result = await runDemo(kafkaEnv("KAFKA_BROKERS"), undefined, (l) => lines.push(l));
    assert.deepEqual(result.read, [
      { offset: 0, key: "k0", value: "hello" },
      { offset: 1, key: "k1", value: "from" },
      { offset: 2, key: "k2", value: "kafkit" },
    ]);
    assert.ok(lines.some((l) => l.includes("read back 3 of 3")), lines.join("\n"));
  });
});
