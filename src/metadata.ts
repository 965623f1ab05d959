/**
 * Brokers and partitions as the kafka-go style APIs report them, built from Metadata
 * responses.
 *
 * @module
 */

import type { MetadataResponse } from "./protocol/generated/metadata.ts";
import { errorForCode } from "./protocol/errors.ts";

/** A broker of the cluster. */
export interface Broker {
  host: string;
  port: number;
  /** The broker's node id (-1 when not known). */
  id: number;
  rack: string | null;
}

/** A partition of a topic, with where its replicas are. */
export interface Partition {
  topic: string;
  /** The topic's id (Kafka's 22-character form). */
  topicId: string;
  id: number;
  leader: Broker;
  replicas: Broker[];
  isr: Broker[];
  offlineReplicas: Broker[];
  /** The partition's error, when the broker reported one. */
  error?: Error;
}

/** A broker known only by id (not in the response's broker list). */
function unknownBroker(id: number): Broker {
  return { host: "", port: -1, id, rack: null };
}

/** The brokers of a Metadata response. */
export function brokersOf(meta: MetadataResponse): Broker[] {
  return meta.brokers.map((b) => ({ host: b.host, port: b.port, id: b.nodeId, rack: b.rack }));
}

/**
 * The partitions of a Metadata response's topics. A topic-level error throws (as a
 * `KafkaError` naming the topic); partition-level errors are kept on the partition.
 */
export function partitionsOf(meta: MetadataResponse): Partition[] {
  const byId = new Map(brokersOf(meta).map((b) => [b.id, b]));
  const broker = (id: number) => byId.get(id) ?? unknownBroker(id);
  const out: Partition[] = [];
  for (const t of meta.topics) {
    const topicError = errorForCode(t.errorCode, { api: "Metadata", topic: t.name ?? undefined });
    if (topicError) throw topicError;
    for (const p of t.partitions) {
      out.push({
        topic: t.name ?? "",
        topicId: t.topicId,
        id: p.partitionIndex,
        leader: broker(p.leaderId),
        replicas: p.replicaNodes.map(broker),
        isr: p.isrNodes.map(broker),
        offlineReplicas: p.offlineReplicas.map(broker),
        error: errorForCode(p.errorCode, {
          api: "Metadata",
          topic: t.name ?? undefined,
          partition: p.partitionIndex,
        }),
      });
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.id - b.id);
}
