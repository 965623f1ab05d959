import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KafkaError } from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

describe(`Cluster client (${RUNTIME})`, () => {
  test("a broker connection unused for idleTimeout is closed when the pool is next used", async () => {
    const cluster = new Cluster({ brokers: kafkaEnv("KAFKA_BROKERS").split(","), idleTimeout: 50 });
    try {
      const first = await cluster.anyConnection();
      await new Promise((r) => setTimeout(r, 150));
      const second = await cluster.anyConnection();
      assert.equal(first.closed, true);
      assert.notEqual(second, first);
      assert.equal(second.closed, false);
    } finally {
      await cluster.close();
    }
  });

  test("an unreachable bootstrap address is skipped; metadata is cached and errors name the topic", async () => {
    const cluster = new Cluster({
      brokers: ["127.0.0.1:1", ...kafkaEnv("KAFKA_BROKERS").split(",")],
    });
    try {
      await assert.rejects(
        cluster.topic(`kafkit-missing-${Date.now()}`),
        (e: unknown) =>
          e instanceof KafkaError && e.errorName === "UNKNOWN_TOPIC_OR_PARTITION" &&
          /kafkit-missing/.test(e.message),
      );
      const conn = await cluster.anyConnection();
      assert.equal(conn.closed, false);
    } finally {
      await cluster.close();
    }
    await assert.rejects(cluster.anyConnection(), /closed/);
  });
});
