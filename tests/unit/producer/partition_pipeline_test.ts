import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PartitionPipeline, ProducerBatch } from "../../../src/producer/_partition_pipeline.ts";
import type { Entry } from "../../../src/producer/_partition_queue.ts";

const batchOf = (n: number) =>
  new ProducerBatch(
    Array.from({ length: n }, () => ({ record: { value: null } }) as unknown as Entry),
  );

function pipeline(batches: number, max = 5) {
  const p = new PartitionPipeline("t", 0, max);
  const list = Array.from({ length: batches }, () => batchOf(2));
  for (const b of list) {
    p.add(b);
    b.state = "waiting";
  }
  return { p, list };
}

describe("PartitionPipeline", () => {
  test("sends waiting batches in order, up to maxInFlight", () => {
    const { p, list } = pipeline(4, 3);
    assert.deepEqual(p.sendable(), list.slice(0, 3));
    list[0].state = list[1].state = "inFlight";
    assert.deepEqual(p.sendable(), [list[2]]);
    assert.equal(p.hasRoom, false);
  });

  test("nothing passes a batch in backoff, nor goes while a later batch is in flight", () => {
    const { p, list } = pipeline(3);
    list[0].state = "backoff";
    list[1].state = "inFlight";
    assert.deepEqual(p.sendable(), []);
    list[0].state = "waiting"; // its retry is due, but batch 1 is still out
    assert.deepEqual(p.sendable(), []);
    list[1].state = "backoff"; // batch 1 came back refused
    assert.deepEqual(p.sendable(), [list[0]]);
    list[0].state = "inFlight";
    list[1].state = "waiting";
    assert.deepEqual(p.sendable(), [list[1], list[2]]);
  });

  test("sequences are contiguous; a new identity is taken only with nothing numbered", () => {
    const { p, list } = pipeline(3);
    const first = { producerId: 7n, producerEpoch: 0 };
    p.assignSequence(list[0], first);
    p.assignSequence(list[1], first);
    assert.deepEqual(list.slice(0, 2).map((b) => b.identity?.baseSequence), [0, 2]);
    const bumped = { producerId: 7n, producerEpoch: 1 };
    p.assignSequence(list[2], bumped); // older batches still hold epoch 0: go on with it
    assert.deepEqual(list[2].identity, { producerId: 7n, producerEpoch: 0, baseSequence: 4 });
    for (const b of list) p.remove(b);
    const next = batchOf(1);
    p.add(next);
    p.assignSequence(next, bumped);
    assert.deepEqual(next.identity, { producerId: 7n, producerEpoch: 1, baseSequence: 0 });
  });

  test("restartSequences renumbers every unacknowledged batch from 0", () => {
    const { p, list } = pipeline(2);
    const old = { producerId: 7n, producerEpoch: 0 };
    for (const b of list) p.assignSequence(b, old);
    list[0].encoded = new Uint8Array(1);
    p.needsNewEpoch = true;
    assert.deepEqual(p.sendable(), []);
    const bumped = { producerId: 7n, producerEpoch: 1 };
    p.restartSequences(bumped);
    assert.equal(p.needsNewEpoch, false);
    assert.ok(list.every((b) => b.identity === undefined && b.encoded === undefined));
    for (const b of list) p.assignSequence(b, bumped);
    assert.deepEqual(list.map((b) => b.identity), [
      { ...bumped, baseSequence: 0 },
      { ...bumped, baseSequence: 2 },
    ]);
  });

  test("sequences wrap at 2^31", () => {
    const p = new PartitionPipeline("t", 0, 5);
    const id = { producerId: 1n, producerEpoch: 0 };
    const big = batchOf(0);
    Object.defineProperty(big, "records", { value: { length: 0x7fff_ffff } });
    p.add(big);
    p.assignSequence(big, id);
    const next = batchOf(1);
    p.add(next);
    p.assignSequence(next, id);
    const after = batchOf(1);
    p.add(after);
    p.assignSequence(after, id);
    assert.equal(next.identity?.baseSequence, 0x7fff_ffff);
    assert.equal(after.identity?.baseSequence, 0);
  });
});
