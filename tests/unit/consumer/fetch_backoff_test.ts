// A broker that closes every fetch connection: the Reader keeps trying, with a backoff that
// grows across its attempts, instead of redialing many times a second.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, Reader } from "../../../mod.ts";
import { Fetch, type FetchResponse } from "../../../src/protocol/generated/fetch.ts";
import { answerListOffsets, FakeKafka, never } from "../_fake_broker.ts";

describe("Reader fetch backoff", () => {
  test("a broker closing every Fetch connection is redialed with a growing backoff", async () => {
    const fake = new FakeKafka([1]);
    fake.createTopic("t", 1);
    answerListOffsets(fake);
    fake.on(Fetch, (_req, ctx) => {
      ctx.socket.close();
      return never<FetchResponse>();
    });
    const errors: unknown[] = [];
    const reader = new Reader({
      brokers: fake.brokers,
      topic: "t",
      connect: fake.connect,
      readBackoffMin: 100,
      readBackoffMax: 1_000,
      onError: (e) => errors.push(e),
    });
    try {
      await new Promise((r) => setTimeout(r, 4_000));
      const fetches = fake.requests("Fetch").length;
      // Without growth (each attempt backing off 10–100 ms) this was 70–80.
      assert.ok(fetches <= 20, `${fetches} fetches in 4 s`);
      assert.ok(fetches >= 3, `still trying: ${fetches} fetches`);
      assert.ok(errors.length > 0 && errors.every((e) => e instanceof ConnectionError));
    } finally {
      await reader.close();
    }
  });
});
