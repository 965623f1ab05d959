/**
 * The one metadata model: brokers with racks, topics with ids, partitions with leader,
 * leader epoch, replicas, ISR and offline replicas. Every Metadata response is read here,
 * once; the core caches it and the kafka-go views (`Broker`, `Partition`) are built from it.
 *
 * @module
 */

import { errorForCode, type KafkaError } from "../protocol/errors.ts";
import type { MetadataResponse } from "../protocol/generated/metadata.ts";

/** A broker of the cluster. */
export interface BrokerInfo {
  /** The broker's node id. */
  nodeId: number;
  /** Host name or address clients connect to. */
  host: string;
  /** Port clients connect to. */
  port: number;
  /** The broker's rack, when configured (`broker.rack`). */
  rack: string | null;
}

/** One partition of a topic. */
export interface PartitionInfo {
  /** The partition index. */
  id: number;
  /** The leader's node id, -1 while there is none. */
  leaderId: number;
  /** The leader epoch (for fencing, KIP-320). */
  leaderEpoch: number;
  /** Node ids of every replica. */
  replicas: number[];
  /** Node ids of the in-sync replicas. */
  isr: number[];
  /** Node ids of replicas that are offline. */
  offline: number[];
  /** The partition's error at the last refresh, if any (e.g. LEADER_NOT_AVAILABLE). */
  error: KafkaError | undefined;
}

/** One topic. */
export interface TopicInfo {
  /** The topic's name. */
  name: string;
  /** Kafka's 22-character topic id. */
  id: string;
  /** Whether it is one of Kafka's internal topics (`__consumer_offsets`, …). */
  internal: boolean;
  /** Sorted by id. */
  partitions: PartitionInfo[];
  /** The partition ids, sorted (what balancers take). */
  partitionIds: number[];
  /** When this entry was fetched (ms since the epoch). */
  fetchedAt: number;
}

/** What one Metadata response says. */
export interface MetadataSnapshot {
  /** The cluster's id, null from brokers that do not send one. */
  clusterId: string | null;
  /** The controller's node id (in KRaft, a broker that forwards controller requests), or -1. */
  controllerId: number;
  /** Every broker the answer lists. */
  brokers: BrokerInfo[];
  /** Topics answered without a topic-level error. */
  topics: TopicInfo[];
  /** Topics answered with an error, by name. */
  topicErrors: Map<string, KafkaError>;
}

/**
 * Reads a Metadata response into the model.
 *
 * @example
 * ```ts
 * import { readMetadata } from "@kafkit/kafkit/core";
 * import { defaultMetadataResponse } from "@kafkit/kafkit/protocol";
 * const snapshot = readMetadata({
 *   ...defaultMetadataResponse(),
 *   controllerId: 1,
 *   brokers: [{ nodeId: 1, host: "127.0.0.1", port: 9092, rack: null }],
 * });
 * console.log(snapshot.controllerId, snapshot.brokers[0].host); // 1 127.0.0.1
 * ```
 */
export function readMetadata(meta: MetadataResponse, now: number = Date.now()): MetadataSnapshot {
  const topics: TopicInfo[] = [];
  const topicErrors = new Map<string, KafkaError>();
  for (const t of meta.topics) {
    const name = t.name ?? "";
    const err = errorForCode(t.errorCode, { api: "Metadata", topic: name });
    if (err) {
      topicErrors.set(name, err);
      continue;
    }
    const partitions = t.partitions.map((p): PartitionInfo => ({
      id: p.partitionIndex,
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      offline: p.offlineReplicas,
      error: errorForCode(p.errorCode, {
        api: "Metadata",
        topic: name,
        partition: p.partitionIndex,
      }),
    })).sort((a, b) => a.id - b.id);
    topics.push({
      name,
      id: t.topicId,
      internal: t.isInternal,
      partitions,
      partitionIds: partitions.map((p) => p.id),
      fetchedAt: now,
    });
  }
  return {
    clusterId: meta.clusterId,
    controllerId: meta.controllerId,
    brokers: meta.brokers.map((b) => ({
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      rack: b.rack,
    })),
    topics,
    topicErrors,
  };
}
