// The consume-transform-produce processor on the real broker: two members of one group copy
// an input topic to an output topic in transactions; a failing batch is aborted and read
// again; the output, read read_committed, holds each input exactly once and the group's
// committed offsets are the input's ends.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, dial, ExactlyOnce, type Message, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { readUntilSentinel } from "../_read_topic.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS");
const unique = (name: string) => `kafkit-eos-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const dec = new TextDecoder();
const END = "end-of-test";

async function createTopic(topic: string, partitions: number): Promise<void> {
  await using conn = await dial(brokers().split(",")[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

describe(`ExactlyOnce processor (${RUNTIME})`, () => {
  test("two members copy the input exactly once through an aborted batch and a member leaving", async () => {
    const input = unique("in");
    const output = unique("out");
    const groupId = unique("group");
    const count = 1000;
    await createTopic(input, 4);
    await createTopic(output, 1);
    await using source = new Writer({ brokers: brokers(), topic: input, batchSize: 50 });
    await source.writeMessages(Array.from({ length: count }, (_, i) => ({ value: `m${i}` })));

    let failOnce = true;
    const aborted: unknown[] = [];
    const member = (name: string) =>
      new ExactlyOnce({
        reader: { brokers: brokers(), groupId, topic: input, maxWait: 100 },
        writer: { brokers: brokers(), topic: output, transactionalId: `${output}-${name}` },
        batchSize: 20,
        batchTimeout: 20,
        transform: async (batch: Message[]) => {
          await new Promise((r) => setTimeout(r, 10));
          if (name === "a" && failOnce && batch.length > 0) {
            failOnce = false;
            // Written, then aborted: none of it may reach the output as committed.
            throw new Error("transform failed once");
          }
          return batch.map((m) => ({ value: `out-${dec.decode(m.value!)}` }));
        },
        onAbort: (e) => aborted.push(e),
      });

    await using a = member("a");
    await using b = member("b");
    const runB = b.run();
    // The transform's throw ends run() after the abort; run again from the committed offsets.
    await assert.rejects(a.run(), /transform failed once/);
    // (b may have aborted too: a's joining rebalances the group under b's transaction.)
    assert.ok(aborted.some((e) => (e as Error).message === "transform failed once"));
    const runA = a.run();

    await using admin = new Client({ brokers: brokers() });
    const committedTotal = async () => {
      const [g] = await admin.fetchOffsets([{ groupId, topics: [input] }]);
      return g.offsets.reduce((n, o) => n + Math.max(0, o.offset), 0);
    };
    const until = async (n: number) => {
      const deadline = Date.now() + 60_000;
      while (await committedTotal() < n && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // b leaves mid-way: the group rebalances and a takes over b's partitions.
    await until(count / 3);
    await b.close();
    await runB;
    await until(count);
    await a.close();
    await runA;
    assert.equal(await committedTotal(), count, "the group's offsets are the input's ends");

    await using closer = new Writer({
      brokers: brokers(),
      topic: output,
      transactionalId: `${output}-end`,
    });
    await closer.transaction((tx) => tx.writeMessages([{ value: END }]));
    const out = await readUntilSentinel(brokers(), output, "read_committed", END);
    const expected = Array.from({ length: count }, (_, i) => `out-m${i}`);
    assert.equal(out.length, count, `each input once (got ${out.length} outputs)`);
    assert.deepEqual([...out].sort(), [...expected].sort());
    const stats = [a.stats(), b.stats()];
    assert.equal(stats[0].messages + stats[1].messages, count);
    assert.ok(stats[1].committed > 0, "both members took part");
  });
});
