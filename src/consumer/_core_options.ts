/**
 * The options a Reader or ConsumerGroup hands to the cluster core (connection and cluster
 * settings), or the shared core it was given instead; and the group balancer check both
 * configs share.
 *
 * @module
 */
import { Cluster, type ClusterOptions } from "../cluster/cluster.ts";
import { parseBrokers } from "../config.ts";
import type { GroupBalancer } from "./assignors/group_balancers.ts";

/** Connection options, then the cluster core's own (everything `ClusterOptions` has). */
export const CORE_OPTIONS: readonly string[] = [
  "clientId",
  "connectTimeout",
  "requestTimeout",
  "maxResponseSize",
  "keepAlive",
  "tls",
  "connect",
  "sasl",
  "metadataMaxAge",
  "idleTimeout",
  "deadBrokerBackoff",
  "allowAutoTopicCreation",
];

/** What {@linkcode clusterOptionsOf} reads. */
interface CoreConfig {
  brokers?: unknown;
  cluster?: unknown;
}

/**
 * The shared `cluster` of `config`, or the options for a core of the config's own: the
 * checked `brokers` and the connection and cluster options it sets (`requestTimeout`
 * defaulting to `requestTimeout`). A shared core comes with its own brokers and settings,
 * so setting them too is a `TypeError` naming the option.
 */
export function clusterOptionsOf(
  what: string,
  config: CoreConfig,
  requestTimeout?: number,
): Cluster | ClusterOptions {
  const set = (k: string) => (config as Record<string, unknown>)[k] !== undefined;
  if (config.cluster !== undefined) {
    if (!(config.cluster instanceof Cluster)) {
      throw new TypeError(`${what}: cluster must be a Cluster, got ${String(config.cluster)}`);
    }
    const clash = ["brokers", ...CORE_OPTIONS].find(set);
    if (clash) {
      throw new TypeError(
        `${what}: ${clash} cannot be set with cluster: the shared cluster has its own`,
      );
    }
    return config.cluster;
  }
  const options: Record<string, unknown> = {};
  for (const k of CORE_OPTIONS) if (set(k)) options[k] = (config as Record<string, unknown>)[k];
  options.requestTimeout ??= requestTimeout;
  if (options.requestTimeout === undefined) delete options.requestTimeout;
  return { ...options, brokers: parseBrokers(config.brokers, "brokers") } as ClusterOptions;
}

/** `balancers` if each is a GroupBalancer with a protocol name; a `TypeError` otherwise. */
export function groupBalancersOf(balancers: readonly GroupBalancer[]): readonly GroupBalancer[] {
  if (
    !Array.isArray(balancers) || balancers.length === 0 ||
    balancers.some((b) => typeof b?.assignGroups !== "function" || !b.protocolName)
  ) {
    throw new TypeError("groupBalancers must be GroupBalancers with a protocolName");
  }
  return balancers;
}
