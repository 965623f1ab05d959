// The admin client's record and offset operations against the harness broker, on messages
// written by the Writer with known timestamps.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, KafkaError, throwIfFailed, Writer } from "../../../mod.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { adminClient, uniqueName } from "./_admin.ts";

/** An hour ago, to the second: timestamps well apart from the broker's clock. */
const BASE = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

/** Creates `topic` and writes `count` messages to each partition, the i-th at BASE + i s. */
async function topicWithMessages(
  admin: Client,
  topic: string,
  partitions: number,
  count: number,
): Promise<void> {
  throwIfFailed(await admin.createTopics([{ topic, numPartitions: partitions }]));
  await using writer = new Writer({
    brokers: kafkaEnv("KAFKA_BROKERS").split(","),
    topic,
  });
  for (let p = 0; p < partitions; p++) {
    await writer.writeMessages(Array.from({ length: count }, (_, i) => ({
      partition: p,
      value: `p${p}-m${i}`,
      time: new Date(BASE + i * 1000),
    })));
  }
}

/** Asserts `error` is the KafkaError `name`, naming the partition. */
function assertPartitionError(
  error: Error | undefined,
  name: string,
  topic: string,
  partition: number,
): void {
  assert.ok(error instanceof KafkaError, `expected ${name}, got ${error}`);
  assert.equal(error.errorName, name);
  assert.equal(error.context.topic, topic);
  assert.equal(error.context.partition, partition);
}

