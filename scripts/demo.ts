/**
 * The README's demo: writes three messages with a Writer (creating the topic), reads them
 * back with a partition connection, and prints each step.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 deno run -A scripts/demo.ts
 *
 * @module
 */

import process from "node:process";
import { Dialer, SeekAbsolute, Writer } from "../mod.ts";

/** What the demo wrote and read back. */
export interface DemoResult {
  topic: string;
  read: { offset: number; key: string; value: string }[];
}

const dec = new TextDecoder();

/** Runs the demo against `brokers` (comma-separated host:port), logging through `log`. */
export async function runDemo(
  brokers: string,
  topic = `kafkit-demo-${Date.now()}`,
  log: (line: string) => void = console.log,
): Promise<DemoResult> {
  const addresses = brokers.split(",");
  const messages = [["k0", "hello"], ["k1", "from"], ["k2", "kafkit"]].map(([key, value]) => ({
    key,
    value,
  }));
  {
    await using writer = new Writer({ brokers: addresses, topic, allowAutoTopicCreation: true });
    await writer.writeMessages(messages);
    const stats = writer.stats();
    log(
      `wrote ${stats.messages} messages to ${topic} in ${stats.batchSize.count} batch(es), acks=all, idempotent`,
    );
  }
  const dialer = new Dialer({ clientId: "kafkit-demo" });
  const partition = await dialer.lookupPartition(addresses[0], topic, 0);
  log(
    `partition 0 of ${topic} is led by broker ${partition.leader.id} at ${partition.leader.host}:${partition.leader.port}`,
  );
  await using conn = await dialer.dialPartition(addresses[0], partition);
  await conn.seek(0, SeekAbsolute);
  const read: DemoResult["read"] = [];
  while (read.length < messages.length) {
    for await (const m of await conn.readBatch(1, 1 << 20, { timeout: 5_000 })) {
      read.push({ offset: m.offset, key: dec.decode(m.key!), value: dec.decode(m.value!) });
      log(`read offset ${m.offset}: ${dec.decode(m.key!)} = ${dec.decode(m.value!)}`);
    }
  }
  log(
    `read back ${read.length} of ${messages.length} messages; the partition ends at ${await conn
      .readLastOffset()}`,
  );
  return { topic, read };
}

if (import.meta.main) {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    console.error("KAFKA_BROKERS is not set (scripts/demo.sh starts a local Kafka and sets it)");
    process.exit(2);
  }
  await runDemo(brokers);
}
