// The Reader and its group traffic over SASL_SSL: SCRAM-SHA-512 on TLS verified with the
// test CA, for fetches, the coordinator and commits alike.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

describe(`Reader over SASL_SSL (${RUNTIME})`, () => {
  test("a group reader authenticates, reads and commits", async () => {
    const secure = {
      brokers: kafkaEnv("KAFKA_SASL_SSL_BROKERS").split(","),
      tls: { ca: readFileSync(kafkaEnv("KAFKA_CA"), "utf8") },
      sasl: {
        mechanism: "SCRAM-SHA-512" as const,
        username: kafkaEnv("KAFKA_SASL_USER"),
        password: kafkaEnv("KAFKA_SASL_PASSWORD"),
      },
    };
    const topic = `kafkit-secure-read-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using w = new Writer({ ...secure, topic, allowAutoTopicCreation: true });
      await w.writeMessages([{ value: "one" }, { value: "two" }]);
    }
    const groupId = `${topic}-g`;
    {
      await using r = new Reader({ ...secure, topic, groupId });
      assert.equal(new TextDecoder().decode((await r.readMessage()).value!), "one");
    }
    await using again = new Reader({ ...secure, topic, groupId });
    const m = await again.readMessage();
    assert.equal(m.offset, 1, "the first reader's commit was kept");
  });
});
