/**
 * Consumer benchmark runner for kafkit's Reader, on Deno, Bun or Node 24 (started by
 * `scripts/bench/consumer.ts`):
 *
 *   deno run -A scripts/bench/consumer/kafkit.ts '<RunSpec JSON>'
 *   bun scripts/bench/consumer/kafkit.ts '<RunSpec JSON>'
 *   node scripts/bench/consumer/kafkit.ts '<RunSpec JSON>'
 *
 * kafkit's fastest path: one partition reader (no group, so no commits) per partition,
 * starting at FirstOffset, each drained by `fetchMessage()` in a loop. Every reader fetches
 * ahead into its own queue of `queueCapacity` messages; record batch CRC-32Cs are always
 * checked.
 *
 * @module
 */

import { FirstOffset, Reader, ReaderClosedError, VERSION } from "../../../mod.ts";
import { runConsumer } from "./_measure.ts";

await runConsumer(`kafkit ${VERSION}`, (spec, sink) => {
  const readers: Reader[] = [];
  const loops: Promise<void>[] = [];
  let closing = false;
  sink.start();
  for (let partition = 0; partition < spec.partitions; partition++) {
    const end = spec.ends?.[partition];
    if (end === 0) continue;
    const reader = new Reader({
      brokers: spec.brokers,
      topic: spec.topic,
      partition,
      startOffset: FirstOffset,
      minBytes: 1,
      maxBytes: spec.fetchBytes,
      maxWait: spec.maxWaitMs,
      queueCapacity: spec.queueCapacity,
    });
    readers.push(reader);
    loops.push((async () => {
      try {
        for (;;) {
          const m = await reader.fetchMessage();
          sink.add(m.value);
          if (end !== undefined ? m.offset + 1 >= end : sink.finished) return;
        }
      } catch (e) {
        if (!closing && !(e instanceof ReaderClosedError)) sink.fail(e);
      }
    })());
  }
  return Promise.resolve({
    close: async () => {
      closing = true;
      await Promise.all(readers.map((r) => r.close()));
      await Promise.allSettled(loops);
    },
    settings: `one partition Reader per partition (no group, no commits), fetchMessage() loop, ` +
      `startOffset=FirstOffset, minBytes=1, maxBytes=${spec.fetchBytes}, ` +
      `maxWait=${spec.maxWaitMs} ms, queueCapacity=${spec.queueCapacity}, CRC-32C always checked`,
  });
});
