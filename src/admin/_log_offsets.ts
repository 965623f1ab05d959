/**
 * Where partitions' logs start, end, or reach a time, for the group views that compare
 * committed offsets with the log. The cluster core's ListOffsets lookup does the asking.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { listOffsets } from "../cluster/requests/list_offsets.ts";
import { byTopic, partitionKey, type TopicPartition } from "../offsets.ts";
import { ErrorCodes, KafkaError } from "../protocol/errors.ts";

/** The log start (ListOffsets' -2). */
export const EARLIEST = -2;
/** The log end, the high watermark (ListOffsets' -1). */
export const LATEST = -1;

/**
 * Each partition's offset at `timestamp` (ms since the epoch, -1 for no record at or after
 * it), or {@linkcode EARLIEST} / {@linkcode LATEST}, keyed by `partitionKey`; or the error
 * that kept it from one. One lookup per topic, so a topic that does not exist (or that fails)
 * fails only its own partitions.
 */
export async function logOffsets(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  timestamp: number,
  signal: AbortSignal,
): Promise<Map<string, number | Error>> {
  const out = new Map<string, number | Error>();
  await Promise.all([...byTopic(partitions)].map(async ([topic, ps]) => {
    try {
      const { partitionIds } = await cluster.topic(topic);
      const known = ps.filter((p) => partitionIds.includes(p.partition));
      for (const p of ps) {
        if (known.includes(p)) continue;
        out.set(
          partitionKey(topic, p.partition),
          new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, {
            api: "ListOffsets",
            topic,
            partition: p.partition,
          }),
        );
      }
      if (known.length === 0) return;
      const found = await listOffsets(cluster, known.map((p) => ({ ...p, timestamp })), {
        signal,
      });
      for (const [key, offset] of found) out.set(key, offset);
    } catch (e) {
      if (signal.aborted) throw e;
      for (const p of ps) {
        const key = partitionKey(topic, p.partition);
        if (!out.has(key)) out.set(key, e as Error);
      }
    }
  }));
  return out;
}
