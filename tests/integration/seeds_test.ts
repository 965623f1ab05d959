// The examples of the documents kafkit was made from (../shared/seeds: kafka-go's README and
// iterator sketch, confluent-kafka-go's README), translated to kafkit and run as written
// against the real broker: a user porting them should find they behave as documented.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  DEFAULT_CLIENT_ID,
  type DeliveryReport,
  Dialer,
  dialLeader,
  LeastBytes,
  mergeIterators,
  type Message,
  Reader,
  Writer,
} from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { readTopic } from "../_read_topic.ts";
import { waitFor } from "../_eventually.ts";

const dec = new TextDecoder();
const text = (b: Uint8Array | null | undefined) => (b ? dec.decode(b) : "");
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const address = () => brokers()[0];
const unique = (name: string) => `kafkit-seeds-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

describe(`seed examples (${RUNTIME})`, () => {
  const admin = new Client({ brokers: brokers() });
  after(() => admin.close());

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    const [r] = await admin.createTopics([{ topic, numPartitions, replicationFactor: 1 }]);
    assert.equal(r.error, undefined, String(r.error));
  }

  /** Writes `count` messages `m-0`… to partition 0 of `topic`. */
  async function fill(topic: string, count: number): Promise<void> {
    await using w = new Writer({ brokers: brokers(), topic, batchTimeout: 1 });
    await w.writeMessages(
      Array.from({ length: count }, (_, i) => ({ partition: 0, value: `m-${i}` })),
    );
  }

  test("kafka-go README, Conn: DialLeader to a topic that does not exist yet, write three, ReadBatch them back", async () => {
    const topic = unique("conn"); // kafka-go's Dialer lets the broker create it, as kafkit's
    {
      await using conn = await dialLeader(address(), topic, 0);
      const written = await conn.writeMessages(
        [{ value: "one!" }, { value: "two!" }, { value: "three!" }],
        { timeout: 10_000 }, // SetWriteDeadline(now + 10 s)
      );
      assert.ok(written > 0);
    }
    await using conn = await dialLeader(address(), topic, 0);
    // ReadBatch(10e3, 1e6): fetch 10 KB min, 1 MB max. Three small messages never make 10 KB,
    // so the broker answers when its wait (80% of the deadline) is over: a 2 s deadline here
    // instead of the README's 10 s keeps the test short.
    const batch = await conn.readBatch(10e3, 1e6, { timeout: 2_000 });
    const b = new Uint8Array(10e3); // 10 KB max per message
    const values: string[] = [];
    for (;;) {
      const n = await batch.read(b);
      if (n === null) break;
      values.push(dec.decode(b.subarray(0, n)));
    }
    await batch.close();
    assert.deepEqual(values, ["one!", "two!", "three!"]);
  });

  test("kafka-go README, Reader: one partition from setOffset(42)", async () => {
    const topic = unique("offset42");
    await createTopic(topic, 1);
    await fill(topic, 50);
    await using r = new Reader({
      brokers: brokers(),
      topic,
      partition: 0,
      minBytes: 10e3, // 10KB
      maxBytes: 10e6, // 10MB
      maxWait: 200,
    });
    r.setOffset(42);
    const got: Message[] = [];
    while (got.length < 8) got.push(await r.readMessage({ signal: AbortSignal.timeout(15_000) }));
    assert.deepEqual(got.map((m) => m.offset), [42, 43, 44, 45, 46, 47, 48, 49]);
    assert.deepEqual(got.map((m) => text(m.value)), got.map((m) => `m-${m.offset}`));
    assert.equal(r.offset, 50);
  });

  test("kafka-go README, group Reader: offsets committed as read, a restarted member goes on after them", async () => {
    const topic = unique("group");
    const groupId = unique("group-g");
    await createTopic(topic, 1);
    await fill(topic, 6);
    const config = { brokers: brokers(), groupId, topic, maxWait: 200 };
    {
      await using r = new Reader(config);
      const first = [];
      for (let i = 0; i < 4; i++) first.push(await r.readMessage());
      assert.deepEqual(first.map((m) => m.offset), [0, 1, 2, 3]);
    } // close() commits what was read and leaves the group
    await using r = new Reader(config);
    const rest = [await r.readMessage(), await r.readMessage()];
    assert.deepEqual(rest.map((m) => text(m.value)), ["m-4", "m-5"]);
  });

  test("kafka-go README, explicit commits: FetchMessage, then CommitMessages", async () => {
    const topic = unique("commit");
    const groupId = unique("commit-g");
    await createTopic(topic, 1);
    await fill(topic, 5);
    await using r = new Reader({ brokers: brokers(), groupId, topic, maxWait: 200 });
    const fetched = [];
    for (let i = 0; i < 3; i++) fetched.push(await r.fetchMessage());
    // Nothing is committed before commitMessages.
    let [g] = await admin.fetchOffsets([{ groupId }]);
    assert.equal(g.offsets.find((o) => o.topic === topic)?.offset ?? -1, -1);
    await r.commitMessages(fetched);
    [g] = await admin.fetchOffsets([{ groupId }]);
    const committed = g.offsets.find((o) => o.topic === topic && o.partition === 0);
    assert.equal(committed?.offset, 3, "the offset after the last message committed");
  });

  test("kafka-go README, Writer: LeastBytes to a topic that does not exist yet (the broker creates it)", async () => {
    const topic = unique("writer-new");
    const errors: string[] = [];
    const w = new Writer({
      brokers: brokers(),
      topic,
      balancer: new LeastBytes(),
      errorLogger: (m) => errors.push(m),
    });
    await w.writeMessages([
      { key: "Key-A", value: "Hello World!" },
      { key: "Key-B", value: "One!" },
      { key: "Key-C", value: "Two!" },
    ]);
    await w.close();
    const read = await readTopic(address(), topic, 3);
    assert.deepEqual(read.map((m) => text(m.value)).sort(), ["Hello World!", "One!", "Two!"]);
    // The only lookups that can fail are those of the topic being created (no leader yet).
    for (const line of errors) assert.match(line, /looking up a topic failed/);
  });

  test("allowAutoTopicCreation: false fails with UNKNOWN_TOPIC_OR_PARTITION, each failed lookup logged", async () => {
    const topic = unique("no-auto");
    const errors: string[] = [];
    await using w = new Writer({
      brokers: brokers(),
      topic,
      allowAutoTopicCreation: false,
      writeTimeout: 1_000,
      deliveryTimeout: 1_500,
      errorLogger: (m) => errors.push(m),
    });
    const [report] = await w.deliver([{ value: "lost" }]);
    assert.ok(report.error, "the message failed");
    assert.match(String(report.error.cause ?? report.error), /UNKNOWN_TOPIC_OR_PARTITION/);
    assert.equal(report.offset, -1);
    assert.ok(
      errors.some((m) => m.includes("retrying") && m.includes("attempt=1")),
      errors.join("\n"),
    );
    assert.ok(
      errors.some((m) => m.includes("failing its messages") && m.includes("messages=1")),
      errors.join("\n"),
    );
    const [t] = await admin.describeTopics([topic]);
    assert.ok(t.error, "the topic was not created");
  });

  test("on a shared core only the Writer's lookups create topics; acks 0 reports offset -1", async () => {
    const written = unique("shared-writer");
    const wanted = unique("shared-reader");
    const cluster = new Cluster({ brokers: brokers() });
    try {
      await using w = new Writer({ cluster, topic: written, requiredAcks: 0 });
      const [report] = await w.deliver([{ value: "x" }]);
      assert.equal(report.error, undefined);
      assert.equal(report.offset, -1, "acks 0: the broker tells no offset");
      assert.equal(report.partition, 0);
      // A lookup of the core's own (a Reader's) for a missing topic creates nothing.
      await assert.rejects(cluster.topic(wanted), /UNKNOWN_TOPIC_OR_PARTITION/);
    } finally {
      await cluster.close();
    }
    const [a, b] = await admin.describeTopics([written, wanted]);
    assert.equal(a.error, undefined);
    assert.ok(b.error, `${wanted} was not created`);
  });

  test("iterator sketch: three partition readers merged into one stream", async () => {
    const topic = unique("merge");
    await createTopic(topic, 3);
    {
      await using w = new Writer({ brokers: brokers(), topic, batchTimeout: 1 });
      await w.writeMessages(
        Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `v-${i}` })),
      );
    }
    const readers = [0, 1, 2].map((partition) =>
      new Reader({ brokers: brokers(), topic, partition, maxWait: 200 })
    );
    const seen: Message[] = [];
    try {
      for await (const m of mergeIterators(...readers)) {
        seen.push(m);
        if (seen.length === 30) break;
      }
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
    assert.deepEqual(
      seen.map((m) => text(m.value)).sort(),
      [...Array(30).keys()].map((i) => `v-${i}`).sort(),
    );
    for (const p of [0, 1, 2]) {
      const offsets = seen.filter((m) => m.partition === p).map((m) => m.offset);
      assert.deepEqual(offsets, [...Array(10).keys()], `partition ${p} in order`);
    }
  });

  test("confluent-kafka-go, delivery reports: each message's partition and offset, to completion and from deliver()", async () => {
    const topic = unique("reports");
    await createTopic(topic, 3);
    const reported: DeliveryReport[] = [];
    await using w = new Writer({
      brokers: brokers(),
      topic,
      batchTimeout: 1,
      completion: (messages, error, reports) => {
        assert.equal(reports.length, messages.length);
        reports.forEach((r, i) => assert.equal(r.message, messages[i]));
        assert.equal(error, reports[0].error);
        reported.push(...reports);
      },
    });
    const messages = Array.from({ length: 12 }, (_, i) => ({ value: `d-${i}` }));
    await w.writeMessages(messages.slice(0, 6));
    const results = await w.deliver([...messages.slice(6), { value: "bad", partition: 7 }]);
    assert.equal(reported.length, 13);
    assert.equal(results.length, 7);
    // The failure: its own report, offset -1, the others still written.
    const bad = results[6];
    assert.ok(bad.error instanceof RangeError);
    assert.equal(bad.offset, -1);
    for (const r of results.slice(0, 6)) assert.equal(r.error, undefined);
    results.forEach((r, i) => assert.equal(r.message, [...messages.slice(6), bad.message][i]));
    // Every written message's report says where it is: the broker has that value there.
    const read = await readTopic(address(), topic, 12);
    const at = new Map(read.map((m) => [`${m.partition}/${m.offset}`, text(m.value)]));
    const good = reported.filter((r) => !r.error);
    assert.equal(good.length, 12);
    for (const r of good) {
      assert.equal(r.topic, topic);
      assert.equal(at.get(`${r.partition}/${r.offset}`), String(r.message.value));
    }
    assert.equal(new Set(good.map((r) => `${r.partition}/${r.offset}`)).size, 12);
  });

  test("confluent-kafka-go, partition EOF events: reaching the end of each partition is reported", async () => {
    const topic = unique("eof");
    await createTopic(topic, 2);
    {
      await using w = new Writer({ brokers: brokers(), topic });
      await w.writeMessages([
        { partition: 0, value: "a" },
        { partition: 0, value: "b" },
        { partition: 1, value: "c" },
      ]);
    }
    const eof = new Map<number, number>();
    const readers = [0, 1].map((partition) =>
      new Reader({
        brokers: brokers(),
        topic,
        partition,
        maxWait: 200,
        onPartitionEof: (tp, offset) => eof.set(tp.partition, offset),
      })
    );
    try {
      const values = [];
      for await (const m of mergeIterators(...readers)) {
        values.push(text(m.value));
        if (values.length === 3) break;
      }
      assert.deepEqual(values.sort(), ["a", "b", "c"]);
      await waitFor("an EOF event per partition", () => eof.size === 2, 10_000);
      assert.deepEqual([...eof].sort(), [[0, 2], [1, 1]]);
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  });

  test("one Dialer shared by a Writer, a group Reader and the admin client: its client id, dials in stats", async () => {
    const topic = unique("dialer");
    const groupId = unique("dialer-g");
    const clientId = unique("dialer-client");
    const dialer = new Dialer({ clientId, connectTimeout: 5_000 });
    assert.throws(
      () => new Writer({ brokers: brokers(), topic, dialer, clientId: "other" }),
      /clientId is the dialer's/,
    );
    await using w = new Writer({ brokers: brokers(), topic, dialer });
    await w.writeMessages([{ value: "via the dialer" }]);
    const ws = w.stats();
    assert.ok(ws.dials >= 1, `writer dials ${ws.dials}`);
    assert.equal(ws.dialTime.count, ws.dials);
    assert.equal(ws.timeouts, 0);
    assert.equal(ws.queueLength, 0);
    assert.equal(ws.clientId, clientId);
    await using r = new Reader({ brokers: brokers(), groupId, topic, dialer });
    assert.equal(text((await r.readMessage()).value), "via the dialer");
    const rs = r.stats();
    assert.ok(rs.dials >= 1, `reader dials ${rs.dials}`);
    assert.equal(rs.clientId, clientId);
    await using a = new Client({ brokers: brokers(), dialer });
    const [g] = await a.describeGroups([groupId]);
    assert.deepEqual(g.members.map((m) => m.clientId), [clientId]);
    await using plain = new Writer({ brokers: brokers(), topic });
    assert.equal(plain.stats().clientId, DEFAULT_CLIENT_ID);
  });
});
