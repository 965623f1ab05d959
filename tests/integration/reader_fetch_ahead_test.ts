// Reading while the writer keeps producing, against the real broker: the fetcher sends each
// next Fetch before it has decoded the last answer (from where its batch headers end), and
// small responses (maxBytes) end in partial batches, yet a partition Reader and a group
// Reader each see every offset exactly once, in order per partition.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, FirstOffset, type Message, Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const PARTITIONS = 4;
const PER_PARTITION = 3_000;
const CHUNK = 100;
const pad = "x".repeat(90);

/** Whether the writer is still producing. */
let writing = true;

/**
 * Reads `n` messages, checking each partition's offsets come once each, in order, from 0;
 * returns each partition's count and how many were read while the writer was producing.
 */
async function readAll(r: Reader, n: number) {
  const next = new Map<number, number>();
  let during = 0;
  const dec = new TextDecoder();
  for (let i = 0; i < n; i++) {
    const m: Message = await r.readMessage({ signal: AbortSignal.timeout(30_000) });
    const expected = next.get(m.partition) ?? 0;
    assert.equal(
      m.offset,
      expected,
      `partition ${m.partition}: offset ${m.offset} after ${expected - 1}`,
    );
    assert.equal(dec.decode(m.value!), `${m.partition}:${m.offset}:${pad}`);
    next.set(m.partition, expected + 1);
    if (writing) during++;
  }
  return { next, during };
}

describe(`Reader with the fetch sent ahead (${RUNTIME})`, () => {
  test("a partition and a group Reader read while the writer produces: every offset once, in order", async () => {
    const topic = `kafkit-fetch-ahead-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    {
      await using conn = await dial(brokers()[0]);
      await conn.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    }
    const written = (async () => {
      await using w = new Writer({ brokers: brokers(), topic });
      for (let from = 0; from < PER_PARTITION; from += CHUNK) {
        const messages = [];
        for (let p = 0; p < PARTITIONS; p++) {
          for (let i = from; i < from + CHUNK; i++) {
            messages.push({ partition: p, value: `${p}:${i}:${pad}` });
          }
        }
        await w.writeMessages(messages);
        // The readers catch up with the end of the log now and then.
        await new Promise((r) => setTimeout(r, 10));
      }
      writing = false;
    })();
    // Small responses: many fetches, most ending in a partial batch.
    const common = { brokers: brokers(), maxBytes: 16 << 10, maxWait: 100 };
    await using byPartition = new Reader({
      ...common,
      partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
        topic,
        partition,
        offset: FirstOffset,
      })),
    });
    await using group = new Reader({
      ...common,
      topic,
      groupId: `${topic}-g`,
      startOffset: FirstOffset,
      commitInterval: 1_000,
    });
    const total = PARTITIONS * PER_PARTITION;
    const [, a, b] = await Promise.all([
      written,
      readAll(byPartition, total),
      readAll(group, total),
    ]);
    const all = new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, PER_PARTITION]));
    assert.deepEqual(a.next, all);
    assert.deepEqual(b.next, all);
    assert.ok(a.during > 0 && b.during > 0, `read while writing: ${a.during}, ${b.during}`);
    const fetches = byPartition.stats().totals.fetches;
    assert.ok(fetches > total / 200, `many fetches (${fetches}): each one small`);
  });
});
