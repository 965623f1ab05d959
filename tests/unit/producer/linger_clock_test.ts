import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LingerClock, type PartitionQueue } from "../../../src/producer/_partition_queue.ts";

/** A stand-in queue that records when the clock calls it back. */
function queue(name: string, events: string[]): PartitionQueue {
  return {
    lingerEnded: () => {
      events.push(name);
      // A microtask runs between two timer callbacks, never inside one.
      queueMicrotask(() => events.push(`after ${name}`));
    },
  } as unknown as PartitionQueue;
}

describe("LingerClock", () => {
  test("queues due together are called back in one timer callback", async () => {
    const events: string[] = [];
    const clock = new LingerClock();
    const at = Date.now() + 5;
    clock.schedule(queue("a", events), at);
    clock.schedule(queue("b", events), at);
    clock.schedule(queue("c", events), at);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(events.slice(0, 3), ["a", "b", "c"]);
  });

  test("a cancelled queue is not called back; a later one still is", async () => {
    const events: string[] = [];
    const clock = new LingerClock();
    const a = queue("a", events);
    clock.schedule(a, Date.now() + 2);
    clock.schedule(queue("b", events), Date.now() + 15);
    clock.cancel(a);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(events, ["b", "after b"]);
  });
});
