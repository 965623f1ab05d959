import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Connection } from "../../mod.ts";
import { fetchFrom, produce, waitForLeader } from "../../scripts/demo.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";
import { javaConsume, javaTool } from "../_java.ts";

const dec = new TextDecoder();

describe(`interop with the Java client's tools (${RUNTIME})`, () => {
  test("records from the Java ConsoleProducer decode exactly", async () => {
    const brokers = kafkaEnv("KAFKA_BROKERS");
    await using conn = await Connection.connect(hostPort(brokers.split(",")[0]));
    const topic = `kafkit-java-in-${Date.now()}`;
    const { topicId } = await waitForLeader(conn, topic);
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
    const { records } = await fetchFrom(conn, topic, topicId, 0);
    assert.deepEqual(
      records.map((r) => [r.offset, dec.decode(r.key!), dec.decode(r.value!)]),
      [[0, "a", "alpha"], [1, "b", "beta"], [2, "c", "γάμμα"]],
    );
  });

  test("records kafkit produces are read by the Java ConsoleConsumer", async () => {
    const brokers = kafkaEnv("KAFKA_BROKERS");
    await using conn = await Connection.connect(hostPort(brokers.split(",")[0]));
    const topic = `kafkit-java-out-${Date.now()}`;
    const { topicId } = await waitForLeader(conn, topic);
    await produce(conn, topic, topicId, [{ key: "x", value: "one" }, { key: "y", value: "twö" }]);
    const lines = await javaConsume(brokers, topic, 2, ["print.key=true", "key.separator=|"]);
    assert.deepEqual(lines, ["x|one", "y|twö"]);
  });
});
