// Compressed batches across implementations: the Java producer writes with each codec and
// kafkit decodes exactly what the Java consumer sees; kafkit writes with each codec and the
// broker accepts it and the Java consumer reads it back.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Dialer } from "../../mod.ts";
import { Connection } from "../../src/core.ts";
import { Fetch, Produce } from "../../src/protocol/mod.ts";
import {
  encodeRecordBatch,
  type FetchedRecord,
  readRecordBatches,
} from "../../src/protocol/records.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";
import { javaConsume, javaTool } from "../_java.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** What the Java ConsoleConsumer prints per record, in a form both sides can produce. */
function line(
  r: { offset: number; timestamp: number; key: string; value: string; headers: string },
): string {
  return `${r.offset}|${r.timestamp}|${r.headers}|${r.key}|${r.value}`;
}

/** The Java consumer's view of the topic, as `line`s. */
async function javaLines(brokers: string, topic: string, count: number): Promise<string[]> {
  const lines = await javaConsume(brokers, topic, count, [
    "print.offset=true",
    "print.timestamp=true",
    "print.headers=true",
    "print.key=true",
    "key.separator=|",
    "headers.separator=;",
  ]);
  // "CreateTime:<ts>|Offset:<n>|<h1:v1;h2:v2>|<key>|<value>" → our line format.
  return lines.map((l) => {
    const [ts, off, headers, key, value] = l.split("|");
    return `${off.replace("Offset:", "")}|${
      ts.replace("CreateTime:", "")
    }|${headers}|${key}|${value}`;
  });
}

function ours(records: FetchedRecord[]): string[] {
  return records.map((r) =>
    line({
      offset: r.offset,
      timestamp: r.timestamp,
      key: dec.decode(r.key!),
      value: dec.decode(r.value!),
      headers: r.headers.length === 0
        ? "NO_HEADERS"
        : r.headers.map((h) => `${h.key}:${dec.decode(h.value!)}`).join(";"),
    })
  );
}

async function fetchAll(conn: Connection, topic: string, topicId: string, count: number) {
  const records: FetchedRecord[] = [];
  const batches: number[] = [];
  for (let i = 0; i < 50 && records.length < count; i++) {
    const res = await conn.request(Fetch, {
      maxWaitMs: 200,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{
        topic,
        topicId,
        partitions: [{
          partition: 0,
          fetchOffset: BigInt(records.length),
          partitionMaxBytes: 1 << 20,
        }],
      }],
    });
    const part = res.responses[0].partitions[0];
    assert.equal(part.errorCode, 0);
    for (const b of await readRecordBatches(part.records ?? new Uint8Array(0))) {
      batches.push(b.compression);
      records.push(...b.records.filter((r) => r.offset >= records.length));
    }
  }
  return { records, batches };
}

describe(`compression interop with the Java client (${RUNTIME})`, () => {
  for (const codec of CODECS) {
    test(`${codec}: the Java producer's batches decode exactly as the Java consumer reads them`, async () => {
      const brokers = kafkaEnv("KAFKA_BROKERS");
      await using conn = await Connection.connect(hostPort(brokers.split(",")[0]));
      const topic = `kafkit-java-${codec}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
      const { topicId } = await new Dialer().lookupPartition(brokers.split(",")[0], topic, 0);
      const input = Array.from(
        { length: 20 },
        (_, i) => `h${i}:x${i},n:ü\tkey-${i}\tvalue-${i}-${"z".repeat(i * 7)}`,
      );
      await javaTool("org.apache.kafka.tools.ConsoleProducer", [
        "--bootstrap-server",
        brokers,
        "--topic",
        topic,
        "--compression-codec",
        codec,
        ...["parse.key=true", "parse.headers=true"].flatMap((p) => ["--reader-property", p]),
      ], input.join("\n") + "\n");
      const { records, batches } = await fetchAll(conn, topic, topicId, input.length);
      const expectedCodec = CODECS.indexOf(codec);
      assert.ok(batches.every((c) => c === expectedCodec), `codecs ${batches} for ${codec}`);
      assert.deepEqual(ours(records), await javaLines(brokers, topic, input.length));
      assert.equal(dec.decode(records[3].key!), "key-3");
    });

    test(`${codec}: kafkit's batches are accepted and read back by the Java consumer`, async () => {
      const brokers = kafkaEnv("KAFKA_BROKERS");
      const topic = `kafkit-out-${codec}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
      const { topicId, leader } = await new Dialer().lookupPartition(
        brokers.split(",")[0],
        topic,
        0,
      );
      await using conn = await Connection.connect(leader);
      const base = Date.now();
      const records = Array.from({ length: 30 }, (_, i) => ({
        key: enc.encode(`k${i}`),
        value: enc.encode(`v${i}-${"y".repeat(i * 11)}`),
        headers: [{ key: "h", value: enc.encode(`ω${i}`) }],
        timestamp: base + i,
      }));
      const batch = await encodeRecordBatch(records, { compression: codec });
      const res = await conn.request(Produce, {
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: topic, topicId, partitionData: [{ index: 0, records: batch }] }],
      });
      assert.equal(res.responses[0].partitionResponses[0].errorCode, 0);
      const expected = records.map((r, i) =>
        line({
          offset: i,
          timestamp: base + i,
          key: `k${i}`,
          value: dec.decode(r.value),
          headers: `h:ω${i}`,
        })
      );
      assert.deepEqual(await javaLines(brokers, topic, records.length), expected);
    });
  }
});
