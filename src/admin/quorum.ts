/**
 * The KRaft metadata quorum: who leads it and how far each voter and observer has
 * replicated the metadata log (DescribeQuorum, KIP-595/KIP-853), and removing a broker's
 * registration after the broker is gone for good (UnregisterBroker, KIP-631).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { errorForCode } from "../protocol/errors.ts";
import {
  DescribeQuorum,
  type DescribeQuorumResponseReplicaState,
} from "../protocol/generated/describe_quorum.ts";
import { UnregisterBroker } from "../protocol/generated/unregister_broker.ts";
import type { Call } from "./_call.ts";
import { noAnswer } from "./_results.ts";
import { intIn } from "../_validate.ts";

/** The metadata log's topic and partition. */
const METADATA_TOPIC = "__cluster_metadata";

/** Kafka's zero UUID: a replica that has no directory id (static voters, before v2). */
const NO_DIRECTORY = "AAAAAAAAAAAAAAAAAAAAAA";

/** A voter or observer of the quorum. */
export interface QuorumReplica {
  /** The replica's node id. */
  replicaId: number;
  /** Its metadata log directory's id (DescribeQuorum v2+, KIP-853); null when it has none. */
  replicaDirectoryId: string | null;
  /** The end offset of its copy of the metadata log, as the leader last heard. */
  logEndOffset: number;
  /** When it last fetched from the leader, in ms since the epoch (v1+); null if unknown. */
  lastFetchTimestamp: number | null;
  /** When it last caught up with the leader's end offset, in ms (v1+); null if unknown. */
  lastCaughtUpTimestamp: number | null;
}

/** A listener of a quorum node. */
export interface QuorumListener {
  /** The listener's name, e.g. `"CONTROLLER"`. */
  name: string;
  /** The listener's host. */
  host: string;
  /** The listener's port. */
  port: number;
}

/** A node of the quorum and where it listens (DescribeQuorum v2+). */
export interface QuorumNode {
  /** The node id. */
  nodeId: number;
  /** Its controller listeners. */
  listeners: QuorumListener[];
}

/** The answer of `describeQuorum`. */
export interface QuorumDescription {
  /** The active controller's node id. */
  leaderId: number;
  /** The leader's epoch. */
  leaderEpoch: number;
  /** The metadata log's high watermark. */
  highWatermark: number;
  /** The voters (controllers), the leader included. */
  voters: QuorumReplica[];
  /** The observers (brokers that only replicate the log). */
  observers: QuorumReplica[];
  /** The voters' endpoints (v2+; empty before). */
  nodes: QuorumNode[];
}

/** DescribeQuorum for the metadata log; any broker forwards it to the active controller. */
export async function describeQuorum(cluster: Cluster, call: Call): Promise<QuorumDescription> {
  const res = await cluster.request(DescribeQuorum, {
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] }],
  }, call.options);
  const err = errorForCode(res.errorCode, {
    api: "DescribeQuorum",
    brokerMessage: res.errorMessage,
  });
  if (err) throw err;
  const p = res.topics.find((t) => t.topicName === METADATA_TOPIC)?.partitions
    .find((x) => x.partitionIndex === 0);
  if (!p) throw noAnswer("DescribeQuorum", `${METADATA_TOPIC}-0`);
  const partitionErr = errorForCode(p.errorCode, {
    api: "DescribeQuorum",
    topic: METADATA_TOPIC,
    partition: 0,
    brokerMessage: p.errorMessage,
  });
  if (partitionErr) throw partitionErr;
  return {
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: Number(p.highWatermark),
    voters: p.currentVoters.map(replicaOf),
    observers: p.observers.map(replicaOf),
    nodes: res.nodes.map((n) => ({
      nodeId: n.nodeId,
      listeners: n.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
    })),
  };
}

function replicaOf(r: DescribeQuorumResponseReplicaState): QuorumReplica {
  const time = (t: bigint) => t < 0n ? null : Number(t);
  return {
    replicaId: r.replicaId,
    replicaDirectoryId: r.replicaDirectoryId === NO_DIRECTORY ? null : r.replicaDirectoryId,
    logEndOffset: Number(r.logEndOffset),
    lastFetchTimestamp: time(r.lastFetchTimestamp),
    lastCaughtUpTimestamp: time(r.lastCaughtUpTimestamp),
  };
}

/**
 * UnregisterBroker, forwarded to the controller: forgets the registration of a broker that
 * was removed for good.
 */
export async function unregisterBroker(
  cluster: Cluster,
  brokerId: number,
  call: Call,
): Promise<void> {
  const id = intIn("brokerId", brokerId, 0);
  const res = await cluster.request(UnregisterBroker, { brokerId: id }, call.options);
  const err = errorForCode(res.errorCode, {
    api: "UnregisterBroker",
    brokerMessage: res.errorMessage,
  });
  if (err) throw err;
}
