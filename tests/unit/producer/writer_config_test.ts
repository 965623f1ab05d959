import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writer, WriterClosedError } from "../../../mod.ts";

describe("Writer configuration", () => {
  const ok = { brokers: ["127.0.0.1:9092"] };
  test("bad values throw a TypeError or RangeError naming the field", () => {
    const cases: [Record<string, unknown>, string | RegExp][] = [
      [{ brokers: [] }, /brokers/],
      [{ brokers: "" }, /brokers/],
      [{ brokers: ["no-port"] }, /no-port/],
      [{ ...ok, batchSize: 0 }, /batchSize/],
      [{ ...ok, batchBytes: -1 }, /batchBytes/],
      [{ ...ok, batchTimeout: 1.5 }, /batchTimeout/],
      [{ ...ok, maxAttempts: 0 }, /maxAttempts/],
      [{ ...ok, requiredAcks: 2 }, /requiredAcks/],
      [{ ...ok, requiredAcks: 1, idempotent: true }, /idempotent/],
      [{ ...ok, compression: "brotli" }, /compression/],
      [{ ...ok, topic: "" }, /topic/],
      [{ ...ok, balancer: {} }, /balancer/],
    ];
    for (const [config, field] of cases) {
      assert.throws(
        () => new Writer(config as never),
        (e: unknown) =>
          (e instanceof TypeError || e instanceof RangeError) && field instanceof RegExp &&
          field.test(e.message),
        JSON.stringify(config),
      );
    }
  });

  test("messages must name a topic exactly once", async () => {
    const bound = new Writer({ ...ok, topic: "a" });
    await assert.rejects(bound.writeMessages([{ topic: "b", value: "x" }]), {
      name: "TypeError",
      message: /bound to "a"/,
    });
    const unbound = new Writer(ok);
    await assert.rejects(unbound.writeMessages([{ value: "x" }]), {
      name: "TypeError",
      message: /names no topic/,
    });
    await bound.close();
    await unbound.close();
  });

  test("a closed writer rejects new writes with a clear error", async () => {
    const w = new Writer({ ...ok, topic: "a" });
    await w.close();
    await assert.rejects(w.writeMessages([{ value: "x" }]), WriterClosedError);
  });
});
