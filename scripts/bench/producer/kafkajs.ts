/**
 * Producer benchmark runner for kafkajs on Node 24 (started by `scripts/bench/producer.ts`):
 *
 *   node scripts/bench/producer/kafkajs.ts '<RunSpec JSON>'
 *
 * kafkajs does not batch across calls: each `producer.send()` becomes one Produce request per
 * broker, so the driver's call size is the batch size. Defaults otherwise: not idempotent,
 * unlimited requests in flight, the Java-compatible partitioner (round robin without a key,
 * the Java client's murmur2 partition with one).
 *
 * @module
 */

import kafkajs from "kafkajs";
import { keyCycle, payload, runBenchmark } from "./_measure.ts";

const { CompressionTypes, Kafka, logLevel, Partitioners } = kafkajs;
const VERSION = "2.2.4";

await runBenchmark(`kafkajs ${VERSION}`, async (spec) => {
  const kafka = new Kafka({
    clientId: "kafkit-bench",
    brokers: spec.brokers.split(","),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const value = Buffer.from(payload(spec.size));
  const nextKey = keyCycle(spec.keys, (bytes) => Buffer.from(bytes));
  const send = (count: number) => {
    const messages = new Array(count);
    if (nextKey) { for (let i = 0; i < count; i++) messages[i] = { key: nextKey(), value }; }
    else for (let i = 0; i < count; i++) messages[i] = { value };
    return producer.send({
      topic: spec.topic,
      messages,
      acks: spec.acks,
      compression: CompressionTypes.None,
    });
  };
  return {
    send,
    close: () => producer.disconnect(),
    settings: "acks per send, idempotent=false, no linger (one Produce request per send), " +
      "maxInFlightRequests=unlimited, compression=none, default partitioner (" +
      (spec.keys > 0 ? "murmur2 of the key, as the Java client" : "round robin") + ")",
  };
});
