import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Slicer } from "../../../src/_async/slicer.ts";

/** Keeps the thread busy for `ms`, as decoding would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* spin */ }
}

describe("Slicer", () => {
  test("is due once its budget is used, and a pause starts a new slice", async () => {
    const s = new Slicer(5);
    assert.equal(s.due(), false);
    busy(6);
    assert.equal(s.due(), true);
    await s.pause();
    assert.equal(s.due(), false);
  });

  test("pausers resuming in the same turn share one new slice", async () => {
    const s = new Slicer(5);
    busy(6);
    let dueForSecond: boolean | undefined;
    // The first to resume runs its slice out; the second must not get a fresh one on top.
    const first = s.pause().then(() => busy(6));
    const second = s.pause().then(() => {
      dueForSecond = s.due();
    });
    await Promise.all([first, second]);
    assert.equal(dueForSecond, true);
  });
});
