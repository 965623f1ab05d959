/**
 * The README's demo: connects to Kafka, makes sure a topic exists, writes three records to
 * it and reads them back, printing each step. Uses the low-level connection and the
 * generated protocol messages (the Writer and Reader APIs build on these).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 deno run -A scripts/demo.ts
 *
 * @module
 */

import process from "node:process";
import { Connection } from "../mod.ts";
import { Fetch, Metadata, Produce } from "../src/protocol/mod.ts";
import {
  type FetchedRecord,
  readRecordBatches,
  writeRecordBatch,
} from "../src/protocol/records.ts";
import { Writer } from "../src/wire/writer.ts";

/** What the demo wrote and read back. */
export interface DemoResult {
  topic: string;
  baseOffset: number;
  read: { offset: number; key: string; value: string }[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs the demo against `brokers` (comma-separated host:port), logging through `log`. */
export async function runDemo(
  brokers: string,
  topic = `kafkit-demo-${Date.now()}`,
  log: (line: string) => void = console.log,
): Promise<DemoResult> {
  const [host, port] = splitAddress(brokers.split(",")[0]);
  await using bootstrap = await Connection.connect({ host, port, clientId: "kafkit-demo" });
  log(`connected to ${bootstrap.address}; Metadata v${bootstrap.negotiate(Metadata)}`);
  const { topicId, leader } = await waitForLeader(bootstrap, topic);
  log(`topic ${topic} (id ${topicId}) partition 0 leader: ${leader.host}:${leader.port}`);
  await using conn = await Connection.connect(leader);

  const messages = ["hello", "from", "kafkit"].map((v, i) => ({ key: `k${i}`, value: v }));
  const baseOffset = await produce(conn, topic, topicId, messages);
  log(
    `wrote ${messages.length} records with Produce v${
      conn.negotiate(Produce)
    }: base offset ${baseOffset}`,
  );
  const { records, highWatermark } = await fetchFrom(conn, topic, topicId, baseOffset);
  const read = records.map((r) => ({
    offset: r.offset,
    key: dec.decode(r.key!),
    value: dec.decode(r.value!),
  }));
  for (const r of read) log(`read offset ${r.offset}: ${r.key} = ${r.value}`);
  log(`high watermark ${highWatermark}; read back ${read.length} of ${messages.length} records`);
  return { topic, baseOffset, read };
}

/** Writes string records to partition 0 as one batch (acks=all); returns the base offset. */
export async function produce(
  conn: Connection,
  topic: string,
  topicId: string,
  messages: { key: string; value: string }[],
): Promise<number> {
  const batch = new Writer();
  writeRecordBatch(
    batch,
    messages.map((m) => ({ key: enc.encode(m.key), value: enc.encode(m.value) })),
  );
  const produced = await conn.request(Produce, {
    acks: -1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, topicId, partitionData: [{ index: 0, records: batch.bytes() }] }],
  });
  const part = produced.responses[0].partitionResponses[0];
  if (part.errorCode !== 0) throw new Error(`produce failed with error code ${part.errorCode}`);
  return Number(part.baseOffset);
}

/** Fetches partition 0 from `offset` once; returns the records at or after it. */
export async function fetchFrom(
  conn: Connection,
  topic: string,
  topicId: string,
  offset: number,
): Promise<{ records: FetchedRecord[]; highWatermark: number }> {
  const fetched = await conn.request(Fetch, {
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [{
      topic,
      topicId,
      partitions: [{ partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20 }],
    }],
  });
  const data = fetched.responses[0].partitions[0];
  if (data.errorCode !== 0) throw new Error(`fetch failed with error code ${data.errorCode}`);
  const records = (await readRecordBatches(data.records ?? new Uint8Array(0)))
    .flatMap((b) => b.records)
    .filter((r) => r.offset >= offset);
  return { records, highWatermark: Number(data.highWatermark) };
}

/**
 * Asks for the topic (creating it through auto-creation) until partition 0 has a leader;
 * returns the topic id and the leader's address.
 */
export async function waitForLeader(
  conn: Connection,
  topic: string,
): Promise<{ topicId: string; leader: { host: string; port: number } }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const meta = await conn.request(Metadata, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: true,
    });
    const t = meta.topics[0];
    const leader = meta.brokers.find((b) => b.nodeId === t?.partitions[0]?.leaderId);
    if (t?.errorCode === 0 && leader) return { topicId: t.topicId, leader };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`topic ${topic} has no leader after 5 s`);
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

if (import.meta.main) {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    console.error("KAFKA_BROKERS is not set (scripts/demo.sh starts a local Kafka and sets it)");
    process.exit(2);
  }
  await runDemo(brokers);
}
