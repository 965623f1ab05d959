/**
 * Consumer benchmark runner for @platformatic/kafka on Node 24 (started by
 * `scripts/bench/consumer.ts`):
 *
 *   node scripts/bench/consumer/platformatic.ts '<RunSpec JSON>'
 *
 * A group consumer (a fresh group id per run) whose message stream starts at the earliest
 * offset and is read in flowing mode (`data` events, its fastest path). Offsets are committed
 * every 5 s, as the Java client's `enable.auto.commit` does (by default it commits after every
 * fetch). @platformatic/kafka has no CRC check and no option for one: its record batch reader
 * keeps the CRC field without verifying it.
 *
 * @module
 */

import { Consumer } from "@platformatic/kafka";
import { runConsumer } from "./_measure.ts";

const VERSION = "2.12.1";

await runConsumer(`@platformatic/kafka ${VERSION}`, async (spec, sink) => {
  const consumer = new Consumer({
    clientId: "kafkit-bench",
    groupId: `bench-platformatic-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    bootstrapBrokers: spec.brokers.split(","),
  });
  // The measured window starts once the group is joined (as the Java tool's fetch.time.ms).
  consumer.on("consumer:group:join", () => sink.start());
  const stream = await consumer.consume({
    topics: [spec.topic],
    mode: "earliest",
    autocommit: 5000,
    minBytes: 1,
    maxBytes: spec.fetchBytes,
    maxBytesPerPartition: spec.fetchBytes,
    maxWaitTime: spec.maxWaitMs,
  });
  stream.on("data", (m: { value: Buffer | undefined }) => sink.add(m.value));
  stream.on("error", (e: unknown) => sink.fail(e));
  return {
    close: async () => {
      await stream.close();
      await consumer.close(true);
    },
    settings: `group (fresh id), mode=earliest, stream in flowing mode (data events), ` +
      `autocommit=5000 ms, minBytes=1, maxBytes=maxBytesPerPartition=${spec.fetchBytes}, ` +
      `maxWaitTime=${spec.maxWaitMs} ms, highWaterMark=1024 (default), read_committed ` +
      "(default), no CRC check (none available)",
  };
});
