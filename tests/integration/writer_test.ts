import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type Connect,
  dial,
  type MessageInput,
  MessageTooLargeError,
  WriteErrors,
  Writer,
} from "../../mod.ts";
import { detectConnect } from "../../src/transport/socket.ts";
import { CreatePartitions } from "../../src/protocol/generated/index.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { readTopic } from "../_read_topic.ts";

const dec = new TextDecoder();
const address = () => kafkaEnv("KAFKA_BROKERS").split(",")[0];
const uniqueTopic = (name: string) =>
  `kafkit-writer-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

async function createTopic(topic: string, partitions = 1): Promise<void> {
  await using conn = await dial(address());
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

describe(`Writer (${RUNTIME})`, () => {
  test("README: write three keyed messages to topic-A", async () => {
    const topic = uniqueTopic("readme");
    await createTopic(topic, 3);
    const w = new Writer({ brokers: kafkaEnv("KAFKA_BROKERS").split(","), topic });
    await w.writeMessages([
      { key: "Key-A", value: "Hello World!" },
      { key: "Key-B", value: "One!" },
      { key: "Key-C", value: "Two!" },
    ]);
    await w.close();
    const read = await readTopic(address(), topic, 3);
    assert.deepEqual(read.map((m) => dec.decode(m.value!)).sort(), [
      "Hello World!",
      "One!",
      "Two!",
    ]);
  });

  test("README: auto-created topic, and messages naming their own topics", async () => {
    const a = uniqueTopic("auto-a");
    const b = uniqueTopic("auto-b");
    await using w = new Writer({ brokers: address(), allowAutoTopicCreation: true });
    await w.writeMessages([
      { topic: a, key: "Key-A", value: "Hello World!" },
      { topic: b, key: "Key-B", value: "One!" },
      { topic: a, key: "Key-C", value: "Two!" },
    ]);
    assert.deepEqual((await readTopic(address(), a, 2)).map((m) => dec.decode(m.value!)), [
      "Hello World!",
      "Two!",
    ]);
    assert.deepEqual((await readTopic(address(), b, 1)).map((m) => dec.decode(m.key!)), ["Key-B"]);
  });

  test("a message bigger than batchBytes fails alone; the rest are written", async () => {
    const topic = uniqueTopic("large");
    await createTopic(topic);
    await using w = new Writer({ brokers: address(), topic, batchBytes: 1024 });
    const messages: MessageInput[] = [{ value: "small-1" }, { value: "x".repeat(5000) }, {
      value: "small-2",
    }];
    const err = await w.writeMessages(messages).then(() => undefined, (e) => e);
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.count, 1);
    assert.ok(err.errors[1] instanceof MessageTooLargeError);
    assert.equal(err.errors[0], undefined);
    assert.deepEqual((await readTopic(address(), topic, 2)).map((m) => dec.decode(m.value!)), [
      "small-1",
      "small-2",
    ]);
  });

  test("async mode reports every message once to completion; close() loses nothing queued", async () => {
    const topic = uniqueTopic("async");
    await createTopic(topic, 3);
    const reported = new Map<string, number>();
    const errors: Error[] = [];
    const w = new Writer({
      brokers: address(),
      topic,
      async: true,
      batchSize: 50,
      completion: (messages, error) => {
        if (error) errors.push(error);
        for (const m of messages) {
          reported.set(String(m.value), (reported.get(String(m.value)) ?? 0) + 1);
        }
      },
    });
    for (let i = 0; i < 20; i++) {
      await w.writeMessages(
        Array.from({ length: 100 }, (_, j) => ({ key: `k${j}`, value: `m-${i}-${j}` })),
      );
    }
    await w.close(); // flushes everything still queued
    assert.deepEqual(errors, []);
    assert.equal(reported.size, 2000);
    assert.ok([...reported.values()].every((n) => n === 1));
    assert.equal((await readTopic(address(), topic, 2000)).length, 2000);
  });

  test("every codec, acks 1 and acks 0", async () => {
    for (
      const [compression, acks] of [["gzip", -1], ["snappy", 1], ["lz4", -1], ["zstd", 0]] as const
    ) {
      const topic = uniqueTopic(`${compression}`);
      await createTopic(topic);
      await using w = new Writer({ brokers: address(), topic, compression, requiredAcks: acks });
      await w.writeMessages(
        Array.from({ length: 10 }, (_, i) => ({ value: `${compression}-${i}` })),
      );
      const read = await readTopic(address(), topic, 10);
      assert.deepEqual(
        read.map((m) => dec.decode(m.value!)),
        Array.from({ length: 10 }, (_, i) => `${compression}-${i}`),
      );
    }
  });

  test("the writable stream delivers everything in order per partition", async () => {
    const topic = uniqueTopic("stream");
    await createTopic(topic);
    const w = new Writer({ brokers: address(), topic, batchSize: 20 });
    const source = new ReadableStream<MessageInput>({
      start(controller) {
        for (let i = 0; i < 500; i++) controller.enqueue({ value: `s-${i}` });
        controller.close();
      },
    });
    await source.pipeTo(w.writable);
    await w.close();
    const read = await readTopic(address(), topic, 500);
    assert.deepEqual(
      read.map((m) => dec.decode(m.value!)),
      Array.from({ length: 500 }, (_, i) => `s-${i}`),
    );
  });

  test("new partitions are used once the metadata is refreshed", async () => {
    const topic = uniqueTopic("grow");
    await createTopic(topic, 1);
    await using w = new Writer({ brokers: address(), topic, metadataMaxAge: 200 });
    await w.writeMessages(Array.from({ length: 10 }, (_, i) => ({ value: `before-${i}` })));
    {
      await using conn = await dial(address());
      const res = await conn.connection.request(CreatePartitions, {
        topics: [{ name: topic, count: 3, assignments: null }],
        timeoutMs: 10_000,
      });
      assert.equal(res.results[0].errorCode, 0);
    }
    await new Promise((r) => setTimeout(r, 400));
    await w.writeMessages(Array.from({ length: 30 }, (_, i) => ({ value: `after-${i}` })));
    const read = await readTopic(address(), topic, 40);
    const partitions = new Set(
      read.filter((m) => dec.decode(m.value!).startsWith("after")).map((m) => m.partition),
    );
    assert.deepEqual([...partitions].sort(), [0, 1, 2]);
  });

  test("stats count writes, messages, bytes and batches, then reset", async () => {
    const topic = uniqueTopic("stats");
    await createTopic(topic);
    await using w = new Writer({
      brokers: address(),
      topic,
      batchSize: 10,
      clientId: "stats-test",
    });
    await w.writeMessages(Array.from({ length: 25 }, (_, i) => ({ value: `v${i}` })));
    const s = w.stats();
    assert.equal(s.writes, 1);
    assert.equal(s.messages, 25);
    assert.ok(s.bytes > 25 * 2);
    assert.equal(s.batchSize.count, 3);
    assert.equal(s.batchSize.max, 10);
    assert.equal(s.errors, 0);
    assert.equal(s.clientId, "stats-test");
    assert.ok(s.dials >= 1, "the connections it dialed");
    assert.deepEqual(s.totals, {
      writes: 1,
      messages: 25,
      bytes: s.bytes,
      errors: 0,
      retries: 0,
      dials: s.dials,
      timeouts: 0,
    });
    assert.equal(w.stats().messages, 0);
    await w.writeMessages([{ value: "more" }]);
    const later = w.stats();
    assert.equal(later.messages, 1, "the window counts since the last read");
    assert.equal(later.totals.messages, 26, "the totals never reset");
    assert.equal(later.totals.writes, 2);
    assert.equal(later.totals.bytes, s.bytes + later.bytes);
  });

  test("idempotent writes carry a producer id and sequence numbers", async () => {
    const topic = uniqueTopic("idem");
    await createTopic(topic);
    await using w = new Writer({ brokers: address(), topic, batchSize: 5 });
    await w.writeMessages(Array.from({ length: 12 }, (_, i) => ({ value: `i${i}` })));
    // The broker only accepts these batches in sequence order: 12 messages, 0..11.
    const read = await readTopic(address(), topic, 12);
    assert.deepEqual(read.map((m) => m.offset), Array.from({ length: 12 }, (_, i) => i));
  });

  test("one Writer on 8 partitions sends fewer Produce requests than batches and loses nothing", async () => {
    const topic = uniqueTopic("per-broker");
    await createTopic(topic, 8);
    // Count the Produce frames (api key 0) the writer's sockets carry.
    let produces = 0;
    const runtime = await detectConnect();
    const connect: Connect = async (options) => {
      const socket = await runtime(options);
      return {
        read: () => socket.read(),
        close: () => socket.close(),
        write: (frame) => {
          if (frame.length >= 6 && new DataView(frame.buffer, frame.byteOffset).getInt16(4) === 0) {
            produces++;
          }
          return socket.write(frame);
        },
      };
    };
    const w = new Writer({ brokers: address(), topic, batchSize: 50, connect });
    const total = 4_000;
    for (let from = 0; from < total; from += 400) {
      await w.writeMessages(
        Array.from({ length: 400 }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })),
      );
    }
    const batches = w.stats().batchSize.count;
    await w.close();
    assert.ok(batches >= total / 50, `${batches} batches`);
    assert.ok(produces < batches, `${produces} Produce requests for ${batches} batches`);
    const read = await readTopic(address(), topic, total);
    const seen = new Set(read.map((m) => dec.decode(m.value!)));
    assert.equal(read.length, total, "no duplicates");
    assert.equal(seen.size, total, "nothing lost");
    assert.deepEqual(new Set(read.map((m) => m.partition)).size, 8);
  });
});
