// Each balancer against the real client it claims to match: the Java producer (Kafka 4.3.1's
// jars) for Murmur2Balancer and StickyBalancer's keyed messages, and librdkafka through kcat
// for CRC32Balancer (consistent, consistent_random), Murmur2Balancer (murmur2,
// murmur2_random) and Hash (fnv1a, which picks the same partitions as Sarama's default hash
// partitioner). The same few thousand keys go to topics of several partition counts; the
// partition each peer chose is read back (kcat) or reported (Java) and compared.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  type Balancer,
  CRC32Balancer,
  dial,
  dialLeader,
  Hash,
  Murmur2Balancer,
  StickyBalancer,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { javaTool } from "../_java.ts";
import { concatBytes } from "../../src/wire/bytes.ts";

const COUNTS = [1, 3, 6, 7, 32, 100];
const KEY_COUNT = 2000;
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Deterministic keys of every murmur2 tail length: the empty key, ASCII, UTF-8 strings and raw
 * bytes (passed to the balancers as Uint8Array), never holding kcat's delimiters (`:`, `\n`),
 * plus a few missing keys.
 */
function makeKeys(): (string | Uint8Array | null)[] {
  let seed = 0x2545f491;
  const next = (bound: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % bound;
  };
  const unicode = ["é", "ß", "ключ", "键", "😀", "ü", "Ω", "-", "0"];
  const keys: (string | Uint8Array | null)[] = ["", null, null, null];
  for (let i = 0; keys.length < KEY_COUNT; i++) {
    const length = 1 + next(40);
    switch (i % 4) {
      case 0:
        keys.push(`user-${i}`);
        break;
      case 1: {
        let s = "";
        while (s.length < length) {
          const c = 0x20 + next(0x5f);
          if (c !== 0x3a) s += String.fromCharCode(c);
        }
        keys.push(s);
        break;
      }
      case 2: {
        let s = "";
        for (let j = 0; j < 1 + next(8); j++) s += unicode[next(unicode.length)];
        keys.push(s);
        break;
      }
      default: {
        const bytes = new Uint8Array(length);
        for (let j = 0; j < length; j++) {
          let b = next(256);
          while (b === 0 || b === 0x0a || b === 0x0d || b === 0x3a) b = next(256);
          bytes[j] = b;
        }
        keys.push(bytes);
      }
    }
  }
  return keys;
}

