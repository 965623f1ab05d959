// Reads back what landed in a topic, partition by partition, through the Conn API.

import { dial, dialLeader, type Message } from "../mod.ts";

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
