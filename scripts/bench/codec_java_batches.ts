/**
 * Captures record batches compressed by the Java client, for the codec benchmark's batch
 * part (`compression.ts batches`): the Java producer's snappy, lz4 and zstd are native
 * libraries whose output differs from kafkit's own encoders (different match choices), and
 * what a consumer decodes in practice is mostly the Java producer's.
 *
 *   set -a; source /tmp/kafkit-kafka/single/env; set +a
 *   deno run -A scripts/bench/codec_java_batches.ts [dir]   (default /tmp/kafkit-java-batches)
 *   JAVA_BATCHES=/tmp/kafkit-java-batches deno run -A scripts/bench/compression.ts batches
 *
 * For each codec and value size (100 B, 1 KiB) ProducerPerformance writes random uppercase
 * letters to a fresh topic with the consumer benchmark's producer settings (64 KiB batches);
 * one raw 1 MiB Fetch of its records is saved as `<codec>-<size>.bin`, and the topic deleted.
 * That is eight JVM starts, about half a minute of CPU.
 *
 * @module
 */

import process from "node:process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dial } from "../../mod.ts";
import { Connection } from "../../src/core.ts";
import { parseAddress } from "../../src/address.ts";
import { Fetch } from "../../src/protocol/generated/fetch.ts";
import { fetchRequest } from "../../src/cluster/requests/fetch.ts";
import { seedTopic } from "./consumer/java.ts";
import { createTopic, deleteTopic } from "./_topics.ts";

const FETCH_BYTES = 1 << 20;
const dir = process.argv[2] ?? "/tmp/kafkit-java-batches";
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is not set (source the broker's env file)");
mkdirSync(dir, { recursive: true });

/** The records field of one Fetch of partition 0 of `topic` from offset 0. */
async function fetchRaw(topic: string): Promise<Uint8Array> {
  const address = brokers!.split(",")[0];
  let topicId: string;
  {
    await using conn = await dial(address);
    [{ topicId }] = await conn.readPartitions([topic]);
  }
  await using conn = await Connection.connect(parseAddress(address));
  const res = await conn.request(
    Fetch,
    fetchRequest([{ topic, topicId, partition: 0, offset: 0 }], {
      minBytes: FETCH_BYTES,
      maxBytes: FETCH_BYTES,
      maxWait: 1000,
      readCommitted: false,
    }),
  );
  const part = res.responses[0].partitions[0];
  if (part.errorCode !== 0) throw new Error(`fetch of ${topic} failed: error ${part.errorCode}`);
  return part.records ?? new Uint8Array(0);
}

for (const codec of ["snappy", "lz4", "zstd", "gzip"]) {
  for (const size of [100, 1024]) {
    const topic = `kafkit-codec-java-${codec}-${size}-${Date.now()}`;
    const records = Math.ceil((FETCH_BYTES * 1.5) / size);
    await createTopic(brokers, topic, 1);
    try {
      await seedTopic(brokers, topic, records, size, 65536, 120_000, codec);
      const raw = await fetchRaw(topic);
      const file = `${dir}/${codec}-${size}.bin`;
      writeFileSync(file, raw);
      console.log(`${file}: ${raw.length} bytes`);
    } finally {
      await deleteTopic(brokers, topic);
    }
  }
}
