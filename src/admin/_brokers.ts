/**
 * The brokers an admin call asks one by one (ListGroups, ListTransactions, DescribeLogDirs,
 * broker configs): from fresh metadata, since a broker that joined since the last refresh
 * must not be missed.
 *
 * @module
 */

import { abortable } from "../_async/abortable.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { ErrorCodes, KafkaError } from "../protocol/errors.ts";
import type { Call } from "./_call.ts";

/** The node ids of the brokers in freshly refreshed metadata. */
export async function brokerIds(cluster: Cluster, call: Call): Promise<Set<number>> {
  await abortable(cluster.refresh(), call.signal);
  return new Set(cluster.brokers.map((b) => b.nodeId));
}

/** A broker the metadata does not list: asking it would only time out. */
export function notInCluster(api: string, nodeId: number): KafkaError {
  return new KafkaError(ErrorCodes.BROKER_NOT_AVAILABLE, { api, nodeId });
}
