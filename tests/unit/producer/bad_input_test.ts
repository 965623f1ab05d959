// Bad messages get a TypeError naming the message and field before anything is queued, and a
// balancer that throws fails only its message: nothing is left pending, close() returns.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Balancer, WriteErrors, Writer } from "../../../mod.ts";
import { ProduceKafka } from "../_fake_produce.ts";

function setup(balancer?: Balancer) {
  const kafka = new ProduceKafka(1);
  kafka.createTopic("t", 1);
  const w = new Writer({ brokers: kafka.brokers, connect: kafka.connect, topic: "t", balancer });
  return { kafka, w };
}

describe("Writer with bad input", () => {
  test("a value, key, header or time of the wrong type fails the call before anything is queued", async () => {
    const { kafka, w } = setup();
    const cases: [unknown, RegExp][] = [
      [{ value: 5 }, /message 1: value must be a string, a Uint8Array or null, got number/],
      [{ key: {} }, /message 1: key must be a string, a Uint8Array or null, got object/],
      [{ value: "x", headers: [{ key: "h", value: 1 }] }, /message 1: headers\[0\]\.value must/],
      [{ value: "x", headers: [{ value: "v" }] }, /message 1: headers\[0\]\.key must be a string/],
      [{ value: "x", time: "2020" }, /message 1: time must be a valid Date/],
      [null, /message 1: a message must be an object/],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        w.writeMessages([{ value: "good" }, bad as any]),
        (e: unknown) => e instanceof TypeError && message.test(e.message),
      );
    }
    await w.close(); // nothing pending: returns
    assert.deepEqual(await kafka.values("t", 0), []);
  });

  test("a balancer that throws fails its message only, and close() returns", async () => {
    let calls = 0;
    const { kafka, w } = setup({
      balance: (_m, partitions) => {
        if (++calls === 2) throw new Error("balancer broke");
        return partitions[0];
      },
    });
    const err = await w.writeMessages([{ value: "a" }, { value: "b" }, { value: "c" }]).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.errors[0], undefined);
    assert.match(String(err.errors[1]?.message), /balancer broke/);
    assert.equal(err.errors[2], undefined);
    await w.close();
    assert.deepEqual(await kafka.values("t", 0), ["a", "c"]);
  });
});
