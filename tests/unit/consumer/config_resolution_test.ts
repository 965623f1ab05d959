// ReaderConfig and ConsumerGroupConfig resolution: pure functions, no socket. Unknown names
// are refused with the name, connection and cluster options go to the core, a shared core
// takes none of them.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cluster } from "../../../src/cluster/cluster.ts";
import { resolveGroupConfig } from "../../../src/consumer/_group_config.ts";
import { resolveReaderConfig } from "../../../src/consumer/_reader_config.ts";
import type { ConsumerGroupConfig, ReaderConfig } from "../../../mod.ts";
import { FirstOffset, LastOffset } from "../../../mod.ts";

const reader = (patch: Record<string, unknown>) =>
  resolveReaderConfig({ brokers: "127.0.0.1:1", topic: "t", ...patch } as ReaderConfig);
const group = (patch: Record<string, unknown>) =>
  resolveGroupConfig(
    { id: "g", brokers: "127.0.0.1:1", topics: ["t"], ...patch } as ConsumerGroupConfig,
  );

/** A TypeError whose message names `name`. */
const naming = (name: string) => (e: unknown) =>
  e instanceof TypeError && e.message.includes(`"${name}"`);

describe("resolveReaderConfig", () => {
  test("defaults", () => {
    const c = reader({});
    assert.deepEqual(c.cluster, { brokers: ["127.0.0.1:1"], requestTimeout: 10_500 });
    assert.equal(c.topic, "t");
    assert.equal(c.partition, 0);
    assert.equal(c.startOffset, FirstOffset);
    assert.equal(c.maxWait, 500);
    assert.equal(c.queueCapacity, 100);
    assert.equal(c.commitInterval, 0);
    assert.equal(c.maxAttempts, 3);
    assert.equal(c.readCommitted, false);
    assert.equal(c.groupProtocol, "classic");
    assert.deepEqual(c.groupBalancers.map((b) => b.protocolName), ["range", "roundrobin"]);
    assert.equal(c.partitionWatchInterval, undefined);
    assert.deepEqual(c.topics, []);
  });

  test("misspelt options are a TypeError naming them", () => {
    assert.throws(() => reader({ groupID: "g" }), naming("groupID"));
    assert.throws(() => reader({ groupID: "g" }), /did you mean "groupId"/);
    assert.throws(() => reader({ commitIntervall: 5 }), naming("commitIntervall"));
    assert.throws(() => reader({ brokerz: "a:1" }), naming("brokerz"));
  });

  test("connection and cluster options are known and go to the core", () => {
    const core = {
      clientId: "me",
      connectTimeout: 1_000,
      requestTimeout: 2_000,
      maxResponseSize: 1 << 20,
      keepAlive: false,
      tls: { rejectUnauthorized: true },
      connect: () => Promise.reject(new Error("unused")),
      sasl: { mechanism: "PLAIN", username: "u", password: "p" },
      metadataMaxAge: 60_000,
      idleTimeout: 30_000,
      deadBrokerBackoff: 500,
      allowAutoTopicCreation: true,
      log: { log() {} },
      telemetry: { api: {} },
    };
    assert.deepEqual(reader(core).cluster, { ...core, brokers: ["127.0.0.1:1"] });
    assert.deepEqual(group(core).cluster, { ...core, brokers: ["127.0.0.1:1"] });
  });

  test("brokers are parsed: comma-separated strings, each checked", () => {
    assert.deepEqual(
      (reader({ brokers: ["a:1,b:2", " c:3 "] }).cluster as { brokers: string[] }).brokers,
      ["a:1", "b:2", "c:3"],
    );
    assert.throws(() => reader({ brokers: "nope" }), /brokers: invalid broker address "nope"/);
    assert.throws(() => reader({ brokers: undefined }), /brokers must be host:port strings/);
  });

  test("a shared cluster is taken as is, without brokers or connection options", async () => {
    const cluster = new Cluster({ brokers: "127.0.0.1:1" });
    try {
      assert.equal(reader({ brokers: undefined, cluster }).cluster, cluster);
      assert.equal(group({ brokers: undefined, cluster }).cluster, cluster);
      assert.throws(() => reader({ cluster }), /brokers cannot be set with cluster/);
      assert.throws(
        () => reader({ brokers: undefined, cluster, clientId: "x" }),
        /clientId cannot be set with cluster/,
      );
      assert.throws(() => reader({ brokers: undefined, cluster: {} }), /cluster must be a Cluster/);
    } finally {
      await cluster.close();
    }
  });

  test("group readers", () => {
    const c = reader({
      topic: undefined,
      groupId: "g",
      groupTopics: ["a", "b"],
      watchPartitionChanges: true,
      startOffset: LastOffset,
      isolationLevel: "read_committed",
    });
    assert.equal(c.topic, undefined);
    assert.deepEqual(c.topics, ["a", "b"]);
    assert.equal(c.partitionWatchInterval, 5_000);
    assert.equal(c.startOffset, LastOffset);
    assert.equal(c.readCommitted, true);
    assert.deepEqual(reader({ groupId: "g" }).topics, ["t"]);
  });
});

describe("resolveGroupConfig", () => {
  test("defaults", () => {
    const c = group({});
    assert.deepEqual(c.cluster, { brokers: ["127.0.0.1:1"] });
    assert.equal(c.id, "g");
    assert.deepEqual(c.topics, ["t"]);
    assert.equal(c.startOffset, FirstOffset);
    assert.equal(c.sessionTimeout, 30_000);
    assert.equal(c.heartbeatInterval, 3_000);
    assert.equal(c.joinGroupBackoff, 5_000);
    assert.equal(c.retentionTime, -1);
    assert.equal(c.closeTimeout, 5_000);
  });

  test("misspelt options are a TypeError naming them", () => {
    assert.throws(() => group({ groupId: "g" }), naming("groupId"));
    assert.throws(() => group({ sessionTimout: 1 }), naming("sessionTimout"));
  });

  test("bad values name the field", () => {
    assert.throws(() => group({ topics: [""] }), /topics/);
    assert.throws(() => group({ groupProtocol: "v2" }), /groupProtocol/);
    assert.throws(() => group({ groupBalancers: [] }), /groupBalancers/);
    assert.throws(() => group({ heartbeatInterval: 0 }), RangeError);
    assert.throws(() => group({ closeTimeout: -1 }), /closeTimeout/);
    assert.equal(group({ closeTimeout: 0 }).closeTimeout, 0);
  });
});

describe("ReaderConfig topics", () => {
  test("groupTopics must be an array of names; a string is not spread into letters", () => {
    for (const groupTopics of ["events", [""], [5], null]) {
      assert.throws(
        // deno-lint-ignore no-explicit-any
        () => resolveReaderConfig({ brokers: "a:1", groupId: "g", groupTopics } as any),
        /groupTopics must be an array of non-empty topic names/,
      );
    }
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => resolveReaderConfig({ brokers: "a:1", groupId: "g", topic: 5 } as any),
      /topic must be a non-empty string/,
    );
  });
});
