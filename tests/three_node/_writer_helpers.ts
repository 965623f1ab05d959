// What the Writer failover tests and the leader-kill chaos run share: a fresh replicated
// topic, keyed writes one call at a time while nodes fail, and the count of what the log
// holds against what was acknowledged: lost, duplicated, out of order per key.

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

const dec = new TextDecoder();

/**
 * With every node up, a new topic of `partitions` partitions (3 replicas each), and
 * partition 0's leader.
 */
export async function replicatedTopic(
  nodes: string[],
  topic: string,
  partitions = 3,
): Promise<{ topic: string; leader: number }> {
  for (const node of [1, 2, 3]) await harness("start-node", String(node));
  {
    await using admin = await dial(nodes[0]);
    await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 3 }]);
  }
  return { topic, leader: (await new Dialer().lookupLeader(nodes[0], topic, 0)).id };
}

/** Which messages (by index) were acknowledged and which reported as failed, and why. */
export interface Outcome {
  /** Messages written: indexes 0..written-1. */
  written: number;
  acked: Set<number>;
  rejected: Set<number>;
  /** How many failed with each reason (error class and message, with its cause's). */
  reasons: Map<string, number>;
}

/**
 * Writes messages 0..total-1 (value the index, key `k${index % keys}`) in calls of `chunk`,
 * one call at a time so that "in order per key" is defined across calls, until `total` or
 * until `stop()` says so. `during(from)` runs while the call starting at `from` is in
 * flight, to fail or restart a node.
 */
export async function writeKeyed(
  writer: Writer,
  { total, chunk, keys, stop }: {
    total: number;
    chunk: number;
    keys: number;
    stop?: () => boolean;
  },
  during: (from: number) => void | Promise<void> = () => {},
): Promise<Outcome> {
  const outcome: Outcome = {
    written: 0,
    acked: new Set(),
    rejected: new Set(),
    reasons: new Map(),
  };
  const write = async (from: number) => {
    const messages: MessageInput[] = [];
    for (let i = from; i < from + chunk; i++) {
      messages.push({ key: `k${i % keys}`, value: String(i) });
    }
    try {
      await writer.writeMessages(messages);
    } catch (e) {
      assert.ok(e instanceof WriteErrors, `unexpected ${e}`);
      for (const f of e.failures) {
        outcome.rejected.add(from + f.index);
        const reason = reasonOf(f.error);
        outcome.reasons.set(reason, (outcome.reasons.get(reason) ?? 0) + 1);
      }
    }
    for (let i = from; i < from + chunk; i++) if (!outcome.rejected.has(i)) outcome.acked.add(i);
  };
  for (let from = 0; from < total && !stop?.(); from += chunk) {
    const call = write(from);
    await during(from);
    await call;
    outcome.written = from + chunk;
  }
  return outcome;
}

/** An error class and message, and its cause's: what a failure count is grouped by. */
function reasonOf(error: Error): string {
  // Addresses and numbers vary from one failure to the next; the kind of failure does not.
  const brief = (e: Error) => `${e.name}: ${e.message.replace(/\d+/g, "N").slice(0, 90)}`;
  return error.cause instanceof Error ? `${brief(error)} ← ${brief(error.cause)}` : brief(error);
}

/** What the log holds against what was acknowledged. */
export interface LogCount {
  /** Records in the log. */
  inLog: number;
  /** Acknowledged messages missing from the log. */
  lost: number[];
  /** Messages in the log more than once. */
  duplicated: number[];
  /** Acknowledged messages found after a later-written one of their key. */
  outOfOrder: number[];
  /** Messages reported as failed that are in the log after all (their outcome was in doubt). */
  failedButWritten: number;
}

/** Counts `read` (values are message indexes, keys their key) against `outcome`. */
export function countLog(read: Message[], { acked, rejected }: Outcome): LogCount {
  const seen = new Map<number, number>();
  const lastPerKey = new Map<string, number>();
  const outOfOrder: number[] = [];
  for (const m of read) {
    const i = Number(dec.decode(m.value!));
    seen.set(i, (seen.get(i) ?? 0) + 1);
    if (!acked.has(i)) continue;
    // Per key, the log order follows the write order of the acknowledged messages.
    const key = dec.decode(m.key!);
    if ((lastPerKey.get(key) ?? -1) > i) outOfOrder.push(i);
    else lastPerKey.set(key, i);
  }
  return {
    inLog: read.length,
    lost: [...acked].filter((i) => !seen.has(i)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([i]) => i),
    outOfOrder,
    failedButWritten: [...rejected].filter((i) => seen.has(i)).length,
  };
}

/**
 * Checks that every message was acknowledged or reported, and that the log holds each
 * acknowledged one exactly once, in write order per key. Returns the count.
 */
export function checkLog(read: Message[], outcome: Outcome): LogCount {
  const { acked, rejected, written } = outcome;
  assert.equal(acked.size + rejected.size, written, "every message acknowledged or reported");
  const count = countLog(read, outcome);
  assert.deepEqual(count.lost.slice(0, 10), [], `${count.lost.length} acknowledged messages lost`);
  assert.deepEqual(
    count.duplicated.slice(0, 10),
    [],
    `${count.duplicated.length} messages duplicated`,
  );
  assert.deepEqual(
    count.outOfOrder.slice(0, 10),
    [],
    `${count.outOfOrder.length} messages out of order for their key`,
  );
  return count;
}
