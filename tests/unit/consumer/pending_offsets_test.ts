import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { PendingOffsets } from "../../../src/consumer/_pending_offsets.ts";

describe("PendingOffsets", () => {
  test("keeps the highest offset per partition, whatever the order they come in", () => {
    const p = new PendingOffsets();
    p.advance("a", 0, 5);
    p.advance("a", 0, 3);
    p.advance("a", 1, 7);
    p.advance("b", 0, 1);
    p.advance("a", 0, 6);
    assert.equal(p.get("a", 0), 6);
    assert.equal(p.get("c", 0), undefined);
    assert.deepEqual(p.snapshot(), [
      { topic: "a", partition: 0, offset: 6 },
      { topic: "a", partition: 1, offset: 7 },
      { topic: "b", partition: 0, offset: 1 },
    ]);
    assert.deepEqual(p.snapshot([{ topic: "a", partition: 1 }, { topic: "z", partition: 0 }]), [
      { topic: "a", partition: 1, offset: 7 },
    ]);
  });

  test("settle forgets what was committed, not an offset that moved on meanwhile", () => {
    const p = new PendingOffsets();
    p.advance("a", 0, 5);
    p.advance("a", 1, 2);
    const sent = p.snapshot();
    p.advance("a", 0, 9); // read while the commit was out
    p.settle(sent);
    assert.deepEqual(p.snapshot(), [{ topic: "a", partition: 0, offset: 9 }]);
  });

  test("retain drops the partitions no longer owned and names them", () => {
    const p = new PendingOffsets();
    p.advance("a", 0, 1);
    p.advance("a", 1, 1);
    p.advance("b", 3, 1);
    const dropped = p.retain((topic, partition) => topic === "a" && partition === 1);
    assert.deepEqual(dropped, [{ topic: "a", partition: 0 }, { topic: "b", partition: 3 }]);
    assert.deepEqual(p.snapshot(), [{ topic: "a", partition: 1, offset: 1 }]);
    p.delete("a", 1);
    assert.deepEqual(p.snapshot(), []);
  });
});
