/**
 * Producer benchmark runner for @platformatic/kafka on Node 24 (started by
 * `scripts/bench/producer.ts`):
 *
 *   node scripts/bench/producer/platformatic.ts '<RunSpec JSON>'
 *
 * Like kafkajs, `producer.send()` becomes one Produce request per broker (no linger), so the
 * driver's call size is the batch size. Defaults otherwise: not idempotent, at most 5 requests
 * in flight per connection, round robin without a key; with one, its default partitioner:
 * `murmur2(key) >>> 0` modulo the partition count. The Java client masks the sign bit instead;
 * the two differ by 2^31 for half the keys, so they agree when the count is a power of two
 * (as 64), not in general.
 *
 * @module
 */

import { Producer } from "@platformatic/kafka";
import { keyCycle, payload, runBenchmark } from "./_measure.ts";

const VERSION = "2.12.1";

await runBenchmark(`@platformatic/kafka ${VERSION}`, (spec) => {
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
    clientId: "kafkit-bench",
    bootstrapBrokers: spec.brokers.split(","),
    acks: spec.acks,
    compression: "none",
    autocreateTopics: false,
  });
  const value = Buffer.from(payload(spec.size));
  const topic = spec.topic;
  const nextKey = keyCycle(spec.keys, (bytes) => Buffer.from(bytes));
  const send = (count: number) => {
    const messages = new Array(count);
    if (nextKey) { for (let i = 0; i < count; i++) messages[i] = { topic, key: nextKey(), value }; }
    else for (let i = 0; i < count; i++) messages[i] = { topic, value };
    return producer.send({ messages });
  };
  return Promise.resolve({
    send,
    close: () => producer.close(),
    settings: "acks per producer, idempotent=false, no linger (one Produce request per send), " +
      "maxInflights=5, compression=none, " +
      (spec.keys > 0 ? "default partitioner (murmur2(key) >>> 0 % partitions)" : "round robin"),
  });
});
