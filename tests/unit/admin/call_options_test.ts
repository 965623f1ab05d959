// Admin call options: a misspelt name is a TypeError naming it, before anything is sent.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../../mod.ts";
import { FakeKafka } from "../_fake_broker.ts";

describe("admin call options", () => {
  test("an unknown option name fails before any request, with a hint", async () => {
    const fake = new FakeKafka([1]);
    await using admin = new Client({ brokers: fake.brokers, connect: fake.connect });
    await assert.rejects(
      // @ts-expect-error: the misspelling is the point
      admin.createTopics([{ topic: "t", numPartitions: 1 }], { validateonly: true }),
      (e) =>
        e instanceof TypeError && /createTopics: unknown option "validateonly"/.test(e.message) &&
        /did you mean "validateOnly"/.test(e.message),
    );
    await assert.rejects(
      // @ts-expect-error: an option of another call
      admin.listTopics({ includeAuthorizedOperations: true }),
      (e) => e instanceof TypeError && /listTopics: unknown option/.test(e.message),
    );
    assert.equal(fake.requests("CreateTopics").length, 0);
    assert.equal(fake.requests("Metadata").length, 0);
  });

  test("each call's own options, signal and timeout are accepted", async () => {
    const fake = new FakeKafka([1]);
    await using admin = new Client({ brokers: fake.brokers, connect: fake.connect });
    const topics = await admin.listTopics({ internal: true, timeout: 5_000, signal: undefined });
    assert.deepEqual(topics, []);
  });
});
