import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Notifier } from "../../../src/_async/notifier.ts";

describe("Notifier", () => {
  test("notify wakes every waiter at once, and only those waiting then", async () => {
    const n = new Notifier();
    const woken: string[] = [];
    const a = n.wait().then(() => woken.push("a"));
    const b = n.wait().then(() => woken.push("b"));
    assert.equal(n.waiting, true);
    n.notify();
    await Promise.all([a, b]);
    assert.deepEqual(woken, ["a", "b"]);
    assert.equal(n.waiting, false);
    let late = false;
    const c = n.wait({ timeout: 20 }).then(() => late = true);
    await c; // resolved by its timeout: the earlier notify did not count for it
    assert.equal(late, true);
  });

  test("a signal ends the wait with its reason and removes the waiter", async () => {
    const n = new Notifier();
    const controller = new AbortController();
    const waiting = n.wait({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(waiting, /stop/);
    assert.equal(n.waiting, false);
    await assert.rejects(n.wait({ signal: controller.signal }), /stop/);
  });

  test("a timeout resolves the wait; notify after it is harmless", async () => {
    const n = new Notifier();
    await n.wait({ timeout: 5 });
    assert.equal(n.waiting, false);
    n.notify();
  });
});
