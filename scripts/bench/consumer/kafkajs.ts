/**
 * Consumer benchmark runner for kafkajs on Node 24 (started by `scripts/bench/consumer.ts`):
 *
 *   node scripts/bench/consumer/kafkajs.ts '<RunSpec JSON>'
 *
 * kafkajs only consumes in a group: a fresh group id per run, `fromBeginning: true`, and
 * `eachBatch` (its fastest path; each message of the batch goes to the sink). Offsets are
 * committed every 5 s, as the Java client's `enable.auto.commit` does (kafkajs would
 * otherwise commit after every batch). kafkajs has no CRC check and no option for one: its
 * record batch decoder reads the CRC field and ignores it. kafkajs ships only a gzip codec (its
 * users add packages such as kafkajs-snappy and kafkajs-lz4, not installed here): the runner
 * registers kafkit's snappy, lz4 and zstd codecs, so kafkajs's figures for those codecs time
 * kafkit's decompression.
 *
 * @module
 */

import kafkajs from "kafkajs";
import { Buffer } from "node:buffer";
import { compressionCodec } from "../../../src/protocol/compression/mod.ts";
import { runConsumer } from "./_measure.ts";

const { Kafka, logLevel, CompressionCodecs, CompressionTypes } = kafkajs;
// kafkajs ships gzip only: the other codecs are kafkit's, registered the way its users add
// kafkajs-snappy, kafkajs-lz4 or a zstd package.
for (const [type, name] of [["Snappy", "snappy"], ["LZ4", "lz4"], ["ZSTD", "zstd"]] as const) {
  const codec = compressionCodec(name);
  CompressionCodecs[CompressionTypes[type]] = () => ({
    compress: async (encoder: { buffer: Buffer }) =>
      Buffer.from(await codec.compress(encoder.buffer)),
    decompress: async (buffer: Buffer) => Buffer.from(await codec.decompress(buffer)),
  });
}
const VERSION = "2.2.4";

await runConsumer(`kafkajs ${VERSION}`, async (spec, sink) => {
  const kafka = new Kafka({
    clientId: "kafkit-bench",
    brokers: spec.brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `bench-kafkajs-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    minBytes: 1,
    maxBytes: spec.fetchBytes,
    maxBytesPerPartition: spec.fetchBytes,
    maxWaitTimeInMs: spec.maxWaitMs,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.topic], fromBeginning: true });
  // The measured window starts once the group is joined (as the Java tool's fetch.time.ms).
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => {
      sink.start();
      resolve();
    })
  );
  await consumer.run({
    autoCommitInterval: 5000,
    eachBatch: ({ batch }) => {
      for (const m of batch.messages) sink.add(m.value);
      return Promise.resolve();
    },
  });
  await joined;
  return {
    close: () => consumer.disconnect(),
    settings:
      `group (fresh id), fromBeginning, eachBatch, autoCommitInterval=5000 ms, minBytes=1, ` +
      `maxBytes=maxBytesPerPartition=${spec.fetchBytes}, maxWaitTimeInMs=${spec.maxWaitMs}, ` +
      "read_committed (default), no CRC check (none available), kafkit's codecs for snappy, " +
      "lz4 and zstd",
  };
});
