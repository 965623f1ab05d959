/**
 * Brokers and partitions as the kafka-go style APIs report them, built from the core's
 * metadata model.
 *
 * @module
 */

import type { MetadataResponse } from "./protocol/generated/metadata.ts";
import { type MetadataSnapshot, readMetadata } from "./cluster/metadata_model.ts";

/** A broker of the cluster. */
export interface Broker {
  /** The host the broker advertises. */
  host: string;
  /** The port the broker advertises. */
  port: number;
  /** The broker's node id (-1 when not known). */
  id: number;
  /** The broker's rack, or null. */
  rack: string | null;
}

/** A partition of a topic, with where its replicas are. */
export interface Partition {
  /** The topic's name. */
  topic: string;
  /** The topic's id (Kafka's 22-character form). */
  topicId: string;
  /** The partition's number. */
  id: number;
  /** The leader (id -1 when the partition has none). */
  leader: Broker;
  /** Every replica. */
  replicas: Broker[];
  /** The in-sync replicas. */
  isr: Broker[];
  /** The replicas that are offline. */
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
  return brokerViews(readMetadata(meta));
}

function brokerViews(snapshot: MetadataSnapshot): Broker[] {
  return snapshot.brokers.map((b) => ({ host: b.host, port: b.port, id: b.nodeId, rack: b.rack }));
}

/**
 * The partitions of a Metadata response's topics. A topic-level error throws (as a
 * `KafkaError` naming the topic); partition-level errors are kept on the partition.
 */
export function partitionsOf(meta: MetadataResponse): Partition[] {
  const snapshot = readMetadata(meta);
  const first = snapshot.topicErrors.values().next();
  if (!first.done) throw first.value;
  const byId = new Map(brokerViews(snapshot).map((b) => [b.id, b]));
  const broker = (id: number) => byId.get(id) ?? unknownBroker(id);
  const out: Partition[] = [];
  for (const t of snapshot.topics) {
    for (const p of t.partitions) {
      out.push({
        topic: t.name,
        topicId: t.id,
        id: p.id,
        leader: broker(p.leaderId),
        replicas: p.replicas.map(broker),
        isr: p.isr.map(broker),
        offlineReplicas: p.offline.map(broker),
        error: p.error,
      });
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.id - b.id);
}
