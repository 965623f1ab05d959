// Seed examples that wait for the consumer fixes of issue 20 (items 1 and 3); they fail until
// those merge. Renamed to seeds_consumer_test.ts at merge time, they run with the suite.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) => `kafkit-seeds-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`seed examples, consumer fixes (${RUNTIME})`, () => {
  const admin = new Client({ brokers: brokers() });
  after(() => admin.close());

  test("kafka-go README: setOffset(42) past the end of a 3-message partition waits at 42 (item 3)", async () => {
    const topic = unique("offset42-past-end");
    const [created] = await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    assert.equal(created.error, undefined);
    await using w = new Writer({ brokers: brokers(), topic, batchTimeout: 1 });
    const write = (from: number, to: number) =>
      w.writeMessages(
        Array.from({ length: to - from }, (_, i) => ({ partition: 0, value: `m-${from + i}` })),
      );
    await write(0, 3);
    await using r = new Reader({ brokers: brokers(), topic, partition: 0, maxWait: 200 });
    r.setOffset(42);
    const first = r.readMessage({ signal: AbortSignal.timeout(15_000) });
    await sleep(1_000); // the reader is waiting past the end
    await write(3, 45);
    const m = await first;
    assert.equal(m.offset, 42, "not replayed from the oldest offset");
    assert.equal(dec.decode(m.value!), "m-42");
  });

  test("a group Reader on a topic that does not exist yet gets it once a Writer creates it (item 1)", async () => {
    const topic = unique("group-new-topic");
    const groupId = unique("group-new-topic-g");
    const errors: unknown[] = [];
    await using r = new Reader({
      brokers: brokers(),
      topic,
      groupId,
      maxWait: 200,
      onError: (e) => errors.push(e),
    });
    const stop = AbortSignal.timeout(40_000);
    const reading = (async () => {
      const got: string[] = [];
      while (got.length < 8) got.push(dec.decode((await r.readMessage({ signal: stop })).value!));
      return got;
    })();
    await using w = new Writer({ brokers: brokers(), topic });
    for (let i = 0; i < 8; i++) await w.writeMessages([{ key: `${i}`, value: `message ${i}` }]);
    const got = await reading;
    assert.deepEqual(got.sort(), [...Array(8).keys()].map((i) => `message ${i}`));
  });
});
