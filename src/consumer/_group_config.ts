/**
 * A `ConsumerGroupConfig` checked and resolved, with no side effect: defaults applied, bad
 * values a `TypeError`/`RangeError` naming the field, unknown options refused, and the
 * options meant for the cluster core split off.
 *
 * @module
 */
import { type Cluster, type ClusterOptions, CORE_OPTIONS } from "../cluster/cluster.ts";
import { positiveInt, rejectUnknownOptions } from "../config.ts";
import type { GroupBalancer } from "./assignors/group_balancers.ts";
import { RangeGroupBalancer, RoundRobinGroupBalancer } from "./assignors/group_balancers.ts";
import {
  clusterOptionsOf,
  groupBalancersOf,
  groupProtocolOf,
  startOffsetOf,
} from "./_core_options.ts";

/** Configuration of a {@linkcode ConsumerGroup} (kafka-go's `ConsumerGroupConfig`). */
export interface ConsumerGroupConfig extends Omit<ClusterOptions, "brokers"> {
  /** The group id. */
  id: string;
  /** Bootstrap brokers, `host:port` (required unless `cluster` is given). */
  brokers?: string | readonly string[];
  /**
   * A core shared with Writers, Readers or the admin client, instead of the group's own
   * (then `brokers` and the connection options are the cluster's). Not closed by `close()`.
   */
  cluster?: Cluster;
  /** Topics to subscribe to. */
  topics: readonly string[];
  /** Balancers offered to the group (default range, then roundrobin). */
  groupBalancers?: readonly GroupBalancer[];
  /** `classic` (default) or `consumer` (KIP-848). */
  groupProtocol?: "classic" | "consumer";
  /** The broker-side assignor for the `consumer` protocol. */
  groupRemoteAssignor?: string;
  /** ms between heartbeats (default 3 s). */
  heartbeatInterval?: number;
  /** ms without heartbeats before the member is dropped (default 30 s). */
  sessionTimeout?: number;
  /** ms members get to rejoin during a rebalance (default 30 s). */
  rebalanceTimeout?: number;
  /** How long commits are kept, in ms (default: the broker's setting). */
  retentionTime?: number;
  /** Longest wait before joining again after a failure, in ms (default 5 s). */
  joinGroupBackoff?: number;
  /** Rebalance when a subscribed topic gains partitions (default false; classic only). */
  watchPartitionChanges?: boolean;
  /** How often the leader checks partition counts, in ms (default 5 s). */
  partitionWatchInterval?: number;
  /** Offset for partitions without a commit: FirstOffset (default) or LastOffset. */
  startOffset?: number;
  /** Static membership id (KIP-345). */
  groupInstanceId?: string;
  /** This member's rack. */
  rackId?: string;
  /**
   * How long `close()` lets the current generation's work return, the partitions be given
   * up and the member leave the group, in ms (default 5000); then the rest is given up and
   * the group's own connections are closed.
   */
  closeTimeout?: number;
  /** Informational messages. */
  logger?: (message: string) => void;
  /** Errors handled by retrying. */
  errorLogger?: (message: string) => void;
}

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
  "closeTimeout",
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
  closeTimeout: number;
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
    closeTimeout: positiveInt("closeTimeout", config.closeTimeout, 5_000, 0),
  };
}
