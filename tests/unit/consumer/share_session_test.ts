// The share session's bookkeeping: epochs, incremental partition lists, acknowledgements.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ackBatches,
  recordsAcknowledged,
  ShareSession,
} from "../../../src/consumer/_share_session.ts";

const p0 = { topic: "t", partition: 0 }, p1 = { topic: "t", partition: 1 };

describe("share session", () => {
  test("acknowledgements become contiguous ranges with one type per offset", () => {
    const acks = new Map([[7, 1], [5, 1], [6, 2], [9, 3]]);
    assert.deepEqual(ackBatches(acks), [
      { firstOffset: 5n, lastOffset: 7n, acknowledgeTypes: [1, 2, 1] },
      { firstOffset: 9n, lastOffset: 9n, acknowledgeTypes: [3] },
    ]);
  });

  test("epoch 0 names every partition and carries no acknowledgements; later epochs only changes", () => {
    const s = new ShareSession();
    s.acknowledge(p0, 3, 1);
    const first = s.next([p0, p1]);
    assert.equal(first.epoch, 0);
    assert.deepEqual(first.partitions, [{ part: p0, acks: [] }, { part: p1, acks: [] }]);
    s.sent(first, true);
    assert.ok(s.hasAcks, "held for a session that can take them");
    const second = s.next([p1]);
    assert.equal(second.epoch, 1);
    assert.deepEqual(second.partitions, [{
      part: p0,
      acks: [{ firstOffset: 3n, lastOffset: 3n, acknowledgeTypes: [1] }],
    }]);
    assert.deepEqual(second.forgotten, [p0]);
    s.sent(second, true);
    assert.ok(!s.hasAcks);
    const third = s.next([p1]);
    assert.deepEqual([third.epoch, third.partitions, third.forgotten], [2, [], []]);
  });

  test("a lost session starts again at epoch 0, as a new generation, and says how many records' acknowledgements it dropped", () => {
    const s = new ShareSession();
    s.sent(s.next([p0]), true);
    s.acknowledge(p0, 1, 2);
    s.acknowledge(p0, 2, 0); // a gap: no record
    const generation = s.generation;
    assert.equal(s.reset(), 1);
    assert.equal(s.generation, generation + 1);
    assert.ok(!s.hasAcks && !s.open && !s.holdsPartitions);
    const again = s.next([p0]);
    assert.deepEqual([again.epoch, again.partitions], [0, [{ part: p0, acks: [] }]]);
  });

  test("a request's acknowledged records leave gaps out", () => {
    const s = new ShareSession();
    s.sent(s.next([p0, p1]), true);
    for (const [o, t] of [[4, 1], [5, 0], [6, 3]]) s.acknowledge(p0, o, t);
    s.acknowledge(p1, 9, 2);
    assert.equal(recordsAcknowledged(s.next([p0, p1])), 3);
    assert.equal(recordsAcknowledged(s.next([p0, p1])), 0);
  });
});
