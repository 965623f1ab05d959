/**
 * What the cluster is: its id, controller and brokers (DescribeCluster).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { DescribeCluster } from "../protocol/generated/describe_cluster.ts";
import { errorForCode } from "../protocol/errors.ts";
import type { Call } from "./_call.ts";
import { authorizedOperations } from "./_operations.ts";

/** One broker of {@linkcode ClusterDescription}. */
export interface BrokerDescription {
  /** The broker's node id. */
  nodeId: number;
  /** The host the broker advertises. */
  host: string;
  /** The port the broker advertises. */
  port: number;
  /** The broker's rack, or null when it has none. */
  rack: string | null;
  /** Whether the broker is fenced (not serving), from DescribeCluster v2+. */
  fenced: boolean;
}

/** The answer of `describeCluster`. */
export interface ClusterDescription {
  /** The cluster's id. */
  clusterId: string;
  /** The controller's node id (-1 when the broker does not know it). */
  controllerId: number;
  /** The brokers the cluster has now. */
  brokers: BrokerDescription[];
  /** The operations the caller may perform on the cluster, when asked for. */
  authorizedOperations?: string[];
}

/** Options of `describeCluster`. */
export interface DescribeClusterOptions {
  /** Ask for the operations the caller is authorized for (default false). */
  includeAuthorizedOperations?: boolean;
  /** Include fenced brokers (DescribeCluster v2+, default false). */
  includeFencedBrokers?: boolean;
}

/** DescribeCluster to any broker. */
export async function describeCluster(
  cluster: Cluster,
  options: DescribeClusterOptions,
  call: Call,
): Promise<ClusterDescription> {
  const res = await cluster.request(DescribeCluster, {
    includeClusterAuthorizedOperations: options.includeAuthorizedOperations ?? false,
    includeFencedBrokers: options.includeFencedBrokers ?? false,
  }, call.options);
  const err = errorForCode(res.errorCode, {
    api: "DescribeCluster",
    brokerMessage: res.errorMessage,
  });
  if (err) throw err;
  return {
    clusterId: res.clusterId,
    controllerId: res.controllerId,
    brokers: res.brokers.map((b) => ({
      nodeId: b.brokerId,
      host: b.host,
      port: b.port,
      rack: b.rack ?? null,
      fenced: b.isFenced ?? false,
    })),
    ...(options.includeAuthorizedOperations
      ? { authorizedOperations: authorizedOperations(res.clusterAuthorizedOperations) }
      : {}),
  };
}
