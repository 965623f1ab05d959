/**
 * Moving partitions between brokers (KIP-455): start or cancel a reassignment
 * (AlterPartitionReassignments) and list the ones in progress (ListPartitionReassignments).
 * Both go to the controller: ZooKeeper-mode brokers answer them only there, KRaft brokers
 * forward them from any broker (and their Metadata names one as the controller).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { byTopic, partitionKey, type TopicPartition } from "../offsets.ts";
import { errorForCode } from "../protocol/errors.ts";
import { AlterPartitionReassignments } from "../protocol/generated/alter_partition_reassignments.ts";
import { ListPartitionReassignments } from "../protocol/generated/list_partition_reassignments.ts";
import type { Call } from "./_call.ts";
import { type ItemResult, noAnswer } from "./_results.ts";
import { intIn, listOf, topicPartitionOf } from "../_validate.ts";

/** One change of `alterPartitionReassignments`. */
export interface PartitionReassignment extends TopicPartition {
  /**
   * The broker ids to hold the partition, the preferred leader first; `null` cancels the
   * reassignment in progress (the replicas it was adding are dropped).
   */
  replicas: readonly number[] | null;
}

/** Options of `alterPartitionReassignments`. */
export interface AlterPartitionReassignmentsOptions {
  /**
   * Let a reassignment change how many replicas a partition has (default true; false needs
   * AlterPartitionReassignments v1+, KIP-860).
   */
  allowReplicationFactorChange?: boolean;
}

/** The outcome for one partition: accepted (the move goes on in the background) or `error`. */
export interface ReassignmentResult extends TopicPartition, ItemResult {}

/** A reassignment in progress, from `listPartitionReassignments`. */
export interface OngoingReassignment extends TopicPartition {
  /** Every replica the partition has now: the target ones and those still being removed. */
  replicas: number[];
  /** The replicas being added (catching up). */
  addingReplicas: number[];
  /** The replicas to be removed once the added ones are in sync. */
  removingReplicas: number[];
}

/** AlterPartitionReassignments to the controller; one result per partition. */
export async function alterPartitionReassignments(
  cluster: Cluster,
  reassignments: readonly PartitionReassignment[],
  options: AlterPartitionReassignmentsOptions,
  call: Call,
): Promise<ReassignmentResult[]> {
  const checked = listOf("reassignments", reassignments).map((r, i) => {
    const field = `reassignments[${i}]`;
    const replicas = r?.replicas === null ? null : listOf(`${field}.replicas`, r?.replicas)
      .map((id, j) => intIn(`${field}.replicas[${j}]`, id, 0));
    return { ...topicPartitionOf(field, r), replicas };
  });
  return await reassign(cluster, checked, options.allowReplicationFactorChange ?? true, call);
}

/** Cancels the reassignments of `partitions`: AlterPartitionReassignments with no replicas. */
export async function cancelPartitionReassignments(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  call: Call,
): Promise<ReassignmentResult[]> {
  const checked = listOf("partitions", partitions).map((p, i) => ({
    ...topicPartitionOf(`partitions[${i}]`, p),
    replicas: null,
  }));
  return await reassign(cluster, checked, true, call);
}

async function reassign(
  cluster: Cluster,
  checked: readonly PartitionReassignment[],
  allowChange: boolean,
  call: Call,
): Promise<ReassignmentResult[]> {
  if (checked.length === 0) return [];
  const res = await cluster.request(AlterPartitionReassignments, {
    timeoutMs: call.timeout,
    allowReplicationFactorChange: allowChange,
    topics: [...byTopic(checked)].map(([name, ps]) => ({
      name,
      partitions: ps.map((p) => ({
        partitionIndex: p.partition,
        replicas: p.replicas && [...p.replicas],
      })),
    })),
  }, {
    route: { to: "controller" },
    errorCode: (r) => r.errorCode,
    // v0 always allows the change: refusing it needs v1.
    minVersion: allowChange
      ? undefined
      : { version: 1, for: "allowReplicationFactorChange: false" },
    ...call.options,
  });
  const failedAll = errorForCode(res.errorCode, {
    api: "AlterPartitionReassignments",
    brokerMessage: res.errorMessage,
  });
  const answers = new Map<string, Error | undefined>();
  for (const t of res.responses) {
    for (const p of t.partitions) {
      answers.set(
        partitionKey(t.name, p.partitionIndex),
        errorForCode(p.errorCode, {
          api: "AlterPartitionReassignments",
          topic: t.name,
          partition: p.partitionIndex,
          brokerMessage: p.errorMessage,
        }),
      );
    }
  }
  return checked.map(({ topic, partition }) => {
    const key = partitionKey(topic, partition);
    const error = failedAll ??
      (answers.has(key)
        ? answers.get(key)
        : noAnswer("AlterPartitionReassignments", `${topic}-${partition}`));
    return error ? { topic, partition, error } : { topic, partition };
  });
}

/**
 * ListPartitionReassignments to the controller: the reassignments in progress among
 * `partitions` (default: in the whole cluster).
 */
export async function listPartitionReassignments(
  cluster: Cluster,
  partitions: readonly TopicPartition[] | undefined,
  call: Call,
): Promise<OngoingReassignment[]> {
  const asked = partitions === undefined ? undefined : listOf("partitions", partitions)
    .map((p, i) => topicPartitionOf(`partitions[${i}]`, p));
  if (asked?.length === 0) return [];
  const res = await cluster.request(ListPartitionReassignments, {
    timeoutMs: call.timeout,
    topics: asked === undefined ? null : [...byTopic(asked)].map(([name, ps]) => ({
      name,
      partitionIndexes: ps.map((p) => p.partition),
    })),
  }, {
    route: { to: "controller" },
    errorCode: (r) => r.errorCode,
    ...call.options,
  });
  const err = errorForCode(res.errorCode, {
    api: "ListPartitionReassignments",
    brokerMessage: res.errorMessage,
  });
  if (err) throw err;
  return res.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      replicas: p.replicas,
      addingReplicas: p.addingReplicas,
      removingReplicas: p.removingReplicas,
    }))
  );
}
