/**
 * The options a Reader or ConsumerGroup hands to the cluster core (connection and cluster
 * settings), or the shared core it was given instead; and the checks of the group options
 * both configs have.
 *
 * @module
 */
import { Cluster, type ClusterOptions, CORE_OPTIONS, coreOptionsOf } from "../cluster/cluster.ts";
import { parseBrokers } from "../config.ts";
import { FirstOffset, LastOffset } from "../offsets.ts";
import type { GroupBalancer } from "./assignors/group_balancers.ts";

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
  const options: ClusterOptions = {
    ...coreOptionsOf(config),
    brokers: parseBrokers(config.brokers, "brokers"),
  };
  if (options.requestTimeout === undefined && requestTimeout !== undefined) {
    options.requestTimeout = requestTimeout;
  }
  return options;
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

/** `startOffset` (default FirstOffset) if FirstOffset or LastOffset; a `RangeError` otherwise. */
export function startOffsetOf(startOffset: number | undefined): number {
  const offset = startOffset ?? FirstOffset;
  if (offset !== FirstOffset && offset !== LastOffset) {
    throw new RangeError(`startOffset must be FirstOffset (-2) or LastOffset (-1), got ${offset}`);
  }
  return offset;
}

/** `groupProtocol` (default classic) if classic or consumer; a `TypeError` otherwise. */
export function groupProtocolOf(groupProtocol: unknown): "classic" | "consumer" {
  const protocol = groupProtocol ?? "classic";
  if (protocol !== "classic" && protocol !== "consumer") {
    throw new TypeError(`groupProtocol must be classic or consumer, got ${String(protocol)}`);
  }
  return protocol;
}
