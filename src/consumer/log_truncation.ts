/**
 * Log truncation (KIP-320): after an unclean leader election the new leader's log may lack
 * records a reader already read, and new records then take their offsets. The reader learns
 * where the logs part from the leader, in a Fetch answer's `divergingEpoch` (Fetch v12+:
 * each fetch names the epoch of the last batch read) or, after a leader change, from
 * OffsetForLeaderEpoch. It then goes on from that offset, reporting a
 * {@linkcode LogTruncationError} and logging it: nothing is skipped or read again silently.
 *
 * @module
 */
import type { Cluster } from "../cluster/cluster.ts";
import { epochEndsAsk } from "../cluster/requests/epoch_ends.ts";
import { askLeaders } from "../cluster/requests/leaders.ts";
import { KafkitError } from "../errors.ts";
import { LastOffset, partitionKey, type TopicPartition } from "../offsets.ts";

/**
 * The partition's log was truncated below what the reader had fetched: records from
 * `divergingOffset` up to `fetchOffset` were lost on the broker, and any record at those
 * offsets now is a different one. The reader reports it through `onError` and goes on from
 * `divergingOffset`; with `divergingOffset` -1 (where the logs part is unknown) from where
 * `startOffset` says.
 */
export class LogTruncationError extends KafkitError {
  /** The partition's topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The offset the reader had fetched up to. */
  readonly fetchOffset: number;
  /** The first offset the leader's log does not share with what was read; -1 if unknown. */
  readonly divergingOffset: number;

  /** Creates the error. */
  constructor(topic: string, partition: number, fetchOffset: number, divergingOffset: number) {
    super(
      `log truncation in ${topic}/${partition}: the leader's log ` +
        (divergingOffset >= 0
          ? `ends at ${divergingOffset}, below the offset ${fetchOffset} already fetched`
          : `shares no known epoch with what was fetched up to ${fetchOffset}`),
      // The reader handles it (it moves on): reported, not thrown at the application.
      true,
    );
    this.topic = topic;
    this.partition = partition;
    this.fetchOffset = fetchOffset;
    this.divergingOffset = divergingOffset;
  }
}

/** Where a leader's log holds an epoch up to: the largest epoch at most the one asked. */
export interface EpochEnd {
  /** -1 if the leader knows none. */
  epoch: number;
  /** -1 if unknown. */
  endOffset: number;
}

/** A partition read so far: its fetch offset and the epoch of the last batch read. */
export interface ReadPosition extends TopicPartition {
  offset: number;
  lastFetchedEpoch: number;
  /** The leader epoch it is fetched under (or, when asking a leader, the one it has now). */
  leaderEpoch: number;
}

/**
 * The leaders' `EpochEnd` for the last epoch each position read (OffsetForLeaderEpoch),
 * keyed by `partitionKey`. Partitions whose leader could not answer are left out: the next
 * fetch's `divergingEpoch` covers them.
 */
export async function epochEnds(
  cluster: Cluster,
  positions: readonly ReadPosition[],
  signal: AbortSignal,
): Promise<Map<string, EpochEnd>> {
  const { answers } = await askLeaders(
    cluster,
    epochEndsAsk,
    positions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      leaderEpoch: p.lastFetchedEpoch,
      currentLeaderEpoch: p.leaderEpoch,
    })),
    { signal, attempts: 3 },
  );
  const ends = new Map<string, EpochEnd>();
  for (const p of positions) {
    const a = answers.get(partitionKey(p.topic, p.partition));
    if (a) {
      ends.set(partitionKey(p.topic, p.partition), {
        epoch: a.leaderEpoch,
        endOffset: a.endOffset,
      });
    }
  }
  return ends;
}

/**
 * The truncation `end` means for a partition fetched up to `offset`, or undefined when the
 * leader's log holds everything read.
 */
export function truncation(
  p: TopicPartition & { offset: number },
  end: EpochEnd,
): LogTruncationError | undefined {
  if (end.endOffset >= p.offset) return undefined;
  const known = end.epoch >= 0 && end.endOffset >= 0;
  return new LogTruncationError(p.topic, p.partition, p.offset, known ? end.endOffset : -1);
}

/**
 * Asks each new leader (a newer epoch than the one a position was fetched under, with an
 * epoch read) where the epoch last read ends (OffsetForLeaderEpoch), calling `found` with
 * each answer, before anything is fetched from it.
 */
export async function checkNewLeaders<P extends ReadPosition>(
  cluster: Cluster,
  positions: readonly P[],
  leaders: readonly { leaderEpoch: number }[],
  signal: AbortSignal,
  found: (position: P, end: EpochEnd) => void,
): Promise<void> {
  const asked = positions
    .map((p, i) => ({ ...p, position: p, leaderEpoch: leaders[i].leaderEpoch }))
    .filter((a) => a.lastFetchedEpoch >= 0 && a.leaderEpoch > a.position.leaderEpoch);
  if (asked.length === 0) return;
  const ends = await epochEnds(cluster, asked, signal);
  for (const { position } of asked) {
    const end = ends.get(partitionKey(position.topic, position.partition));
    if (end) found(position, end);
  }
}

/**
 * Applies `end` to `position`: its epoch becomes the last fetched; below the fetch offset, the
 * truncation is logged and reported, and the offset moves to the divergence (or to
 * `startOffset`, FirstOffset/LastOffset, when the logs share no known epoch).
 */
export function divergedAt(
  position: ReadPosition,
  end: EpochEnd,
  report: {
    startOffset: number;
    log: (message: string) => void;
    onError?: (error: unknown, partition?: TopicPartition) => void;
  },
): void {
  const lost = truncation(position, end);
  position.lastFetchedEpoch = end.epoch;
  if (!lost) return;
  const where = lost.divergingOffset >= 0
    ? `offset ${lost.divergingOffset}`
    : `the ${report.startOffset === LastOffset ? "newest" : "oldest"} offset`;
  report.log(`kafkit: ${lost.message}; fetching from ${where}`);
  report.onError?.(lost, { topic: position.topic, partition: position.partition });
  position.offset = lost.divergingOffset >= 0 ? lost.divergingOffset : report.startOffset;
}
