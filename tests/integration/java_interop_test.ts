import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dialLeader } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { javaConsume, javaTool } from "../_java.ts";

const dec = new TextDecoder();
const uniqueTopic = (name: string) =>
  `kafkit-java-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

describe(`interop with the Java client's tools (${RUNTIME})`, () => {
  test("records from the Java ConsoleProducer read correctly through Conn.readBatch", async () => {
    const brokers = kafkaEnv("KAFKA_BROKERS");
    const topic = uniqueTopic("in");
    await using conn = await dialLeader(brokers.split(",")[0], topic, 0);
    await javaTool("org.apache.kafka.tools.ConsoleProducer", [
      "--bootstrap-server",
      brokers,
      "--topic",
      topic,
      "--reader-property",
      "parse.key=true",
      "--reader-property",
      "key.separator=:",
    ], "a:alpha\nb:beta\nc:γάμμα\n");
    const read: [number, string, string][] = [];
    while (read.length < 3) {
      for await (const m of await conn.readBatch(1, 1 << 20, { timeout: 5_000 })) {
        read.push([m.offset, dec.decode(m.key!), dec.decode(m.value!)]);
      }
    }
    assert.deepEqual(read, [[0, "a", "alpha"], [1, "b", "beta"], [2, "c", "γάμμα"]]);
  });

  test("messages written with Conn.writeMessages are read by the Java ConsoleConsumer", async () => {
    const brokers = kafkaEnv("KAFKA_BROKERS");
    const topic = uniqueTopic("out");
    await using conn = await dialLeader(brokers.split(",")[0], topic, 0);
    await conn.writeMessages([{ key: "x", value: "one" }, { key: "y", value: "twö" }]);
    const lines = await javaConsume(brokers, topic, 2, ["print.key=true", "key.separator=|"]);
    assert.deepEqual(lines, ["x|one", "y|twö"]);
  });
});
