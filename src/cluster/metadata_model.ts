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
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** One partition of a topic. */
export interface PartitionInfo {
  id: number;
  /** The leader's node id, -1 while there is none. */
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
  /** The partition's error at the last refresh, if any (e.g. LEADER_NOT_AVAILABLE). */
  error: KafkaError | undefined;
}

/** One topic. */
export interface TopicInfo {
  name: string;
  /** Kafka's 22-character topic id. */
  id: string;
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
  clusterId: string | null;
  /** The controller's node id (in KRaft, a broker that forwards controller requests), or -1. */
  controllerId: number;
  brokers: BrokerInfo[];
  /** Topics answered without a topic-level error. */
  topics: TopicInfo[];
  /** Topics answered with an error, by name. */
  topicErrors: Map<string, KafkaError>;
}

/** Reads a Metadata response into the model. */
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
