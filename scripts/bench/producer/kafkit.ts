/**
 * Producer benchmark runner for kafkit's Writer, on Deno, Bun or Node 24 (started by
 * `scripts/bench/producer.ts`):
 *
 *   deno run -A scripts/bench/producer/kafkit.ts '<RunSpec JSON>'
 *   bun scripts/bench/producer/kafkit.ts '<RunSpec JSON>'
 *   node scripts/bench/producer/kafkit.ts '<RunSpec JSON>'
 *
 * Driven like the peers: `writeMessages` calls of one batch's worth of messages, several
 * open at once (the in-flight budget), each resolving when all its messages are acknowledged
 * — so send→ack is measured the same way as for kafkajs and @platformatic/kafka. The Writer
 * batches per partition (`batchBytes`, `batchTimeout` = linger) across those calls; it is
 * idempotent by default with acks=all (as the Java client is), and not with acks=1. Without
 * keys it balances round robin (its default); with keys, by `Murmur2Balancer` (the Java
 * client's partition for a key).
 *
 * @module
 */

import { Murmur2Balancer, VERSION, Writer } from "../../../mod.ts";
import { type Connect, detectConnect } from "../../../src/transport/socket.ts";
import { chunking, keyCycle, payload, runBenchmark } from "./_measure.ts";

/**
 * The runtime's socket, counting the Produce requests written (a frame's api key, after its
 * 4-byte size, is 0): how many requests the broker got for how many batches.
 */
let produceRequests = 0;
const runtimeConnect = await detectConnect();
const counting: Connect = async (options) => {
  const socket = await runtimeConnect(options);
  const write = socket.write.bind(socket);
  socket.write = (data) => {
    if (data.length >= 6 && data[4] === 0 && data[5] === 0) produceRequests++;
    return write(data);
  };
  return socket;
};

await runBenchmark(`kafkit ${VERSION}`, (spec) => {
  const { chunk } = chunking(spec);
  const writer = new Writer({
    connect: counting,
    brokers: spec.brokers,
    topic: spec.topic,
    batchBytes: spec.batchBytes,
    // Count limit above what fits in batchBytes, so bytes decide, as batch.size does in Java.
    batchSize: chunk,
    batchTimeout: spec.lingerMs,
    requiredAcks: spec.acks,
    // Five batches in flight per partition, as the peers run (Java's
    // max.in.flight.requests.per.connection, platformatic's maxInflights); the Writer's default
    // without idempotence (acks=1) is one, which keeps order across retries.
    maxInFlight: 5,
    ...(spec.keys > 0 ? { balancer: new Murmur2Balancer() } : {}),
  });
  const value = payload(spec.size);
  const nextKey = keyCycle(spec.keys);
  const send = (count: number) => {
    const messages = new Array(count);
    if (nextKey) { for (let i = 0; i < count; i++) messages[i] = { key: nextKey(), value }; }
    else for (let i = 0; i < count; i++) messages[i] = { value };
    return writer.writeMessages(messages);
  };
  return Promise.resolve({
    send,
    close: async () => {
      const batches = writer.stats().batchSize.count;
      await writer.close();
      // For the record (stderr): one Produce per broker carries every ready partition's batch.
      console.error(`kafkit: ${produceRequests} Produce requests for ${batches} batches`);
    },
    settings: "requiredAcks per writer, idempotent by default (true with acks=all, false with " +
      `acks=1), maxInFlight=5, batchBytes=${spec.batchBytes}, batchSize=batchBytes÷size, ` +
      `batchTimeout=${spec.lingerMs} ms, compression=none, ` +
      (spec.keys > 0 ? "Murmur2Balancer (the Java client's partition for a key)" : "round robin"),
  });
});