const KEYS = makeKeys();
const KEY_BYTES = KEYS.map((k) => (k === null ? null : typeof k === "string" ? enc.encode(k) : k));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const topicName = (what: string, n: number) =>
  `kafkit-partitioner-${what}-${n}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

/**
 * Runs a command, feeding `input` when given; resolves with its stdout, rejects on a non-zero
 * exit. A command that exits without reading its input fails through its exit code, not EPIPE.
 */
function run(command: string, args: string[], input?: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let out = "", err = "";
    child.stdout!.on("data", (d) => out += d);
    child.stderr!.on("data", (d) => err += d);
    child.on("error", (e) => reject(new Error(`${command}: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${err}`));
    });
    if (input !== undefined) {
      child.stdin!.on("error", (e) => err += `(stdin: ${e.message})`);
      child.stdin!.end(input);
    }
  });
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(range(Math.min(limit, items.length)).map(worker));
}

/** Creates topics of the given partition counts (one request) and returns their names. */
async function createTopics(what: string): Promise<Map<number, string>> {
  const broker = kafkaEnv("KAFKA_BROKERS").split(",")[0];
  const topics = new Map(COUNTS.map((n) => [n, topicName(what, n)]));
  await using conn = await dial(broker);
  await conn.createTopics(
    [...topics].map(([n, topic]) => ({ topic, numPartitions: n, replicationFactor: 1 })),
    { timeout: 30_000 },
  );
  return topics;
}

/** Deletes the test's topics (best effort: the broker need not keep ~150 partitions a run). */
async function deleteTopics(topics: Map<number, string>): Promise<void> {
  try {
    await using conn = await dial(kafkaEnv("KAFKA_BROKERS").split(",")[0]);
    await conn.deleteTopics([...topics.values()], { timeout: 30_000 });
  } catch {
    // Left for the harness to discard.
  }
}

/** Waits until kcat's metadata shows `topic` with `n` partitions, all with a leader. */
async function kcatSees(broker: string, topic: string, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const md = JSON.parse(await run("kcat", ["-L", "-J", "-b", broker, "-t", topic, "-m", "5"]));
    const partitions: { leader: number }[] = md.topics?.[0]?.partitions ?? [];
    if (partitions.length === n && partitions.every((p) => p.leader >= 0)) return;
    if (Date.now() > deadline) throw new Error(`kcat does not see ${topic} with ${n} partitions`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Reads every record of `topic` with kafkit; returns each value's partition. */
async function partitionsByValue(
  broker: string,
  topic: string,
  n: number,
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  await pool(range(n), 16, async (p) => {
    await using conn = await dialLeader(broker, topic, p);
    const { first, last } = await conn.readOffsets({ timeout: 10_000 });
    if (first >= last) return;
    let offset = first;
    while (offset < last) {
      await using batch = await conn.readBatch(1, 1 << 20, { timeout: 10_000 });
      for await (const m of batch) {
        found.set(dec.decode(m.value!), p);
        offset = m.offset + 1;
      }
    }
  });
  return found;
}

interface Peer {
  /** librdkafka's partitioner name. */
  partitioner: string;
  /** The balancer that should pick as it does. */
  make: () => Balancer;
  /** Whether the peer's choice for this key is deterministic and ours should equal it. */
  comparable: (key: Uint8Array | null) => boolean;
}

const PEERS: Peer[] = [
  // crc32(key) % n; librdkafka hashes missing and empty keys alike (crc32 of nothing: 0).
  {
    partitioner: "consistent",
    make: () => new CRC32Balancer({ consistent: true }),
    comparable: () => true,
  },
  // Missing and empty keys: a random (sticky) partition in librdkafka, a random one in ours.
  {
    partitioner: "consistent_random",
    make: () => new CRC32Balancer(),
    comparable: (key) => key !== null && key.length > 0,
  },
  // Java-compatible murmur2; a missing key hashes as the empty key.
  {
    partitioner: "murmur2",
    make: () => new Murmur2Balancer({ consistent: true }),
    comparable: () => true,
  },
  {
    partitioner: "murmur2_random",
    make: () => new Murmur2Balancer(),
    comparable: (key) => key !== null,
  },
  // librdkafka's fnv1a is documented as Sarama's default hash partitioner; kafka-go's Hash
  // sends missing keys round robin where librdkafka hashes them as empty.
  { partitioner: "fnv1a", make: () => new Hash(), comparable: (key) => key !== null },
];

/** kcat's input: `key:value` lines (a missing key: the value alone), value = "peer.key". */
function kcatInput(peer: number): Uint8Array {
  const parts: Uint8Array[] = [];
  KEY_BYTES.forEach((key, i) => {
    if (key !== null) parts.push(key, enc.encode(":"));
    parts.push(enc.encode(`${peer}.${i}\n`));
  });
  return concatBytes(parts);
}

// A single-file Java program (JDK 11+ runs it without a separate javac step): for each
// topic:count argument it sends every key (hex lines on stdin) with a real KafkaProducer and
// prints, per key, BuiltInPartitioner.partitionForKey and the partition the producer used.
const JAVA_SOURCE = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class KafkitPartitionForKey {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    List<byte[]> keys = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) keys.add(HexFormat.of().parseHex(line));
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    StringBuilder out = new StringBuilder();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int a = 1; a < args.length; a++) {
        String topic = args[a].substring(0, args[a].lastIndexOf(':'));
        int n = Integer.parseInt(args[a].substring(args[a].lastIndexOf(':') + 1));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (byte[] key : keys) sent.add(producer.send(new ProducerRecord<>(topic, key, new byte[0])));
        producer.flush();
        for (int i = 0; i < keys.size(); i++) {
          out.append(BuiltInPartitioner.partitionForKey(keys.get(i), n)).append(' ')
            .append(sent.get(i).get().partition()).append('\\n');
        }
      }
    }
    System.out.print(out);
  }
}
`;

const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Sends every key through the Java producer to topics of each partition count; resolves with
 * the partition it used per count and key, checking it is `partitionForKey`'s.
 */
