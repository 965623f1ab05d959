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
    assert.equal(group.lag, -1, "kafka-go's Lag() in a group");
    assert.equal(group.offset, -1, "kafka-go's Offset() in a group");
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
