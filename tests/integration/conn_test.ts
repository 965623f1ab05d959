import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type Conn,
  dial,
  Dialer,
  dialLeader,
  KafkaError,
  SeekAbsolute,
  SeekCurrent,
  SeekDontCheck,
  SeekEnd,
  SeekStart,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();
const text = (b: Uint8Array | null) => (b === null ? null : dec.decode(b));
const brokers = () => kafkaEnv("KAFKA_BROKERS");
const address = () => brokers().split(",")[0];
const uniqueTopic = (name: string) =>
  `kafkit-conn-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

/** Reads every message currently in the partition, from the connection's offset. */
async function readAll(conn: Conn, count: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count) {
    const batch = await conn.readBatch(1, 1 << 20, { timeout: 5_000 });
    for await (const m of batch) out.push(text(m.value)!);
  }
  return out;
}

describe(`Conn, the kafka-go low-level API (${RUNTIME})`, () => {
  test("README: produce three messages with dialLeader + writeMessages, read them with readBatch", async () => {
    const topic = uniqueTopic("readme");
    const partition = 0;
    {
      await using conn = await dialLeader(address(), topic, partition);
      const n = await conn.writeMessages([{ value: "one!" }, { value: "two!" }, {
        value: "three!",
      }], {
        timeout: 10_000,
      });
      assert.equal(n, "one!two!three!".length);
    }
    await using conn = await dialLeader(address(), topic, partition);
    const batch = await conn.readBatch(10e3, 1e6, { timeout: 2_000 }); // 10 KB min, 1 MB max
    const b = new Uint8Array(10e3); // 10 KB max per message
    const read: string[] = [];
    for (let n = await batch.read(b); n !== null; n = await batch.read(b)) {
      read.push(dec.decode(b.subarray(0, n)));
    }
    await batch.close();
    assert.deepEqual(read, ["one!", "two!", "three!"]);
    assert.equal(batch.highWaterMark, 3);
    assert.equal(conn.offset().offset, 3);
  });

  test("README: list topics, create a topic through the controller, delete it", async () => {
    const topic = uniqueTopic("create");
    await using conn = await dial(address());
    const controller = await conn.controller();
    await using controllerConn = await dial(`${controller.host}:${controller.port}`);
    await controllerConn.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]);
    await controllerConn.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]); // exists: fine
    const partitions = await conn.readPartitions([topic]);
    assert.deepEqual(partitions.map((p) => [p.topic, p.id]), [[topic, 0], [topic, 1], [topic, 2]]);
    const all = new Set((await conn.readPartitions()).map((p) => p.topic));
    assert.ok(all.has(topic));
    await controllerConn.deleteTopics([topic]);
    await assert.rejects(
      controllerConn.deleteTopics([topic]),
      (e: unknown) => e instanceof KafkaError && e.errorName === "UNKNOWN_TOPIC_OR_PARTITION",
    );
  });

  test("brokers, broker, apiVersions and lookups agree with the cluster", async () => {
    await using conn = await dial(address());
    const list = await conn.brokers();
    assert.equal(list.length, brokers().split(",").length);
    assert.ok(conn.apiVersions().some((v) => v.apiKey === 1 && v.maxVersion >= 17));
    const topic = uniqueTopic("lookup");
    const dialer = new Dialer({ clientId: "kafkit-lookup" });
    const partitions = await dialer.lookupPartitions(address(), topic);
    assert.equal(partitions.length, 1);
    const leader = await dialer.lookupLeader(address(), topic, 0);
    assert.ok(list.some((b) => b.id === leader.id && b.port === leader.port));
    await using partConn = await dialer.dialPartition(address(), partitions[0]);
    assert.equal(partConn.broker().id, leader.id);
  });

  test("writeMessagesAt reports partition and base offset; headers, keys and times survive", async () => {
    const topic = uniqueTopic("at");
    await using conn = await dialLeader(address(), topic, 0);
    const time = new Date(1_700_000_000_000);
    const first = await conn.writeMessagesAt([{
      key: "k",
      value: "v",
      time,
      headers: [{ key: "h", value: "x" }],
    }]);
    const second = await conn.writeMessagesAt([{ value: new Uint8Array([1, 2, 3]) }, {
      key: null,
      value: null,
    }]);
    assert.deepEqual([first.partition, first.offset, second.offset], [0, 0, 1]);
    const m = await conn.readMessage(1 << 20, { timeout: 5_000 });
    assert.deepEqual([text(m.key), text(m.value), m.time.getTime()], ["k", "v", time.getTime()]);
    assert.deepEqual(m.headers.map((h) => [h.key, text(h.value)]), [["h", "x"]]);
    const batch = await conn.readBatch(1, 1 << 20, { timeout: 5_000 });
    assert.deepEqual((await batch.readMessage())!.value, new Uint8Array([1, 2, 3]));
    assert.equal((await batch.readMessage())!.value, null);
    assert.equal(await batch.readMessage(), null);
    await batch.close();
  });

  test("every codec writes through writeCompressedMessages and reads back", async () => {
    const topic = uniqueTopic("codecs");
    await using conn = await dialLeader(address(), topic, 0);
    const codecs = [null, "gzip", "snappy", "lz4", "zstd"] as const;
    for (const codec of codecs) {
      await conn.writeCompressedMessages(codec, [{ value: `${codec}-a` }, { value: `${codec}-b` }]);
    }
    assert.deepEqual(await readAll(conn, 10), codecs.flatMap((c) => [`${c}-a`, `${c}-b`]));
  });

  test("acks 0 writes get no answer but still land", async () => {
    const topic = uniqueTopic("acks0");
    await using conn = await dialLeader(address(), topic, 0);
    conn.setRequiredAcks(0);
    const res = await conn.writeMessagesAt([{ value: "fire" }, { value: "forget" }]);
    assert.equal(res.offset, -1);
    conn.setRequiredAcks(1);
    await conn.writeMessages([{ value: "acked" }]);
    assert.deepEqual(await readAll(conn, 3), ["fire", "forget", "acked"]);
    assert.throws(() => conn.setRequiredAcks(2), RangeError);
  });

  test("seek with every whence, the don't-check flag, and offset lookups by time", async () => {
    const topic = uniqueTopic("seek");
    await using conn = await dialLeader(address(), topic, 0);
    const t0 = 1_700_000_000_000;
    await conn.writeMessages(
      Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, time: new Date(t0 + i * 1000) })),
    );
    assert.deepEqual(await conn.readOffsets(), { first: 0, last: 10 });
    assert.equal(await conn.readOffset(new Date(t0 + 4500)), 5);
    assert.equal(await conn.seek(2, SeekStart), 2);
    assert.equal(await conn.seek(3, SeekCurrent), 5);
    assert.equal(await conn.seek(1, SeekEnd), 9);
    assert.equal(await conn.seek(7, SeekAbsolute), 7);
    assert.deepEqual(conn.offset(), { offset: 7, whence: SeekAbsolute });
    assert.equal(text((await conn.readMessage(1 << 20, { timeout: 5_000 })).value), "m7");
    await assert.rejects(
      conn.seek(11, SeekAbsolute),
      (e: unknown) => e instanceof KafkaError && e.errorName === "OFFSET_OUT_OF_RANGE",
    );
    assert.equal(await conn.seek(42, SeekAbsolute | SeekDontCheck), 42);
    const batch = await conn.readBatch(1, 1 << 20, { timeout: 2_000 });
    assert.equal(await batch.readMessage().catch((e) => e.errorName), "OFFSET_OUT_OF_RANGE");
    await batch.close();
    await assert.rejects(conn.seek(0, 7), RangeError);
  });

  test("one batch at a time: the next readBatch waits for close; a small buffer is a RangeError", async () => {
    const topic = uniqueTopic("lock");
    await using conn = await dialLeader(address(), topic, 0);
    await conn.writeMessages([{ value: "a-long-value" }, { value: "b" }]);
    const first = await conn.readBatch(1, 1 << 20, { timeout: 5_000 });
    await assert.rejects(first.read(new Uint8Array(3)), RangeError);
    assert.equal(text((await first.readMessage())!.value), "a-long-value");
    let secondReady = false;
    const second = conn.readBatch(1, 1 << 20, { timeout: 5_000 }).then((b) => {
      secondReady = true;
      return b;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(secondReady, false);
    await first.close(); // read one of two: the connection continues at offset 1
    const next = await second;
    assert.equal(text((await next.readMessage())!.value), "b");
    await next.close();
  });

  test("an aborted signal cancels a pending readBatch and the connection stays usable", async () => {
    const topic = uniqueTopic("abort");
    await using conn = await dialLeader(address(), topic, 0);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled")), 50);
    await assert.rejects(
      conn.readBatch(1, 1 << 20, { signal: controller.signal, timeout: 2_000 }),
      /cancelled/,
    );
    await conn.writeMessages([{ value: "after" }]);
    assert.deepEqual(await readAll(conn, 1), ["after"]);
  });

  test("calls that need a partition explain that the connection is not bound", async () => {
    await using conn = await dial(address());
    await assert.rejects(
      conn.writeMessages([{ value: "x" }]),
      /not bound to a partition: use dialLeader/,
    );
    await assert.rejects(new Dialer().dial("no-port"), TypeError);
  });
});