async function javaPartitions(keyed: Uint8Array[]): Promise<number[][]> {
  const broker = kafkaEnv("KAFKA_BROKERS").split(",")[0];
  const topics = await createTopics("java");
  const dir = mkdtempSync(join(tmpdir(), "kafkit-partitioner-"));
  // The C1 compiler alone starts the JVM faster; restored before any other tool can run.
  const opts = process.env.KAFKA_TOOL_JAVA_OPTS;
  let out: string;
  try {
    const source = join(dir, "KafkitPartitionForKey.java");
    writeFileSync(source, JAVA_SOURCE);
    let running: Promise<string>;
    process.env.KAFKA_TOOL_JAVA_OPTS = "-XX:TieredStopAtLevel=1";
    try {
      running = javaTool(
        source,
        [broker, ...[...topics].map(([n, topic]) => `${topic}:${n}`)],
        keyed.map(hex).join("\n") + "\n",
      );
    } finally {
      if (opts === undefined) delete process.env.KAFKA_TOOL_JAVA_OPTS;
      else process.env.KAFKA_TOOL_JAVA_OPTS = opts;
    }
    out = await running;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics(topics);
  }
  const lines = out.trim().split("\n");
  assert.equal(lines.length, keyed.length * COUNTS.length, "one line per key and count");
  return COUNTS.map((_, t) =>
    keyed.map((_, k) => {
      const [forKey, produced] = lines[t * keyed.length + k].split(" ").map(Number);
      assert.equal(forKey, produced, "the Java producer uses partitionForKey");
      return produced;
    })
  );
}

/**
 * Produces every key with kcat once per librdkafka partitioner to topics of each partition
 * count, then reads the topics back with kafkit; resolves with the partition of each
 * "peer.key" value per count.
 */
async function kcatPartitions(): Promise<Map<string, number>[]> {
  const broker = kafkaEnv("KAFKA_BROKERS").split(",")[0];
  const topics = await createTopics("kcat");
  try {
    await Promise.all([...topics].map(([n, topic]) => kcatSees(broker, topic, n)));
    const inputs = PEERS.map((_, i) => kcatInput(i));
    const runs = [...topics].flatMap(([, topic]) => PEERS.map((peer, i) => ({ topic, peer, i })));
    await pool(runs, 10, async ({ topic, peer, i }) => {
      const partitioner = `partitioner=${peer.partitioner}`;
      const args = ["-P", "-K:", "-b", broker, "-t", topic, "-X", partitioner];
      await run("kcat", args, inputs[i]);
    });
    return await Promise.all(
      [...topics].map(([n, topic]) => partitionsByValue(broker, topic, n)),
    );
  } finally {
    await deleteTopics(topics);
  }
}

/** A promise started on first use, its failure reported only to whoever awaits it. */
function started<T>(start: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    if (!promise) {
      promise = start();
      promise.catch(() => {});
    }
    return promise;
  };
}

describe(`balancers pick the partitions of the clients they follow (${RUNTIME})`, () => {
  const keyed = KEY_BYTES.filter((k): k is Uint8Array => k !== null);
  // Both peers run side by side: the JVM's start overlaps kcat's work.
  const java = started(() => javaPartitions(keyed));
  const kcat = started(kcatPartitions);

  test("Murmur2Balancer and StickyBalancer: the Java producer's partition for each key", async () => {
    kcat();
    const produced = await java();
    COUNTS.forEach((n, t) => {
      const partitions = range(n);
      const murmur = new Murmur2Balancer(), consistent = new Murmur2Balancer({ consistent: true });
      const sticky = new StickyBalancer();
      keyed.forEach((key, k) => {
        const what = `key ${hex(key)} over ${n} partitions`;
        assert.equal(murmur.balance({ key, value: null }, partitions), produced[t][k], what);
        assert.equal(consistent.balance({ key, value: null }, partitions), produced[t][k], what);
        assert.equal(sticky.balance({ key, value: null }, partitions), produced[t][k], what);
      });
    });
  });

  test("CRC32Balancer, Murmur2Balancer and Hash: librdkafka's partitioners (kcat)", async () => {
    const read = await kcat();
    COUNTS.forEach((n, t) => {
      const found = read[t];
      assert.equal(found.size, PEERS.length * KEYS.length, `all records of ${n} partitions`);
      const partitions = range(n);
      PEERS.forEach((peer, i) => {
        const ours = peer.make();
        KEYS.forEach((key, k) => {
          const theirs = found.get(`${i}.${k}`);
          const mine = ours.balance({ key, value: null }, partitions);
          assert.ok(theirs !== undefined && theirs >= 0 && theirs < n);
          if (!peer.comparable(KEY_BYTES[k])) return;
          const shown = key instanceof Uint8Array ? hex(key) : JSON.stringify(key);
          const what = `${peer.partitioner}: key ${shown} over ${n} partitions`;
          assert.equal(mine, theirs, what);
        });
      });
    });
  });
});
