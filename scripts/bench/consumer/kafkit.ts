/**
 * Consumer benchmark runner for kafkit's Reader, on Deno, Bun or Node 24 (started by
 * `scripts/bench/consumer.ts`):
 *
 *   deno run -A scripts/bench/consumer/kafkit.ts '<RunSpec JSON>'
 *   bun scripts/bench/consumer/kafkit.ts '<RunSpec JSON>'
 *   node scripts/bench/consumer/kafkit.ts '<RunSpec JSON>'
 *
 * Two ways to read (the spec's `reader`):
 *
 * - "partition": one Reader over every partition of the topic (the `partitions` option: no
 *   group, so no commits), starting at FirstOffset, drained by `fetchMessage()` in a loop.
 * - "group": one group Reader over the topic (a fresh group, FirstOffset), drained by
 *   `readMessage()`, which queues each message's offset for the interval commit (every 5 s),
 *   the way an application consumes with kafka-go. The window starts once the partitions are
 *   assigned.
 *
 * With the spec's `batch` (kafkit's fastest path) the readers are drained a batch per call
 * instead: `fetchMessages()` and `readMessages()` return up to 1000 queued messages (their default).
 *
 * Every reader fetches ahead into its own queue of `queueCapacity` messages; record batch
 * CRC-32Cs are checked unless the spec turns `checkCrcs` off; with `nativeCrc` they are checked
 * by @node-rs/crc32's native CRC-32C, registered with `registerCrc32c`.
 *
 * @module
 */

import { FirstOffset, type Message, Reader, ReaderClosedError, VERSION } from "../../../mod.ts";
import { registerCrc32c } from "../../../src/protocol/mod.ts";
import { readSpec, runConsumer } from "./_measure.ts";

// Before the run reads anything.
if (readSpec().nativeCrc) {
  const { crc32c } = await import("@node-rs/crc32");
  registerCrc32c((data, crc) => crc32c(data, crc));
}

/** The interval commit of the group runs, ms (the measurements used 5 s). */
const COMMIT_INTERVAL_MS = 5000;

await runConsumer(`kafkit ${VERSION}`, (spec, sink) => {
  const readers: Reader[] = [];
  const loops: Promise<void>[] = [];
  let closing = false;
  const checkCrcs = spec.checkCrcs ?? true;
  const common = {
    brokers: spec.brokers,
    startOffset: FirstOffset,
    minBytes: 1,
    maxBytes: spec.fetchBytes,
    maxWait: spec.maxWaitMs,
    queueCapacity: spec.queueCapacity,
    // Only when off: the default leaves the runner usable on builds without the option.
    ...(checkCrcs ? {} : { checkCrcs }),
  };
  /** Feeds the sink from `read` (a message, or a batch of them, per call) to the last message. */
  const drain = (reader: Reader, read: () => Promise<Message | Message[]>) => {
    readers.push(reader);
    loops.push((async () => {
      try {
        for (;;) {
          const got = await read();
          for (const m of Array.isArray(got) ? got : [got]) {
            sink.add(m.value);
            if (sink.finished) return;
          }
        }
      } catch (e) {
        if (!closing && !(e instanceof ReaderClosedError)) sink.fail(e);
      }
    })());
  };
  const batch = spec.batch ?? false;
  const group = spec.reader === "group";
  if (group) {
    const reader = new Reader({
      ...common,
      groupId: `bench-kafkit-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      groupTopics: [spec.topic],
      commitInterval: COMMIT_INTERVAL_MS,
      onAssigned: () => sink.start(),
    });
    drain(reader, batch ? () => reader.readMessages() : () => reader.readMessage());
  } else {
    sink.start();
    const partitions = Array.from({ length: spec.partitions }, (_, partition) => ({
      topic: spec.topic,
      partition,
      offset: FirstOffset,
    }));
    const reader = new Reader({ ...common, partitions });
    drain(reader, batch ? () => reader.fetchMessages() : () => reader.fetchMessage());
  }
  const crc = !checkCrcs
    ? "checkCrcs=false"
    : spec.nativeCrc
    ? "CRC-32C checked by @node-rs/crc32 (registerCrc32c)"
    : "CRC-32C checked";
  const how = group
    ? `one group Reader (fresh group), ${batch ? "readMessages()" : "readMessage()"} loop, ` +
      `commitInterval=${COMMIT_INTERVAL_MS} ms`
    : "one Reader over every partition (`partitions`, no group, no commits), " +
      `${batch ? "fetchMessages()" : "fetchMessage()"} loop`;
  return Promise.resolve({
    close: async () => {
      closing = true;
      await Promise.all(readers.map((r) => r.close()));
      await Promise.allSettled(loops);
    },
    settings: `${how}, startOffset=FirstOffset, minBytes=1, maxBytes=${spec.fetchBytes}, ` +
      `maxWait=${spec.maxWaitMs} ms, queueCapacity=${spec.queueCapacity}, ${crc}`,
  });
});
