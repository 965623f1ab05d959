/**
 * Leader elections on demand (ElectLeaders, KIP-460): give partitions back to their preferred
 * replica, or elect an out-of-sync replica where no in-sync one is left.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { byTopic, type TopicPartition } from "../offsets.ts";
import { errorForCode } from "../protocol/errors.ts";
import { ElectLeaders } from "../protocol/generated/elect_leaders.ts";
import type { Call } from "./_call.ts";
import type { ItemResult } from "./_results.ts";
import { listOf, oneOf, topicPartitionOf } from "../_validate.ts";

/**
 * Which replica an election picks: the preferred one (the first of the replica list, when in
 * sync), or, where no in-sync replica is left, any live one (unclean: records may be lost).
 */
export type ElectionType = "preferred" | "unclean";

/** Wire codes of {@linkcode ElectionType}, from 0. */
const ELECTION_TYPES: readonly ElectionType[] = ["preferred", "unclean"];

/** Options of `electLeaders`. */
export interface ElectLeadersOptions {
  /** The kind of election. */
  type: ElectionType;
  /** The partitions to elect leaders for (default: every partition that needs one). */
  partitions?: readonly TopicPartition[];
}

/**
 * The outcome for one partition. A partition whose leader is already the one the election
 * would choose has the error ELECTION_NOT_NEEDED.
 */
export interface ElectionResult extends TopicPartition, ItemResult {}

/**
 * ElectLeaders to the controller, waiting up to the call's timeout for the elections. Without
 * `partitions` the answer lists only the partitions an election was tried for.
 */
export async function electLeaders(
  cluster: Cluster,
  options: ElectLeadersOptions,
  call: Call,
): Promise<ElectionResult[]> {
  const type = oneOf("type", options?.type, ELECTION_TYPES);
  const partitions = options.partitions === undefined
    ? undefined
    : listOf("partitions", options.partitions).map((p, i) =>
      topicPartitionOf(`partitions[${i}]`, p)
    );
  if (partitions?.length === 0) return [];
  const res = await cluster.request(ElectLeaders, {
    electionType: ELECTION_TYPES.indexOf(type),
    topicPartitions: partitions === undefined ? null : [...byTopic(partitions)].map((
      [topic, ps],
    ) => ({ topic, partitions: ps.map((p) => p.partition) })),
    timeoutMs: call.timeout,
  }, {
    // ZooKeeper-mode brokers answer only on the controller (KRaft brokers forward it).
    route: { to: "controller" },
    errorCode: (r) => r.errorCode,
    // v0 elects the preferred replica only.
    minVersion: type === "unclean" ? { version: 1, for: "an unclean election" } : undefined,
    ...call.options,
  });
  const failedAll = errorForCode(res.errorCode, { api: "ElectLeaders" });
  if (failedAll) {
    if (partitions === undefined) throw failedAll;
    return partitions.map((p) => ({ ...p, error: failedAll }));
  }
  return res.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p) => {
      const error = errorForCode(p.errorCode, {
        api: "ElectLeaders",
        topic: t.topic,
        partition: p.partitionId,
        brokerMessage: p.errorMessage,
      });
      const result = { topic: t.topic, partition: p.partitionId };
      return error ? { ...result, error } : result;
    })
  );
}
