/**
 * The log directories of brokers: what each holds and how full it is (DescribeLogDirs), and
 * moving a replica to another directory of its broker (AlterReplicaLogDirs). Both go to each
 * broker in question, not through the controller.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { byTopic, groupBy, partitionKey, type TopicPartition } from "../offsets.ts";
import { errorForCode } from "../protocol/errors.ts";
import { AlterReplicaLogDirs } from "../protocol/generated/alter_replica_log_dirs.ts";
import {
  DescribeLogDirs,
  type DescribeLogDirsResult,
} from "../protocol/generated/describe_log_dirs.ts";
import { brokerIds, notInCluster } from "./_brokers.ts";
import type { Call } from "./_call.ts";
import { type ItemResult, noAnswer } from "./_results.ts";
import { intIn, listOf, nameOf, topicPartitionOf } from "../_validate.ts";

/** A replica in a log directory. */
export interface LogDirReplica extends TopicPartition {
  /** Bytes on disk. */
  size: number;
  /**
   * Offsets this copy is behind: a current replica's end offset behind its high watermark,
   * a future replica's behind the current replica's end offset.
   */
  offsetLag: number;
  /** Whether it is the copy a directory move is filling (it replaces the current one). */
  isFuture: boolean;
}

/** One log directory of a broker, with `error` when the directory is offline. */
export interface LogDirDescription extends ItemResult {
  /** The directory's absolute path. */
  path: string;
  /** The volume's size in bytes (DescribeLogDirs v4+; null before). */
  totalBytes: number | null;
  /** The bytes still free for the broker to use (v4+; null before). */
  usableBytes: number | null;
  /** Whether the directory takes no new replicas (v5+, KIP-1066; false before). */
  isCordoned: boolean;
  /** The replicas it holds (those asked for). */
  replicas: LogDirReplica[];
}

/** The log directories of one broker, or `error` when the broker could not answer. */
export interface BrokerLogDirs extends ItemResult {
  /** The broker's node id. */
  nodeId: number;
  /** Its log directories (empty when `error` is set). */
  logDirs: LogDirDescription[];
}

/**
 * DescribeLogDirs to each of `brokers` (default: every broker in the metadata), about the
 * replicas of `partitions` (default: all). One result per broker.
 */
export async function describeLogDirs(
  cluster: Cluster,
  brokers: readonly number[] | undefined,
  partitions: readonly TopicPartition[] | undefined,
  call: Call,
): Promise<BrokerLogDirs[]> {
  const ids = brokers === undefined
    ? undefined
    : listOf("brokers", brokers).map((id, i) => intIn(`brokers[${i}]`, id, 0));
  const asked = partitions === undefined ? undefined : listOf("partitions", partitions)
    .map((p, i) => topicPartitionOf(`partitions[${i}]`, p));
  const known = await brokerIds(cluster, call);
  const topics = asked === undefined
    ? null
    : [...byTopic(asked)].map(([topic, ps]) => ({ topic, partitions: ps.map((p) => p.partition) }));
  return await Promise.all((ids ?? [...known]).map(async (nodeId): Promise<BrokerLogDirs> => {
    try {
      if (!known.has(nodeId)) throw notInCluster("DescribeLogDirs", nodeId);
      const res = await cluster.request(DescribeLogDirs, { topics }, {
        route: { to: "node", nodeId },
        ...call.options,
      });
      const err = errorForCode(res.errorCode, { api: "DescribeLogDirs", nodeId });
      if (err) throw err;
      return { nodeId, logDirs: res.results.map((d) => logDirOf(d, nodeId)) };
    } catch (error) {
      if (call.signal.aborted) throw error;
      return { nodeId, logDirs: [], error: error as Error };
    }
  }));
}

function logDirOf(d: DescribeLogDirsResult, nodeId: number): LogDirDescription {
  const error = errorForCode(d.errorCode, { api: "DescribeLogDirs", nodeId });
  return {
    path: d.logDir,
    totalBytes: d.totalBytes < 0n ? null : Number(d.totalBytes),
    usableBytes: d.usableBytes < 0n ? null : Number(d.usableBytes),
    isCordoned: d.isCordoned,
    replicas: d.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        size: Number(p.partitionSize),
        offsetLag: Number(p.offsetLag),
        isFuture: p.isFutureKey,
      }))
    ),
    ...(error ? { error } : {}),
  };
}

/** One move of `alterReplicaLogDirs`: the replica of a partition on a broker, and where to. */
export interface ReplicaLogDirMove extends TopicPartition {
  /** The broker holding the replica. */
  nodeId: number;
  /** The absolute path of the broker's log directory to move it to. */
  dir: string;
}

/** The outcome of one {@linkcode ReplicaLogDirMove}. */
export interface ReplicaLogDirResult extends ReplicaLogDirMove, ItemResult {}

/**
 * AlterReplicaLogDirs to each broker named. The broker starts the move (a future replica
 * fills the new directory) and answers at once; one result per move.
 */
export async function alterReplicaLogDirs(
  cluster: Cluster,
  moves: readonly ReplicaLogDirMove[],
  call: Call,
): Promise<ReplicaLogDirResult[]> {
  const checked = listOf("moves", moves).map((m, i): ReplicaLogDirMove => ({
    ...topicPartitionOf(`moves[${i}]`, m),
    nodeId: intIn(`moves[${i}].nodeId`, m.nodeId, 0),
    dir: nameOf(`moves[${i}].dir`, m.dir),
  }));
  if (checked.length === 0) return [];
  const known = await brokerIds(cluster, call);
  const perBroker = groupBy(checked, (m) => m.nodeId);
  const answers = new Map<string, Error | undefined>();
  await Promise.all([...perBroker].map(async ([nodeId, list]) => {
    const keyOf = (topic: string, partition: number) =>
      `${nodeId}\u0000${partitionKey(topic, partition)}`;
    try {
      if (!known.has(nodeId)) throw notInCluster("AlterReplicaLogDirs", nodeId);
      const dirs = [...groupBy(list, (m) => m.dir)].map(([path, inDir]) => ({
        path,
        topics: [...byTopic(inDir)].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => p.partition),
        })),
      }));
      const res = await cluster.request(AlterReplicaLogDirs, { dirs }, {
        route: { to: "node", nodeId },
        ...call.options,
      });
      for (const t of res.results) {
        for (const p of t.partitions) {
          answers.set(
            keyOf(t.topicName, p.partitionIndex),
            errorForCode(p.errorCode, {
              api: "AlterReplicaLogDirs",
              topic: t.topicName,
              partition: p.partitionIndex,
              nodeId,
            }),
          );
        }
      }
    } catch (error) {
      if (call.signal.aborted) throw error;
      for (const m of list) answers.set(keyOf(m.topic, m.partition), error as Error);
    }
  }));
  return checked.map((m) => {
    const key = `${m.nodeId}\u0000${partitionKey(m.topic, m.partition)}`;
    const error = answers.has(key)
      ? answers.get(key)
      : noAnswer("AlterReplicaLogDirs", `${m.topic}-${m.partition} on broker ${m.nodeId}`);
    return error ? { ...m, error } : m;
  });
}
