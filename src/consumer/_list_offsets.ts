/**
 * ListOffsets across a cluster: each partition asked of its leader, leader moves retried.
 *
 * @module
 */
import type { Cluster } from "../cluster/cluster.ts";
import { delay } from "../_async/delay.ts";
import { backoffDelay } from "../_async/retry.ts";
import { ConnectionError } from "../errors.ts";
import { errorForCode, KafkaError } from "../protocol/errors.ts";
import { ListOffsets } from "../protocol/generated/list_offsets.ts";
import { byTopic, partitionKey, type TopicPartition } from "./_membership.ts";

/** `timestamp` is ms since the epoch, or -2 (earliest) / -1 (latest). */
export interface OffsetQuery extends TopicPartition {
  timestamp: number;
}

/**
 * The offset for each query, keyed by {@linkcode partitionKey}: the first offset at or after
 * the timestamp (-1 when there is none), the log start for -2, the end for -1 (the last
 * stable offset when `readCommitted`).
 */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  options: { readCommitted?: boolean; signal?: AbortSignal; attempts?: number } = {},
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let pending = [...queries];
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: OffsetQuery[] = [];
    let failure: unknown;
    const byLeader = new Map<number, OffsetQuery[]>();
    for (const q of pending) {
      const topic = await cluster.topic(q.topic);
      const leader = topic.partitions.find((p) => p.id === q.partition)?.leaderId ?? -1;
      if (leader < 0) {
        retry.push(q);
        failure = new KafkaError(5, { api: "ListOffsets", topic: q.topic, partition: q.partition });
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), q]);
    }
    await Promise.all([...byLeader].map(async ([leader, qs]) => {
      try {
        const conn = await cluster.connection(leader);
        const topics = byTopic(qs);
        const res = await conn.request(ListOffsets, {
          replicaId: -1,
          isolationLevel: options.readCommitted ? 1 : 0,
          topics: [...topics].map(([name, ps]) => ({
            name,
            partitions: ps.map((q) => ({
              partitionIndex: q.partition,
              timestamp: BigInt(q.timestamp),
            })),
          })),
        }, { signal: options.signal });
        for (const t of res.topics) {
          for (const p of t.partitions) {
            const q = qs.find((x) => x.topic === t.name && x.partition === p.partitionIndex);
            if (!q) continue;
            const err = errorForCode(p.errorCode, {
              api: "ListOffsets",
              topic: t.name,
              partition: p.partitionIndex,
            });
            if (!err) out.set(partitionKey(q.topic, q.partition), Number(p.offset));
            else if (err.retriable) {
              retry.push(q);
              failure = err;
              cluster.invalidate(q.topic);
            } else throw err;
          }
        }
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        cluster.brokerFailed(leader);
        for (const q of qs) cluster.invalidate(q.topic);
        retry.push(...qs);
        failure = e;
      }
    }));
    if (retry.length > 0 && attempt >= attempts) throw failure;
    pending = retry;
    if (pending.length > 0) {
      await delay(backoffDelay(attempt, { backoffMin: 100, backoffMax: 1000 }), {
        signal: options.signal,
      });
    }
  }
  return out;
}
