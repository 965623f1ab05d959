// The admin client's topic operations against the harness broker; describeTopics is checked
// against what the Java TopicCommand (kafka-topics.sh --describe) prints.

import { eventually } from "../../_eventually.ts";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, dial, FailedItemsError, KafkaError, throwIfFailed } from "../../../mod.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { javaTool } from "../../_java.ts";
import { adminClient, uniqueName } from "./_admin.ts";

const broker = () => kafkaEnv("KAFKA_BROKERS").split(",")[0];

/** Asserts `error` is the KafkaError `name`, naming `topic`. */
function assertTopicError(error: Error | undefined, name: string, topic: string): void {
  assert.ok(error instanceof KafkaError, `expected ${name}, got ${error}`);
  assert.equal(error.errorName, name);
  assert.equal(error.context.topic, topic);
  assert.match(error.message, new RegExp(topic));
}

describe(`admin: topics (${RUNTIME})`, () => {
  test("createTopics: partitions, replicas, configs and an id; one bad topic fails alone", async () => {
    await using admin = adminClient();
    const good = uniqueName("create");
    const placed = uniqueName("placed");
    const taken = uniqueName("taken");
    try {
      throwIfFailed(await admin.createTopics([{ topic: taken, numPartitions: 1 }]));
      const results = await admin.createTopics([
        {
          topic: good,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ configName: "retention.ms", configValue: "3600000" }],
        },
        { topic: taken, numPartitions: 1 },
        {
          topic: placed,
          replicaAssignments: [{ partition: 0, replicas: [1] }, { partition: 1, replicas: [1] }],
        },
        { topic: "bad/name", numPartitions: 1 },
      ]);
      assert.deepEqual(results.map((r) => r.topic), [good, taken, placed, "bad/name"]);
      const [created, exists, byPlacement, invalid] = results;
      assert.equal(created.error, undefined);
      assert.match(created.topicId!, /^[\w-]{22}$/);
      assert.equal(created.numPartitions, 3);
      assert.equal(created.replicationFactor, 1);
      const retention = created.configs.find((c) => c.name === "retention.ms");
      assert.deepEqual(retention, {
        name: "retention.ms",
        value: "3600000",
        readOnly: false,
        source: "dynamic-topic",
        sensitive: false,
      });
      assertTopicError(exists.error, "TOPIC_ALREADY_EXISTS", taken);
      assert.equal(exists.topicId, null);
      assert.equal(byPlacement.error, undefined);
      assert.equal(byPlacement.numPartitions, 2);
      assertTopicError(invalid.error, "INVALID_TOPIC_EXCEPTION", "bad/name");
      assert.throws(() => throwIfFailed(results), (e: Error) => {
        assert.ok(e instanceof FailedItemsError);
        assert.deepEqual(e.failed.map((f) => f.topic), [taken, "bad/name"]);
        return true;
      });

      // The created topic is real: its id and partitions are what the broker describes.
      await eventually(async () => {
        const [d] = await admin.describeTopics([good]);
        assert.equal(d.error, undefined);
        assert.equal(d.topicId, created.topicId);
        assert.deepEqual(d.partitions.map((p) => p.id), [0, 1, 2]);
      });
    } finally {
      await admin.deleteTopics([good, placed, taken]);
    }
  });

  test("createTopics validateOnly checks without creating", async () => {
    await using admin = adminClient();
    const topic = uniqueName("validate");
    const [checked] = await admin.createTopics([{ topic, numPartitions: 2 }], {
      validateOnly: true,
    });
    assert.equal(checked.error, undefined);
    assert.equal(checked.numPartitions, 2);
    const [d] = await admin.describeTopics([topic]);
    assertTopicError(d.error, "UNKNOWN_TOPIC_OR_PARTITION", topic);
  });

  test("describeTopics matches TopicCommand --describe; unknown topics fail alone", async () => {
    await using admin = adminClient();
    const topic = uniqueName("describe");
    const missing = uniqueName("missing");
    throwIfFailed(await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]));
    try {
      let described!: Awaited<ReturnType<Client["describeTopics"]>>;
      await eventually(async () => {
        described = await admin.describeTopics([topic, missing], {
          includeAuthorizedOperations: true,
        });
        // A new topic reaches the broker's metadata a moment after CreateTopics returns.
        assert.equal(described[0].error, undefined);
        assert.equal(described[0].partitions.length, 3);
        assert.ok(described[0].partitions.every((p) => p.leaderId >= 0));
      });
      const [d, unknown] = described;
      assertTopicError(unknown.error, "UNKNOWN_TOPIC_OR_PARTITION", missing);
      assert.equal(d.error, undefined);
      assert.equal(d.internal, false);
      // The harness connects as a super user: every topic operation is allowed.
      for (const op of ["READ", "WRITE", "DESCRIBE", "DELETE", "ALTER"]) {
        assert.ok(d.authorizedOperations!.includes(op), String(d.authorizedOperations));
      }
      for (const p of d.partitions) {
        assert.ok(p.leaderEpoch >= 0);
        assert.deepEqual(p.offline, []);
        assert.equal(p.error, undefined);
      }

      const out = await javaTool("org.apache.kafka.tools.TopicCommand", [
        "--bootstrap-server",
        broker(),
        "--describe",
        "--topic",
        topic,
      ]);
      // Topic: T  TopicId: ID  PartitionCount: 3  ReplicationFactor: 1  Configs: ...
      const head = out.match(/TopicId: (\S+)\s+PartitionCount: (\d+)\s+ReplicationFactor: (\d+)/);
      assert.ok(head, out);
      assert.equal(head[1], d.topicId);
      assert.equal(Number(head[2]), d.partitions.length);
      assert.equal(Number(head[3]), d.partitions[0].replicas.length);
      // Topic: T  Partition: 0  Leader: 1  Replicas: 1  Isr: 1 ...
      const java = [
        ...out.matchAll(/Partition: (\d+)\s+Leader: (\d+)\s+Replicas: ([\d,]+)\s+Isr: ([\d,]+)/g),
      ]
        .map((m) => ({
          id: Number(m[1]),
          leaderId: Number(m[2]),
          replicas: m[3].split(",").map(Number),
          isr: m[4].split(",").map(Number),
        }));
      assert.deepEqual(
        d.partitions.map(({ id, leaderId, replicas, isr }) => ({ id, leaderId, replicas, isr })),
        java,
        out,
      );

      // Without the option, no authorized operations are asked for.
      const [plain] = await admin.describeTopics([topic]);
      assert.equal(plain.authorizedOperations, undefined);
    } finally {
      await admin.deleteTopics([topic]);
    }
  });

  test("listTopics lists the topics, internal ones only when asked", async () => {
    await using admin = adminClient();
    const topic = uniqueName("list");
    // A coordinator lookup makes the broker create __consumer_offsets if it is not there yet.
    await admin.cluster.coordinator("group", uniqueName("list-group"));
    throwIfFailed(await admin.createTopics([{ topic, numPartitions: 1 }]));
    try {
      await eventually(async () => {
        const plain = await admin.listTopics();
        const listed = plain.find((t) => t.topic === topic);
        assert.ok(listed, "the new topic is listed");
        assert.match(listed.topicId, /^[\w-]{22}$/);
        assert.equal(listed.internal, false);
        assert.ok(plain.every((t) => !t.internal));
        const names = plain.map((t) => t.topic);
        assert.deepEqual(names, [...names].sort());
      });
      const all = await admin.listTopics({ internal: true });
      const offsets = all.find((t) => t.topic === "__consumer_offsets");
      assert.equal(offsets?.internal, true);
      const [d] = await admin.describeTopics(["__consumer_offsets"]);
      assert.equal(d.internal, true);
    } finally {
      await admin.deleteTopics([topic]);
    }
  });

  test("createPartitions adds partitions; a count below the current one fails alone", async () => {
    await using admin = adminClient();
    const grow = uniqueName("grow");
    const shrink = uniqueName("shrink");
    throwIfFailed(
      await admin.createTopics([{ topic: grow, numPartitions: 1 }, {
        topic: shrink,
        numPartitions: 3,
      }]),
    );
    try {
      // The core caches the topic: createPartitions must make it look again.
      await eventually(async () => {
        assert.equal((await admin.cluster.topic(grow)).partitions.length, 1);
      });
      const checked = await admin.createPartitions([{ topic: grow, count: 5 }], {
        validateOnly: true,
      });
      assert.deepEqual(checked, [{ topic: grow }]);
      assert.equal((await admin.describeTopics([grow]))[0].partitions.length, 1);

      const results = await admin.createPartitions([
        { topic: grow, count: 3, assignments: [[1], [1]] },
        { topic: shrink, count: 2 },
      ]);
      assert.deepEqual(results[0], { topic: grow });
      assertTopicError(results[1].error, "INVALID_PARTITIONS", shrink);
      await eventually(async () => {
        const [d] = await admin.describeTopics([grow]);
        assert.deepEqual(d.partitions.map((p) => p.id), [0, 1, 2]);
        assert.deepEqual((await admin.cluster.topic(grow)).partitionIds, [0, 1, 2]);
      });
    } finally {
      await admin.deleteTopics([grow, shrink]);
    }
  });

  test("deleteTopics by name and by topic id; unknown ones fail alone", async () => {
    await using admin = adminClient();
    const byName = uniqueName("del-name");
    const byId = uniqueName("del-id");
    const missing = uniqueName("del-missing");
    const created = throwIfFailed(await admin.createTopics([{ topic: byName }, { topic: byId }]));
    const id = created[1].topicId!;
    const unknownId = "AAAAAAAAAAAAAAAAAAAAAQ";
    const results = await admin.deleteTopics([byName, { topicId: id }, missing, {
      topicId: unknownId,
    }]);
    assert.equal(results.length, 4);
    assert.deepEqual(results[0], { topic: byName, topicId: created[0].topicId });
    assert.deepEqual(results[1], { topic: byId, topicId: id });
    assertTopicError(results[2].error, "UNKNOWN_TOPIC_OR_PARTITION", missing);
    assert.ok(results[3].error instanceof KafkaError);
    assert.equal(results[3].error.errorName, "UNKNOWN_TOPIC_ID");
    assert.equal(results[3].topicId, unknownId);
    await eventually(async () => {
      const described = await admin.describeTopics([byName, byId]);
      assertTopicError(described[0].error, "UNKNOWN_TOPIC_OR_PARTITION", byName);
      assertTopicError(described[1].error, "UNKNOWN_TOPIC_OR_PARTITION", byId);
    });
  });

  test("bad input is a TypeError or RangeError naming the field, before anything is sent", async () => {
    // Nothing listens on port 1: a call that sent anything would time out instead.
    await using admin = new Client({ brokers: ["127.0.0.1:1"], timeout: 2_000 });
    const cases: [() => Promise<unknown>, ErrorConstructor, RegExp][] = [
      [() => admin.createTopics([{ topic: "" }]), TypeError, /topics\[0\]\.topic/],
      [() => admin.createTopics([{ topic: "t", numPartitions: 0 }]), RangeError, /numPartitions/],
      [() => admin.createTopics([{ topic: "t", numPartitions: -1 }]), RangeError, /numPartitions/],
      [
        () => admin.createTopics([{ topic: "t", replicationFactor: 0 }]),
        RangeError,
        /replicationFactor/,
      ],
      [
        () => admin.createTopics([{ topic: "t", replicationFactor: 1.5 }]),
        RangeError,
        /topics\[0\]\.replicationFactor/,
      ],
      [
        () =>
          admin.createTopics([{
            topic: "t",
            numPartitions: 1,
            replicaAssignments: [{ partition: 0, replicas: [1] }],
          }]),
        TypeError,
        /replicaAssignments/,
      ],
      [
        () =>
          admin.createTopics([{
            topic: "t",
            replicaAssignments: [{ partition: 0, replicas: [] }],
          }]),
        RangeError,
        /replicaAssignments\[0\]\.replicas/,
      ],
      [
        () =>
          admin.createTopics([{
            topic: "t",
            configEntries: [{ configName: "", configValue: "1" }],
          }]),
        TypeError,
        /configEntries\[0\]\.configName/,
      ],
      [
        () => admin.createTopics([{ topic: "a" }, { topic: "a" }]),
        TypeError,
        /topics\[1\] repeats/,
      ],
      [() => admin.createTopics("t" as never), TypeError, /topics must be an array/],
      [() => admin.deleteTopics([""]), TypeError, /topics\[0\]/],
      [() => admin.deleteTopics([{ topicId: "short" }]), TypeError, /topics\[0\]\.topicId/],
      [() => admin.deleteTopics([{ topicId: "AAAAAAAAAAAAAAAAAAAAAA" }]), TypeError, /zero id/],
      [() => admin.describeTopics(["ok", ""]), TypeError, /topics\[1\]/],
      [() => admin.describeTopics(["a", "a"]), TypeError, /topics\[1\] repeats/],
      [() => admin.createPartitions([{ topic: "t", count: 0 }]), RangeError, /topics\[0\]\.count/],
      [() => admin.createPartitions([{ topic: "", count: 2 }]), TypeError, /topics\[0\]\.topic/],
      [
        () => admin.createPartitions([{ topic: "t", count: 2, assignments: [[-1]] }]),
        RangeError,
        /topics\[0\]\.assignments\[0\]\[0\]/,
      ],
    ];
    for (const [call, type, field] of cases) {
      await assert.rejects(call(), (e: Error) => {
        assert.ok(e instanceof type, `${field}: got ${e}`);
        assert.match(e.message, field);
        return true;
      });
    }
    // An empty list sends nothing and answers nothing.
    assert.deepEqual(await admin.createTopics([]), []);
    assert.deepEqual(await admin.deleteTopics([]), []);
  });

  test("kafka-go's Conn.createTopics still takes the same TopicConfig", async () => {
    await using conn = await dial(broker());
    const topic = uniqueName("conn");
    await conn.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    await conn.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]); // exists: fine
    await assert.rejects(conn.createTopics([{ topic, numPartitions: 0 }]), RangeError);
    await using admin = adminClient();
    await eventually(async () => {
      assert.equal((await admin.describeTopics([topic]))[0].partitions.length, 2);
    });
    await conn.deleteTopics([topic]);
  });
});