describe(`admin: records and offsets (${RUNTIME})`, () => {
  test("listOffsets by time and position; a missing partition fails alone", async () => {
    await using admin = adminClient();
    const topic = uniqueName("offsets");
    await topicWithMessages(admin, topic, 2, 5);
    try {
      type Spec = Parameters<Client["listOffsets"]>[0][0]["spec"];
      // A partition appears once per call: one call per spec, and both partitions in each.
      const asked = async (spec: Spec) => {
        const both = await admin.listOffsets([
          { topic, partition: 0, spec },
          { topic, partition: 1, spec },
        ]);
        return both.map((r) => {
          assert.equal(r.error, undefined, String(r.error));
          return [r.partition, r.offset, r.timestamp];
        });
      };
      assert.deepEqual(await asked("earliest"), [[0, 0, -1], [1, 0, -1]]);
      assert.deepEqual(await asked("latest"), [[0, 5, -1], [1, 5, -1]]);
      // The record at that time; the first one after it; none that late; before all of them.
      assert.deepEqual(await asked({ timestamp: BASE + 2000 }), [[0, 2, BASE + 2000], [
        1,
        2,
        BASE + 2000,
      ]]);
      assert.deepEqual(await asked({ timestamp: new Date(BASE + 2500) }), [[0, 3, BASE + 3000], [
        1,
        3,
        BASE + 3000,
      ]]);
      assert.deepEqual(await asked({ timestamp: BASE + 60_000 }), [[0, -1, -1], [1, -1, -1]]);
      assert.deepEqual(await asked({ timestamp: 0 }), [[0, 0, BASE], [1, 0, BASE]]);
      // The record with the largest timestamp.
      assert.deepEqual(await asked("max-timestamp"), [[0, 4, BASE + 4000], [1, 4, BASE + 4000]]);

      const [good, missing] = await admin.listOffsets([
        { topic, partition: 1, spec: { timestamp: BASE + 1000 } },
        { topic, partition: 9, spec: "latest" },
      ], { isolationLevel: "read_committed" });
      assert.equal(good.error, undefined);
      assert.equal(good.offset, 1);
      assert.ok(good.leaderEpoch >= 0);
      assertPartitionError(missing.error, "UNKNOWN_TOPIC_OR_PARTITION", topic, 9);
      assert.equal(missing.offset, -1);
    } finally {
      await admin.deleteTopics([topic]);
    }
  });

  test("deleteRecords moves the low watermark; listOffsets earliest follows it", async () => {
    await using admin = adminClient();
    const topic = uniqueName("delete-records");
    await topicWithMessages(admin, topic, 2, 5);
    try {
      const results = await admin.deleteRecords([
        { topic, partition: 0, offset: 3 },
        { topic, partition: 1, offset: 50 }, // past the end
      ]);
      assert.deepEqual(results[0], { topic, partition: 0, lowWatermark: 3 });
      assertPartitionError(results[1].error, "OFFSET_OUT_OF_RANGE", topic, 1);
      const [earliest0, earliest1] = throwIfFailed(
        await admin.listOffsets([{ topic, partition: 0, spec: "earliest" }, {
          topic,
          partition: 1,
          spec: "earliest",
        }]),
      );
      assert.equal(earliest0.offset, 3);
      assert.equal(earliest1.offset, 0);

      // -1 deletes everything up to the high watermark.
      const [all] = throwIfFailed(await admin.deleteRecords([{ topic, partition: 1, offset: -1 }]));
      assert.equal(all.lowWatermark, 5);
      const [after] = await admin.listOffsets([{ topic, partition: 1, spec: "earliest" }]);
      assert.equal(after.offset, 5);
    } finally {
      await admin.deleteTopics([topic]);
    }
  });

  test("offsetsForLeaderEpoch gives the end offset of the leader's epoch", async () => {
    await using admin = adminClient();
    const topic = uniqueName("epoch");
    await topicWithMessages(admin, topic, 1, 4);
    try {
      const [d] = await admin.describeTopics([topic]);
      const epoch = d.partitions[0].leaderEpoch;
      const [latest] = await admin.listOffsets([{ topic, partition: 0, spec: "latest" }]);
      const results = await admin.offsetsForLeaderEpoch([
        { topic, partition: 0, leaderEpoch: epoch },
        { topic, partition: 3, leaderEpoch: 0 },
      ]);
      // The current epoch ends at the log end.
      assert.deepEqual(results[0], {
        topic,
        partition: 0,
        leaderEpoch: epoch,
        endOffset: latest.offset,
      });
      assert.equal(latest.offset, 4);
      assertPartitionError(results[1].error, "UNKNOWN_TOPIC_OR_PARTITION", topic, 3);
    } finally {
      await admin.deleteTopics([topic]);
    }
  });

  test("bad input is a TypeError or RangeError naming the field, before anything is sent", async () => {
    // Nothing listens on port 1: a call that sent anything would time out instead.
    await using admin = new Client({ brokers: ["127.0.0.1:1"], timeout: 2_000 });
    const p = { topic: "t", partition: 0 };
    const cases: [() => Promise<unknown>, ErrorConstructor, RegExp][] = [
      [
        () => admin.listOffsets([{ ...p, spec: "first" as never }]),
        TypeError,
        /partitions\[0\]\.spec/,
      ],
      [() => admin.listOffsets([{ ...p, spec: { timestamp: -5 } }]), RangeError, /spec\.timestamp/],
      [
        () => admin.listOffsets([{ ...p, spec: { timestamp: new Date(NaN) } }]),
        RangeError,
        /spec\.timestamp/,
      ],
      [
        () => admin.listOffsets([{ ...p, partition: -1, spec: "latest" }]),
        RangeError,
        /partitions\[0\]\.partition/,
      ],
      [
        () => admin.listOffsets([{ ...p, topic: "", spec: "latest" }]),
        TypeError,
        /partitions\[0\]\.topic/,
      ],
      [
        () => admin.listOffsets([{ ...p, spec: "latest" }, { ...p, spec: "earliest" }]),
        TypeError,
        /partitions\[1\] repeats/,
      ],
      [
        () =>
          admin.listOffsets([{ ...p, spec: "latest" }], { isolationLevel: "committed" as never }),
        TypeError,
        /isolationLevel/,
      ],
      [() => admin.deleteRecords([{ ...p, offset: 1.5 }]), RangeError, /partitions\[0\]\.offset/],
      [() => admin.deleteRecords([{ ...p, offset: -2 }]), RangeError, /partitions\[0\]\.offset/],
      [
        () => admin.deleteRecords([{ ...p, offset: "3" as never }]),
        RangeError,
        /partitions\[0\]\.offset/,
      ],
      [() => admin.offsetsForLeaderEpoch([{ ...p, leaderEpoch: -1 }]), RangeError, /leaderEpoch/],
      [() => admin.offsetsForLeaderEpoch(null as never), TypeError, /partitions must be an array/],
    ];
    for (const [call, type, field] of cases) {
      await assert.rejects(call(), (e: Error) => {
        assert.ok(e instanceof type, `${field}: got ${e}`);
        assert.match(e.message, field);
        return true;
      });
    }
  });
});
