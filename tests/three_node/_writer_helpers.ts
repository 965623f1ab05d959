// What the Writer failover tests share: a fresh replicated topic, keyed writes one call at a
// time while a node fails, and the check that the log holds every acknowledged message
// exactly once and in order per key.

import assert from "node:assert/strict";
import {
  dial,
  Dialer,
  type Message,
  type MessageInput,
  WriteErrors,
  type Writer,
} from "../../mod.ts";
import { harness } from "../_harness.ts";
import { readTopic } from "../_read_topic.ts";

const dec = new TextDecoder();

/** With every node up, a new topic of 3 partitions, 3 replicas each, and partition 0's leader. */
export async function replicatedTopic(
  nodes: string[],
  topic: string,
): Promise<{ topic: string; leader: number }> {
  for (const node of [1, 2, 3]) await harness("start-node", String(node));
  {
    await using admin = await dial(nodes[0]);
    await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 3 }]);
  }
  return { topic, leader: (await new Dialer().lookupLeader(nodes[0], topic, 0)).id };
}

/** Which messages (by index) were acknowledged and which reported as failed. */
export interface Outcome {
  acked: Set<number>;
  rejected: Set<number>;
}

/**
 * Writes messages 0..total-1 (value the index, key `k${index % keys}`) in calls of `chunk`,
 * one call at a time so that "in order per key" is defined across calls. `during(from)`
 * runs while the call starting at `from` is in flight, to fail or restart a node.
 */
export async function writeKeyed(
  writer: Writer,
  { total, chunk, keys }: { total: number; chunk: number; keys: number },
  during: (from: number) => void | Promise<void>,
): Promise<Outcome> {
  const outcome: Outcome = { acked: new Set(), rejected: new Set() };
  const write = async (from: number) => {
    const messages: MessageInput[] = [];
    for (let i = from; i < from + chunk; i++) {
      messages.push({ key: `k${i % keys}`, value: String(i) });
    }
    try {
      await writer.writeMessages(messages);
      for (let i = from; i < from + chunk; i++) outcome.acked.add(i);
    } catch (e) {
      assert.ok(e instanceof WriteErrors, `unexpected ${e}`);
      e.errors.forEach((err, j) => (err ? outcome.rejected : outcome.acked).add(from + j));
    }
  };
  for (let from = 0; from < total; from += chunk) {
    const call = write(from);
    await during(from);
    await call;
  }
  return outcome;
}

/**
 * Checks that every message was acknowledged or reported, and that the log holds each
 * acknowledged one exactly once, in write order per key. Returns the log.
 */
export async function checkLog(
  address: string,
  topic: string,
  total: number,
  { acked, rejected }: Outcome,
): Promise<Message[]> {
  assert.equal(acked.size + rejected.size, total, "every message acknowledged or reported");
  const read = await readTopic(address, topic, acked.size);
  const seen = new Map<number, number>();
  const lastPerKey = new Map<string, number>();
  for (const m of read) {
    const i = Number(dec.decode(m.value!));
    seen.set(i, (seen.get(i) ?? 0) + 1);
    const key = dec.decode(m.key!);
    // Per key, the log order follows the write order of the acknowledged messages.
    if (acked.has(i)) {
      assert.ok((lastPerKey.get(key) ?? -1) < i, `key ${key}: ${i} after ${lastPerKey.get(key)}`);
      lastPerKey.set(key, i);
    }
  }
  const missing = [...acked].filter((i) => !seen.has(i));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged messages lost`);
  assert.deepEqual(duplicated.slice(0, 10), [], `${duplicated.length} messages duplicated`);
  return read;
}
