// A Reader over an explicit set of partitions (no group), and pause/resume per partition on
// it and on a group reader: paused partitions are not fetched and what was buffered for them
// is held back, while the other partitions keep flowing.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, type Message, Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { waitFor } from "../_eventually.ts";

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const uniqueName = (name: string) =>
  `kafkit-pause-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const text = (m: Message) => dec.decode(m.value!);

async function createTopic(topic: string, partitions: number): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

/** Writes `count` messages `p<partition>-<i>` to each of `partitions`. */
async function produce(topic: string, partitions: number[], count: number, from = 0) {
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(
    partitions.flatMap((partition) =>
      Array.from({ length: count }, (_, i) => ({ value: `p${partition}-${from + i}`, partition }))
    ),
  );
}

/** Reads `n` messages, or fewer if none comes for `idle` ms. */
async function readSome(r: Reader, n: number, idle = 1_500): Promise<Message[]> {
  const out: Message[] = [];
  while (out.length < n) {
    try {
      out.push(await r.fetchMessage({ signal: AbortSignal.timeout(idle) }));
    } catch (e) {
      if ((e as Error).name === "TimeoutError" || (e as Error).name === "AbortError") break;
      throw e;
    }
  }
  return out;
}

const partitionsOf = (ms: Message[]) => [...new Set(ms.map((m) => m.partition))].sort();

describe(`Reader pause/resume and explicit partitions (${RUNTIME})`, () => {
  test("a reader over explicit partitions reads exactly those, from their offsets", async () => {
    const topic = uniqueName("assign");
    await createTopic(topic, 3);
    await produce(topic, [0, 1, 2], 5);
    await using r = new Reader({
      brokers: brokers(),
      partitions: [{ topic, partition: 0 }, { topic, partition: 2, offset: 3 }],
    });
    const got = await readSome(r, 7);
    assert.deepEqual(
      got.map(text).sort(),
      ["p0-0", "p0-1", "p0-2", "p0-3", "p0-4", "p2-3", "p2-4"],
    );
    assert.equal((await readSome(r, 1, 700)).length, 0, "partition 1 is not read");
  });

  test("a paused partition is not returned, its buffered messages are held, resume frees them", async () => {
    const topic = uniqueName("explicit");
    await createTopic(topic, 2);
    await produce(topic, [0, 1], 3);
    await using r = new Reader({
      brokers: brokers(),
      partitions: [{ topic, partition: 0 }, { topic, partition: 1 }],
    });
    // Both partitions fetched (and buffered) before the pause.
    const first = await r.fetchMessage({ signal: AbortSignal.timeout(10_000) });
    const paused = { topic, partition: first.partition };
    const other = 1 - first.partition;
    r.pause([paused]);
    assert.deepEqual(r.paused(), [paused]);
    await produce(topic, [0, 1], 2, 3);
    const during = await readSome(r, 10);
    assert.deepEqual(partitionsOf(during), [other], "only the other partition flows");
    assert.equal(during.length, 5);
    r.resume([paused]);
    assert.deepEqual(r.paused(), []);
    const after = await readSome(r, 10);
    assert.deepEqual(
      after.map((m) => m.offset),
      [1, 2, 3, 4],
      "the paused partition goes on where it stopped, nothing skipped or read twice",
    );
    assert.deepEqual(partitionsOf(after), [first.partition]);
  });

  test("a group reader pauses a partition without leaving the group", async () => {
    const topic = uniqueName("group");
    const groupId = uniqueName("group-g");
    await createTopic(topic, 2);
    await produce(topic, [0, 1], 4);
    await using r = new Reader({ brokers: brokers(), groupId, topic, heartbeatInterval: 500 });
    const first = await r.readMessage({ signal: AbortSignal.timeout(30_000) });
    assert.equal(r.assignments.length, 2);
    const paused = { topic, partition: first.partition };
    r.pause([paused]);
    const during = await readSome(r, 20);
    assert.deepEqual(partitionsOf(during), [1 - first.partition]);
    for (const m of during) await r.commitMessages([m]);
    // Long enough for several heartbeats: still a member with both partitions.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(r.assignments.length, 2, "still owns both partitions");
    assert.deepEqual(r.paused(), [paused]);
    r.resume([paused]);
    const after = await readSome(r, 20);
    assert.deepEqual(
      after.map((m) => `${m.partition}:${m.offset}`),
      [1, 2, 3].map((o) => `${first.partition}:${o}`),
    );
    assert.throws(() => r.pause([{ topic, partition: 5 }]), TypeError);
  });

  test("a rebalance keeps the pause on a partition that stays, forgets it on one that moves", async () => {
    const topic = uniqueName("rebalance");
    const groupId = uniqueName("rebalance-g");
    await createTopic(topic, 2);
    await produce(topic, [0, 1], 2);
    const config = { brokers: brokers(), groupId, topic, heartbeatInterval: 300 };
    await using a = new Reader(config);
    await a.fetchMessage({ signal: AbortSignal.timeout(30_000) });
    a.pause([{ topic, partition: 0 }, { topic, partition: 1 }]);
    await using b = new Reader(config);
    // b joins: a gives up one of the two partitions.
    const fromB = await b.fetchMessage({ signal: AbortSignal.timeout(30_000) });
    await waitFor("a to settle on one partition", () => a.assignments.length === 1);
    const kept = a.assignments;
    assert.notEqual(kept[0].partition, fromB.partition);
    assert.deepEqual(a.paused(), kept, "the partition a kept is still paused");
    assert.deepEqual(b.paused(), []);
    assert.equal((await readSome(a, 1, 700)).length, 0, "a reads nothing while paused");
    a.resume(kept);
    const resumed = await readSome(a, 2);
    assert.ok(resumed.length > 0 && resumed.every((m) => m.partition === kept[0].partition));
  });
});
