// Reads back what landed in a topic, partition by partition, through the Conn API.

import { dial, dialLeader, FirstOffset, type Message, Reader } from "../mod.ts";

/** Every message of `topic` (all partitions), waiting until `expected` have arrived. */
export async function readTopic(
  address: string,
  topic: string,
  expected: number,
): Promise<Message[]> {
  await using admin = await dial(address);
  const partitions = await admin.readPartitions([topic]);
  const out: Message[] = [];
  const deadline = Date.now() + 30_000;
  const conns = await Promise.all(partitions.map((p) => dialLeader(address, topic, p.id)));
  try {
    while (out.length < expected && Date.now() < deadline) {
      for (const conn of conns) {
        const batch = await conn.readBatchWith({ maxBytes: 4 << 20, maxWait: 100, timeout: 5_000 });
        for await (const m of batch) out.push(m);
      }
    }
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
  return out;
}

/**
 * Every record of `topic` up to each partition's end as it is now (the log end offsets are
 * read first), duplicates included: what a full read-back after a chaos run counts. With
 * `read_committed`, aborted records are skipped (every transaction must have ended).
 */
export async function readWholeTopic(
  address: string,
  topic: string,
  isolationLevel: "read_committed" | "read_uncommitted" = "read_uncommitted",
): Promise<Message[]> {
  await using admin = await dial(address);
  const partitions = await admin.readPartitions([topic]);
  const out: Message[] = [];
  for (const p of partitions) {
    await using conn = await dialLeader(address, topic, p.id);
    const end = await conn.readLastOffset();
    const deadline = Date.now() + 120_000;
    // The position moves past control records and aborted ones too, which yield nothing.
    while (conn.offset().offset < end) {
      if (Date.now() > deadline) {
        throw new Error(`${topic}/${p.id}: stuck at ${conn.offset().offset} of ${end}`);
      }
      const batch = await conn.readBatchWith({
        maxBytes: 4 << 20,
        maxWait: 100,
        timeout: 10_000,
        isolationLevel,
      });
      for await (const m of batch) out.push(m);
    }
  }
  return out;
}

/**
 * One partition's values in log order as a Reader of `isolationLevel` sees them, up to (not
 * including) the first `sentinel` value: a test's last committed write, so everything before
 * it is settled.
 */
export async function readUntilSentinel(
  brokers: string,
  topic: string,
  isolationLevel: "read_committed" | "read_uncommitted",
  sentinel: string,
  partition = 0,
): Promise<string[]> {
  await using reader = new Reader({
    brokers,
    topic,
    partition,
    isolationLevel,
    startOffset: FirstOffset,
    maxWait: 100,
  });
  const dec = new TextDecoder();
  const values: string[] = [];
  const signal = AbortSignal.timeout(60_000);
  for (;;) {
    const v = dec.decode((await reader.fetchMessage({ signal })).value!);
    if (v === sentinel) return values;
    values.push(v);
  }
}
