import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  dial,
  FirstOffset,
  KafkaError,
  LastOffset,
  mergeIterators,
  type Message,
  Reader,
  Writer,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const uniqueTopic = (name: string) =>
  `kafkit-reader-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const text = (m: Message) => dec.decode(m.value!);

async function createTopic(topic: string, partitions = 1): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

async function produce(topic: string, values: string[], partition?: number): Promise<void> {
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(values.map((value, i) => ({ key: `k${i}`, value, partition })));
}

const range = (n: number, prefix = "m") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe(`Reader (${RUNTIME})`, () => {
  test("kafka-go README: a partition reader from offset 42", async () => {
    const topic = uniqueTopic("readme");
    await createTopic(topic);
    await produce(topic, range(50));
    await using r = new Reader({ brokers: brokers(), topic, partition: 0, maxBytes: 10e6 });
    r.setOffset(42);
    const seen: string[] = [];
    while (seen.length < 8) {
      const m = await r.readMessage();
      assert.equal(m.offset, 42 + seen.length);
      seen.push(`${m.offset}:${text(m)}`);
    }
    assert.deepEqual(seen, range(8).map((_, i) => `${42 + i}:m${42 + i}`));
    assert.equal(r.offset, 50);
    assert.equal(r.lag, 0);
    const stats = r.stats();
    assert.equal(stats.messages, 8);
    assert.ok(stats.fetches >= 1 && stats.fetchBytes.sum > 0);
    assert.equal(stats.bytes, 8 * 3 + 8 * 3); // keys "k42".."k49", values "m42".."m49"
    assert.deepEqual([stats.topic, stats.partition, stats.offset], [topic, "0", 50]);
    assert.equal(stats.totals.messages, 8);
    assert.equal(r.stats().messages, 0, "counters restart after each read");
    r.setOffset(0);
    await r.readMessage();
    const later = r.stats();
    assert.equal(later.messages, 1);
    assert.equal(later.totals.messages, 9, "the totals never reset");
    assert.equal(later.totals.bytes, stats.bytes + later.bytes);
  });

  test("for await, readable, setOffsetAt, LastOffset, lag against the broker", async () => {
    const topic = uniqueTopic("iter");
    await createTopic(topic);
    await produce(topic, range(10));
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await produce(topic, range(5, "late"));
    await using r = new Reader({ brokers: brokers(), topic, maxWait: 200 });
    const got: string[] = [];
    for await (const m of r) {
      got.push(text(m));
      if (got.length === 15) break;
    }
    assert.deepEqual(got, [...range(10), ...range(5, "late")]);
    await r.setOffsetAt(new Date(before));
    const reader = r.readable.getReader();
    assert.equal(text((await reader.read()).value!), "late0");
    reader.releaseLock();
    r.setOffset(FirstOffset);
    assert.equal((await r.readMessage()).offset, 0);
    assert.equal(await r.readLag(), 14);
  });

  test("startOffset LastOffset reads only new messages; onPartitionEof fires at the end", async () => {
    const topic = uniqueTopic("last");
    await createTopic(topic);
    await produce(topic, range(3));
    let atEnd!: () => void;
    const eof = new Promise<void>((resolve) => (atEnd = resolve));
    const eofs: number[] = [];
    await using r = new Reader({
      brokers: brokers(),
      topic,
      startOffset: LastOffset,
      maxWait: 100,
      onPartitionEof: (p, offset) => {
        assert.deepEqual(p, { topic, partition: 0 });
        eofs.push(offset);
        atEnd();
      },
    });
    const next = r.readMessage();
    await eof;
    await produce(topic, ["after"]);
    const m = await next;
    assert.equal(text(m), "after");
    assert.equal(m.offset, 3);
    assert.equal(eofs[0], 3);
    assert.equal(await r.readLag(), 0);
  });

  test("an offset below the log start resets to startOffset and is logged", async () => {
    const topic = uniqueTopic("range");
    await createTopic(topic);
    await produce(topic, range(3));
    {
      await using admin = new Client({ brokers: brokers() });
      const [deleted] = await admin.deleteRecords([{ topic, partition: 0, offset: 2 }]);
      assert.equal(deleted.lowWatermark, 2, String(deleted.error));
    }
    const logs: string[] = [];
    await using r = new Reader({
      brokers: brokers(),
      topic,
      maxWait: 100,
      logger: (m) => logs.push(m),
    });
    r.setOffset(0);
    assert.equal((await r.readMessage()).offset, 2, "the oldest offset left");
    assert.ok(logs.some((l) => l.includes("before the log start 2")), logs.join("\n"));
  });

  test("onError reports a missing topic while the reader waits; it reads once the topic exists", async () => {
    const topic = uniqueTopic("missing");
    const errors: unknown[] = [];
    await using r = new Reader({
      brokers: brokers(),
      topic,
      maxWait: 100,
      readBackoffMax: 200,
      onError: (e) => errors.push(e),
    });
    const next = r.readMessage();
    const deadline = Date.now() + 10_000;
    while (errors.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const first = errors[0];
    assert.ok(first instanceof KafkaError, String(first));
    assert.equal(first.errorName, "UNKNOWN_TOPIC_OR_PARTITION");
    assert.ok(first.retriable);
    await createTopic(topic);
    await produce(topic, ["finally"]);
    assert.equal(text(await next), "finally");
  });

  test("group reader: readMessage commits, a restart resumes after the last commit", async () => {
    const topic = uniqueTopic("group");
    const groupId = `${topic}-g`;
    await createTopic(topic, 3);
    await produce(topic, range(30));
    const first: string[] = [];
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic, heartbeatInterval: 500 });
      while (first.length < 20) first.push(text(await r.readMessage()));
      assert.equal(r.offset, -1, "no single offset in a group (kafka-go: -1)");
      assert.throws(() => r.setOffset(1), TypeError);
    }
    const rest: string[] = [];
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic, heartbeatInterval: 500 });
      while (rest.length < 10) rest.push(text(await r.readMessage()));
    }
    assert.deepEqual([...first, ...rest].sort(), range(30).sort());
  });

  test("fetchMessage + commitMessages; commitInterval flushes on close", async () => {
    const topic = uniqueTopic("explicit");
    const groupId = `${topic}-g`;
    await createTopic(topic);
    await produce(topic, range(10));
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic });
      const ms: Message[] = [];
      for (let i = 0; i < 6; i++) ms.push(await r.fetchMessage());
      await r.commitMessages(ms.slice(0, 4)); // 0..3 committed, 4 and 5 not
    }
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic, commitInterval: 60_000 });
      const m = await r.readMessage();
      assert.equal(m.offset, 4);
      assert.equal((await r.readMessage()).offset, 5);
    } // close flushes the interval commit of offset 5
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic });
      assert.equal((await r.fetchMessage()).offset, 6);
    }
  });

  test("fetchMessages/readMessages: a batch per call, in order, max respected, commits", async () => {
    const topic = uniqueTopic("batch");
    const groupId = `${topic}-g`;
    await createTopic(topic);
    await produce(topic, range(40));
    {
      await using r = new Reader({ brokers: brokers(), topic, maxWait: 200 });
      await assert.rejects(r.fetchMessages({ max: 0 }), RangeError);
      await assert.rejects(r.fetchMessages({ max: 1.5 }), /max must be an integer/);
      const first = await r.fetchMessages({ max: 7 });
      assert.equal(first.length, 7, "waits for the first message, then takes what is queued");
      const got = [...first];
      while (got.length < 40) {
        const batch = await r.fetchMessages();
        assert.ok(batch.length >= 1);
        got.push(...batch);
      }
      assert.deepEqual(got.map(text), range(40));
      assert.deepEqual(got.map((m) => m.offset), range(40).map((_, i) => i));
      assert.equal(r.offset, 40);
      assert.equal(r.stats().messages, 40);
      // Nothing queued: the wait ends with the signal.
      await assert.rejects(
        r.fetchMessages({ signal: AbortSignal.timeout(100) }),
        (e: Error) => e.name === "AbortError",
      );
    }
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic });
      let read = 0;
      while (read < 25) read += (await r.readMessages({ max: 25 - read })).length;
    } // each batch committed before it was returned
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic });
      const rest = await r.readMessages();
      assert.equal(rest[0].offset, 25, "a new member starts after the committed batches");
    }
  });

  test("mergeIterators reads several partition readers as one stream", async () => {
    const topic = uniqueTopic("merge");
    await createTopic(topic, 2);
    await produce(topic, range(3, "a"), 0);
    await produce(topic, range(3, "b"), 1);
    await using r0 = new Reader({ brokers: brokers(), topic, partition: 0 });
    await using r1 = new Reader({ brokers: brokers(), topic, partition: 1 });
    const got: string[] = [];
    for await (const m of mergeIterators(r0, r1)) {
      got.push(text(m));
      if (got.length === 6) break;
    }
    assert.deepEqual(got.sort(), [...range(3, "a"), ...range(3, "b")]);
  });
});
