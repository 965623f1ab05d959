/**
 * A `ConsumerGroupConfig` checked and resolved, with no side effect: defaults applied, bad
 * values a `TypeError`/`RangeError` naming the field, unknown options refused, and the
 * options meant for the cluster core split off.
 *
 * @module
 */
import type { Cluster, ClusterOptions } from "../cluster/cluster.ts";
import { CORE_OPTIONS, positiveInt, rejectUnknownOptions } from "../config.ts";
import type { GroupBalancer } from "./assignors/group_balancers.ts";
import { RangeGroupBalancer, RoundRobinGroupBalancer } from "./assignors/group_balancers.ts";
import {
  clusterOptionsOf,
  groupBalancersOf,
  groupProtocolOf,
  startOffsetOf,
} from "./_core_options.ts";
import type { ConsumerGroupConfig } from "./consumer_group.ts";

/** The ConsumerGroup's own options (the rest go to the cluster core). */
const GROUP_OPTIONS = [
  "id",
  "brokers",
  "cluster",
  "topics",
  "groupBalancers",
  "groupProtocol",
  "groupRemoteAssignor",
  "heartbeatInterval",
  "sessionTimeout",
  "rebalanceTimeout",
  "retentionTime",
  "joinGroupBackoff",
  "watchPartitionChanges",
  "partitionWatchInterval",
  "startOffset",
  "groupInstanceId",
  "rackId",
  "logger",
  "errorLogger",
] as const;

const KNOWN: ReadonlySet<string> = new Set([...GROUP_OPTIONS, ...CORE_OPTIONS]);

/** What a ConsumerGroup runs with. */
export interface ResolvedGroupConfig {
  /** A shared core (not closed by the group), or the options of the group's own. */
  cluster: Cluster | ClusterOptions;
  id: string;
  topics: string[];
  startOffset: number;
  groupProtocol: "classic" | "consumer";
  groupBalancers: readonly GroupBalancer[];
  heartbeatInterval: number;
  sessionTimeout: number;
  rebalanceTimeout: number;
  retentionTime: number;
  joinGroupBackoff: number;
  /** Undefined unless `watchPartitionChanges`. */
  partitionWatchInterval: number | undefined;
}

/** Checks `config` and applies the defaults. Throws a `TypeError`/`RangeError` naming the field. */
export function resolveGroupConfig(config: ConsumerGroupConfig): ResolvedGroupConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError("ConsumerGroup takes a ConsumerGroupConfig object");
  }
  rejectUnknownOptions("ConsumerGroupConfig", config, KNOWN);
  if (typeof config.id !== "string" || config.id === "") {
    throw new TypeError("id must be a non-empty string");
  }
  if (
    !Array.isArray(config.topics) || config.topics.length === 0 ||
    config.topics.some((t) => typeof t !== "string" || t === "")
  ) {
    throw new TypeError("topics must list at least one topic");
  }
  const startOffset = startOffsetOf(config.startOffset);
  const groupProtocol = groupProtocolOf(config.groupProtocol);
  const partitionWatchInterval = positiveInt(
    "partitionWatchInterval",
    config.partitionWatchInterval,
    5_000,
  );
  return {
    cluster: clusterOptionsOf("ConsumerGroupConfig", config),
    id: config.id,
    topics: [...config.topics],
    startOffset,
    groupProtocol,
    groupBalancers: groupBalancersOf(
      config.groupBalancers ?? [new RangeGroupBalancer(), new RoundRobinGroupBalancer()],
    ),
    heartbeatInterval: positiveInt("heartbeatInterval", config.heartbeatInterval, 3_000),
    sessionTimeout: positiveInt("sessionTimeout", config.sessionTimeout, 30_000),
    rebalanceTimeout: positiveInt("rebalanceTimeout", config.rebalanceTimeout, 30_000),
    retentionTime: positiveInt("retentionTime", config.retentionTime, -1, -1),
    joinGroupBackoff: positiveInt("joinGroupBackoff", config.joinGroupBackoff, 5_000, 0),
    partitionWatchInterval: config.watchPartitionChanges ? partitionWatchInterval : undefined,
  };
}
