// Bad Reader and ConsumerGroup configuration fails at construction with a TypeError or
// RangeError naming the field; nothing is dialed.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerGroup, Reader, ReaderClosedError, type ReaderConfig } from "../../../mod.ts";

const ok: ReaderConfig = { brokers: ["127.0.0.1:1"], topic: "t" };

describe("Reader configuration", () => {
  const bad: [string, Partial<ReaderConfig> & Record<string, unknown>, RegExp][] = [
    ["no brokers", { brokers: [] }, /brokers/],
    ["empty topic", { topic: "" }, /topic/],
    ["partition with groupId", { groupId: "g", partition: 1 }, /partition cannot be set/],
    ["topic and groupTopics", { groupId: "g", groupTopics: ["x"] }, /either topic or groupTopics/],
    ["groupTopics without groupId", { groupTopics: ["x"] }, /groupTopics needs groupId/],
    ["empty groupId", { groupId: "" }, /groupId/],
    ["negative partition", { partition: -1 }, /partition/],
    ["startOffset", { startOffset: 5 }, /startOffset/],
    ["minBytes > maxBytes", { minBytes: 10, maxBytes: 5 }, /minBytes/],
    ["maxBytes", { maxBytes: 0 }, /maxBytes/],
    ["maxWait", { maxWait: -1 }, /maxWait/],
    ["queueCapacity", { queueCapacity: 0 }, /queueCapacity/],
    ["commitInterval", { commitInterval: 1.5 }, /commitInterval/],
    ["sessionTimeout", { groupId: "g", sessionTimeout: 0 }, /sessionTimeout/],
    ["heartbeatInterval", { heartbeatInterval: 0 }, /heartbeatInterval/],
    ["maxAttempts", { maxAttempts: 0 }, /maxAttempts/],
    ["isolationLevel", { isolationLevel: "dirty" as never }, /isolationLevel/],
    ["groupProtocol", { groupId: "g", groupProtocol: "v3" as never }, /groupProtocol/],
    ["groupBalancers", { groupId: "g", groupBalancers: [{}] as never }, /groupBalancers/],
  ];
  // A reader over explicit partitions (no topic in the base config).
  const one = [{ topic: "t", partition: 0 }];
  const badPartitions: [string, Record<string, unknown>, RegExp][] = [
    [
      "partitions with topic",
      { topic: "t", partitions: one },
      /^TypeError: topic cannot be set with partitions/,
    ],
    [
      "partitions with partition",
      { partition: 1, partitions: one },
      /partition cannot be set with partitions/,
    ],
    [
      "partitions with groupId",
      { groupId: "g", partitions: one },
      /groupId cannot be set with partitions/,
    ],
    [
      "partitions with groupTopics",
      { groupTopics: ["t"], partitions: one },
      /groupTopics cannot be set/,
    ],
    ["partitions not an array", { partitions: "t" }, /partitions must be an array/],
    ["no partitions", { partitions: [] }, /at least one partition/],
    ["partition without topic", { partitions: [{ partition: 0 }] }, /partitions\[0\]\.topic/],
    [
      "negative partition in partitions",
      { partitions: [{ topic: "t", partition: -1 }] },
      /partitions\[0\]\.partition/,
    ],
    [
      "repeated partition",
      { partitions: [...one, { topic: "u", partition: 0 }, ...one] },
      /partitions\[2\] repeats t\/0/,
    ],
    [
      "bad offset",
      { partitions: [{ topic: "t", partition: 0, offset: -3 }] },
      /partitions\[0\]\.offset/,
    ],
  ];
  for (const [name, patch, message] of badPartitions) {
    test(name, () => {
      assert.throws(
        () => new Reader({ brokers: ok.brokers, ...patch } as ReaderConfig),
        (e: unknown) =>
          (e instanceof TypeError || e instanceof RangeError) && message.test(String(e)),
      );
    });
  }
  for (const [name, patch, message] of bad) {
    test(name, () => {
      assert.throws(
        () => new Reader({ ...ok, ...patch }),
        (e: unknown) =>
          (e instanceof TypeError || e instanceof RangeError) && message.test(String(e)),
      );
    });
  }

  test("partition-only calls refuse in a group, group-only calls refuse without one", async () => {
    const group = new Reader({ ...ok, groupId: "g" });
    assert.throws(
      () => group.setOffset(0),
      /unavailable when the reader is part of a consumer group/,
    );
    assert.throws(() => group.lag, /unavailable/);
    await assert.rejects(group.readLag(), /unavailable/);
    await assert.rejects(group.setOffsetAt(new Date()), /unavailable/);
    await group.close();
    const single = new Reader(ok);
    await assert.rejects(single.commitMessages([]), /only available with groupId/);
    assert.throws(() => single.setOffset(-7), RangeError);
    const pending = assert.rejects(single.readMessage(), ReaderClosedError, "a waiting read ends");
    await single.close();
    await pending;
    await assert.rejects(single.readMessage(), ReaderClosedError);
  });

  test("a reader over partitions: no single-partition calls, pause only what it reads", async () => {
    const r = new Reader({
      brokers: ok.brokers,
      partitions: [{ topic: "t", partition: 0 }, { topic: "u", partition: 3, offset: 7 }],
    });
    try {
      assert.deepEqual(r.assignments, [{ topic: "t", partition: 0 }, { topic: "u", partition: 3 }]);
      assert.deepEqual([r.stats().topic, r.stats().partition], ["t,u", ""]);
      assert.throws(() => r.setOffset(0), /unavailable on a reader over several partitions/);
      assert.throws(() => r.offset, /unavailable on a reader over several partitions/);
      await assert.rejects(r.commitMessages([]), /only available with groupId/);
      assert.throws(
        () => r.pause([{ topic: "t", partition: 1 }]),
        /pause: partitions\[0\] \(t\/1\) is not read by this reader/,
      );
      assert.throws(() => r.pause([{ topic: "", partition: 0 }]), /partitions\[0\]\.topic/);
      r.pause([{ topic: "u", partition: 3 }]);
      assert.deepEqual(r.paused(), [{ topic: "u", partition: 3 }]);
      r.resume([{ topic: "u", partition: 3 }]);
      assert.deepEqual(r.paused(), []);
    } finally {
      await r.close();
    }
    assert.throws(() => r.pause([]), ReaderClosedError);
  });
});

describe("ConsumerGroup configuration", () => {
  const base = { id: "g", brokers: ["127.0.0.1:1"], topics: ["t"] };
  for (
    const [name, patch, message] of [
      ["id", { id: "" }, /id must be/],
      ["topics", { topics: [] }, /topics/],
      ["brokers", { brokers: [] }, /brokers/],
      ["startOffset", { startOffset: 3 }, /startOffset/],
      ["rebalanceTimeout", { rebalanceTimeout: -5 }, /rebalanceTimeout/],
    ] as const
  ) {
    test(name, () => {
      assert.throws(
        () => new ConsumerGroup({ ...base, ...patch }),
        (e: unknown) =>
          (e instanceof TypeError || e instanceof RangeError) && message.test(String(e)),
      );
    });
  }
});
