import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, type ConfigResourceDescription, dial, KafkaError } from "../../../mod.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { javaTool } from "../../_java.ts";
import { adminClient, uniqueName } from "./_admin.ts";
import { eventually } from "../../_eventually.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const created: string[] = [];

/** Creates a topic with the low-level Conn (the admin's createTopics is built elsewhere). */
async function createTopic(configs: Record<string, string> = {}): Promise<string> {
  const topic = uniqueName(`configs-${RUNTIME.replace(/\W/g, "")}`);
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{
    topic,
    numPartitions: 1,
    replicationFactor: 1,
    configEntries: Object.entries(configs).map(([configName, configValue]) => ({
      configName,
      configValue,
    })),
  }]);
  created.push(topic);
  return topic;
}

/** The one broker's node id, as a config resource name. */
async function brokerId(): Promise<string> {
  await using admin = adminClient();
  return String((await admin.describeCluster()).brokers[0].nodeId);
}

/** name -> value of a description's entries from `source`. */
function valuesFrom(d: ConfigResourceDescription, source: string): Record<string, string | null> {
  assert.equal(d.error, undefined, String(d.error));
  return Object.fromEntries(
    d.entries.filter((e) => e.source === source).map((e) => [e.name, e.value]),
  );
}

describe(`admin: configs (${RUNTIME})`, () => {
  after(async () => {
    await using conn = await dial(brokers()[0]);
    await conn.deleteTopics(created);
  });

  test("a topic's configs set at creation are dynamic-topic, as kafka-configs shows", async () => {
    const topic = await createTopic({ "retention.ms": "123456", "max.message.bytes": "200000" });
    await using admin = adminClient();
    const [d] = await admin.describeConfigs([{ type: "topic", name: topic }], {
      includeDocumentation: true,
    });
    assert.equal(d.type, "topic");
    assert.equal(d.name, topic);
    const dynamic = valuesFrom(d, "dynamic-topic");
    assert.deepEqual(dynamic, { "max.message.bytes": "200000", "retention.ms": "123456" });

    // Java's ConfigCommand lists the same dynamic configs: "  key=value sensitive=... ...".
    const out = await javaTool("kafka.admin.ConfigCommand", [
      "--bootstrap-server",
      brokers()[0],
      "--describe",
      "--entity-type",
      "topics",
      "--entity-name",
      topic,
    ]);
    const java = Object.fromEntries(
      [...out.matchAll(/^\s+([\w.]+)=(\S*) sensitive=/gm)].map((m) => [m[1], m[2]]),
    );
    assert.deepEqual(dynamic, java, out);

    const retention = d.entries.find((e) => e.name === "retention.ms")!;
    assert.equal(retention.type, "long");
    assert.equal(retention.readOnly, false);
    assert.equal(retention.sensitive, false);
    assert.match(retention.documentation ?? "", /\w+ \w+/);
    const cleanup = d.entries.find((e) => e.name === "cleanup.policy")!;
    assert.deepEqual([cleanup.value, cleanup.source, cleanup.type], ["delete", "default", "list"]);
    // The harness's server.properties sets log.segment.bytes: the topic inherits it.
    const segment = d.entries.find((e) => e.name === "segment.bytes")!;
    assert.deepEqual([segment.value, segment.source], ["8388608", "static-broker"]);
    assert.deepEqual(segment.synonyms, [], "synonyms only when asked for");
  });

  test("keys narrow the answer; synonyms show each fallback in order", async () => {
    const topic = await createTopic({ "segment.bytes": "1048576" });
    await using admin = adminClient();
    const [d] = await admin.describeConfigs(
      [{ type: "topic", name: topic, keys: ["segment.bytes", "no.such.config"] }],
      { includeSynonyms: true },
    );
    assert.deepEqual(d.entries.map((e) => e.name), ["segment.bytes"]);
    assert.equal(d.entries[0].documentation, null);
    assert.deepEqual(d.entries[0].synonyms, [
      { name: "segment.bytes", value: "1048576", source: "dynamic-topic" },
      { name: "log.segment.bytes", value: "8388608", source: "static-broker" },
      { name: "log.segment.bytes", value: "1073741824", source: "default" },
    ]);
  });

  test("set, append, subtract and delete round trip on a topic", async () => {
    const topic = await createTopic();
    await using admin = adminClient();
    const describe = async () =>
      (await admin.describeConfigs([{
        type: "topic",
        name: topic,
        keys: ["retention.ms", "cleanup.policy"],
      }]))[0];
    const alter = async (ops: Parameters<typeof admin.incrementalAlterConfigs>[0][0]["ops"]) => {
      const results = await admin.incrementalAlterConfigs([{ type: "topic", name: topic, ops }]);
      assert.deepEqual(results, [{ type: "topic", name: topic }]);
    };

    // validateOnly checks without applying.
    const [checked] = await admin.incrementalAlterConfigs([{
      type: "topic",
      name: topic,
      ops: [{ name: "retention.ms", op: "set", value: "60000" }],
    }], { validateOnly: true });
    assert.equal(checked.error, undefined);
    assert.deepEqual(valuesFrom(await describe(), "dynamic-topic"), {});

    await alter([
      { name: "retention.ms", op: "set", value: "60000" },
      { name: "cleanup.policy", op: "append", value: "compact" },
    ]);
    await eventually(async () =>
      assert.deepEqual(valuesFrom(await describe(), "dynamic-topic"), {
        "cleanup.policy": "delete,compact",
        "retention.ms": "60000",
      })
    );
    await alter([{ name: "cleanup.policy", op: "subtract", value: "delete" }]);
    await eventually(async () =>
      assert.deepEqual(valuesFrom(await describe(), "dynamic-topic"), {
        "cleanup.policy": "compact",
        "retention.ms": "60000",
      })
    );
    await alter([{ name: "retention.ms", op: "delete" }]);
    await eventually(async () => {
      const d = await describe();
      assert.deepEqual(valuesFrom(d, "dynamic-topic"), { "cleanup.policy": "compact" });
      assert.deepEqual(valuesFrom(d, "default"), { "retention.ms": "604800000" });
    });
  });

  test("alterConfigs replaces the whole set of a topic's dynamic configs", async () => {
    const topic = await createTopic({ "retention.ms": "123456", "cleanup.policy": "compact" });
    await using admin = adminClient();
    const results = await admin.alterConfigs([{
      type: "topic",
      name: topic,
      configs: [{ name: "segment.ms", value: "3600000" }],
    }]);
    assert.deepEqual(results, [{ type: "topic", name: topic }]);
    await eventually(async () => {
      const [d] = await admin.describeConfigs([{ type: "topic", name: topic }]);
      // The two set at creation are gone: the set is replaced, not merged.
      assert.deepEqual(valuesFrom(d, "dynamic-topic"), { "segment.ms": "3600000" });
    });
  });

  test("a broker's configs come from that broker, with synonyms and sensitive values", async () => {
    const id = await brokerId();
    await using admin = adminClient();
    const [d] = await admin.describeConfigs([{ type: "broker", name: id }], {
      includeSynonyms: true,
    });
    assert.equal(d.error, undefined, String(d.error));
    const entry = (name: string) => d.entries.find((e) => e.name === name)!;
    assert.deepEqual([entry("node.id").value, entry("node.id").source], [id, "static-broker"]);
    assert.equal(entry("node.id").readOnly, true);
    assert.deepEqual(entry("log.segment.bytes").synonyms, [
      { name: "log.segment.bytes", value: "8388608", source: "static-broker" },
      { name: "log.segment.bytes", value: "1073741824", source: "default" },
    ]);
    const hours = entry("log.retention.hours");
    assert.deepEqual([hours.value, hours.source, hours.type], ["168", "default", "int"]);
    const password = entry("ssl.keystore.password");
    assert.deepEqual([password.sensitive, password.value, password.type], [true, null, "password"]);

    // A broker's configs can be changed on it (checked only: the broker is shared).
    const [checked] = await admin.incrementalAlterConfigs([{
      type: "broker",
      name: id,
      ops: [{ name: "log.cleaner.backoff.ms", op: "set", value: "20000" }],
    }], { validateOnly: true });
    assert.equal(checked.error, undefined, String(checked.error));
    // The cluster-wide defaults ("") are any broker's to answer.
    const [defaults] = await admin.describeConfigs([{ type: "broker", name: "" }]);
    assert.equal(defaults.error, undefined, String(defaults.error));
    assert.ok(defaults.entries.every((e) => e.source === "dynamic-default-broker"));
  });

  test("a broker's loggers, and a bad log level as that logger's error", async () => {
    const id = await brokerId();
    await using admin = adminClient();
    const [d] = await admin.describeConfigs([{ type: "broker-logger", name: id }]);
    assert.equal(d.error, undefined, String(d.error));
    assert.ok(d.entries.length > 1);
    const levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"];
    for (const e of d.entries) {
      assert.equal(e.source, "dynamic-broker-logger", e.name);
      assert.ok(levels.includes(e.value!), `${e.name}=${e.value}`);
    }
    assert.ok(d.entries.some((e) => e.name === "kafka.server.KafkaApis"));
    const [bad] = await admin.incrementalAlterConfigs([{
      type: "broker-logger",
      name: id,
      ops: [{ name: "kafka.server.KafkaApis", op: "set", value: "LOUD" }],
    }], { validateOnly: true });
    assert.ok(bad.error instanceof KafkaError && bad.error.errorName === "INVALID_CONFIG");
    assert.match(bad.error.message, /not a supported log level/);
  });

  test("one missing topic, or an unknown config name, fails only its own resource", async () => {
    const topic = await createTopic({ "retention.ms": "123456" });
    const missing = uniqueName("configs-missing");
    await using admin = adminClient();
    const described = await admin.describeConfigs([
      { type: "topic", name: missing },
      { type: "topic", name: topic, keys: ["retention.ms"] },
      { type: "broker", name: "7777" },
    ]);
    assert.deepEqual(described.map((d) => d.name), [missing, topic, "7777"]);
    const [gone, ok, noBroker] = described;
    assert.ok(gone.error instanceof KafkaError, String(gone.error));
    assert.equal(gone.error.errorName, "UNKNOWN_TOPIC_OR_PARTITION");
    assert.equal(gone.error.context.topic, missing);
    assert.deepEqual(gone.entries, []);
    assert.deepEqual(valuesFrom(ok, "dynamic-topic"), { "retention.ms": "123456" });
    assert.ok(noBroker.error instanceof KafkaError, String(noBroker.error));
    assert.equal(noBroker.error.errorName, "BROKER_NOT_AVAILABLE");
    assert.equal(noBroker.error.context.nodeId, 7777);

    const altered = await admin.incrementalAlterConfigs([
      { type: "topic", name: topic, ops: [{ name: "no.such.config", op: "set", value: "1" }] },
      { type: "topic", name: missing, ops: [{ name: "retention.ms", op: "set", value: "1" }] },
    ]);
    const [unknown, absent] = altered;
    assert.ok(unknown.error instanceof KafkaError);
    assert.equal(unknown.error.errorName, "INVALID_CONFIG");
    assert.equal(unknown.error.context.brokerMessage, "Unknown topic config name: no.such.config");
    assert.equal((absent.error as KafkaError).errorName, "UNKNOWN_TOPIC_OR_PARTITION");
    const [legacy] = await admin.alterConfigs([
      { type: "topic", name: topic, configs: [{ name: "no.such.config", value: "1" }] },
    ]);
    assert.equal((legacy.error as KafkaError).errorName, "INVALID_CONFIG");
  });

  test("bad input is a TypeError naming the field, before anything is sent", async () => {
    // Nothing listens on port 1: a request would time out instead of failing at once.
    await using admin = new Client({ brokers: ["127.0.0.1:1"], timeout: 60_000 });
    const bad: [Promise<unknown>, RegExp][] = [
      [admin.describeConfigs([{ type: "table" as never, name: "x" }]), /resources\[0\]\.type/],
      [admin.describeConfigs([{ type: "topic", name: "" }]), /resources\[0\]\.name/],
      [admin.describeConfigs([{ type: "broker", name: "one" }]), /resources\[0\]\.name.*node id/],
      [admin.describeConfigs([{ type: "broker-logger", name: "" }]), /resources\[0\]\.name/],
      [admin.describeConfigs([{ type: "topic", name: "t", keys: [""] }]), /keys\[0\]/],
      [admin.describeConfigs("t" as never), /resources must be an array/],
      [
        admin.incrementalAlterConfigs([{
          type: "topic",
          name: "t",
          ops: [{ name: "a", op: "set", value: "1" }, { name: "b", op: "replace" as never }],
        }]),
        /alterations\[0\]\.ops\[1\]\.op must be one of set, delete, append, subtract/,
      ],
      [
        admin.incrementalAlterConfigs([{
          type: "topic",
          name: "t",
          ops: [{ name: "", op: "set" }],
        }]),
        /ops\[0\]\.name/,
      ],
      [
        admin.incrementalAlterConfigs([{
          type: "topic",
          name: "t",
          ops: [{ name: "a", op: "set" }],
        }]),
        /ops\[0\]\.value must be a string for "set"/,
      ],
      [
        admin.incrementalAlterConfigs([{
          type: "topic",
          name: "t",
          ops: [{ name: "a", op: "delete", value: "1" }],
        }]),
        /ops\[0\]\.value must be left out for "delete"/,
      ],
      [
        admin.alterConfigs([{
          type: "group",
          name: "g",
          configs: [{ name: "a", value: 1 as never }],
        }]),
        /replacements\[0\]\.configs\[0\]\.value must be a string/,
      ],
    ];
    for (const [call, message] of bad) {
      await assert.rejects(call, (e: Error) => e instanceof TypeError && message.test(e.message));
    }
  });
});
