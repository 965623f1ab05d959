/**
 * A `ReaderConfig` checked and resolved, with no side effect: every default applied, every
 * bad value a `TypeError`/`RangeError` naming the field, every unknown option refused, and
 * the options meant for the cluster core split off.
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
import type { ReaderConfig } from "./reader.ts";

/** The Reader's own options (the rest go to the cluster core). */
const READER_OPTIONS = [
  "brokers",
  "cluster",
  "topic",
  "partition",
  "groupId",
  "groupTopics",
  "minBytes",
  "maxBytes",
  "maxWait",
  "readBatchTimeout",
  "queueCapacity",
  "startOffset",
  "commitInterval",
  "heartbeatInterval",
  "sessionTimeout",
  "rebalanceTimeout",
  "joinGroupBackoff",
  "retentionTime",
  "partitionWatchInterval",
  "watchPartitionChanges",
  "groupBalancers",
  "groupProtocol",
  "groupRemoteAssignor",
  "groupInstanceId",
  "rackId",
  "isolationLevel",
  "readBackoffMin",
  "readBackoffMax",
  "maxAttempts",
  "logger",
  "errorLogger",
  "onPartitionEof",
  "onError",
  "onAssigned",
  "onRevoked",
] as const;

const KNOWN: ReadonlySet<string> = new Set([...READER_OPTIONS, ...CORE_OPTIONS]);

/** What a Reader runs with. */
export interface ResolvedReaderConfig {
  /** A shared core (not closed by the reader), or the options of the reader's own. */
  cluster: Cluster | ClusterOptions;
  /** The partition reader's topic; undefined for a group reading `groupTopics`. */
  topic: string | undefined;
  partition: number;
  groupId: string | undefined;
  /** The group's subscription (empty without a group). */
  topics: string[];
  minBytes: number;
  maxBytes: number;
  maxWait: number;
  /** Time allowed for a fetch's answer beyond `maxWait`, in ms. */
  readBatchTimeout: number;
  queueCapacity: number;
  startOffset: number;
  commitInterval: number;
  heartbeatInterval: number;
  sessionTimeout: number;
  rebalanceTimeout: number;
  joinGroupBackoff: number;
  retentionTime: number;
  /** Undefined unless `watchPartitionChanges`. */
  partitionWatchInterval: number | undefined;
  maxAttempts: number;
  backoff: { backoffMin: number; backoffMax: number };
  readCommitted: boolean;
  groupProtocol: "classic" | "consumer";
  groupBalancers: readonly GroupBalancer[];
}

/** Checks `config` and applies the defaults. Throws a `TypeError`/`RangeError` naming the field. */
export function resolveReaderConfig(config: ReaderConfig): ResolvedReaderConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError("Reader takes a ReaderConfig object");
  }
  rejectUnknownOptions("ReaderConfig", config, KNOWN);
  const groupTopics = config.groupTopics ? [...config.groupTopics] : undefined;
  if (config.groupId !== undefined) {
    if (typeof config.groupId !== "string" || config.groupId === "") {
      throw new TypeError("groupId must be a non-empty string");
    }
    if (config.partition !== undefined) {
      throw new TypeError("partition cannot be set with groupId: the group assigns partitions");
    }
    if (config.topic !== undefined && groupTopics) {
      throw new TypeError("set either topic or groupTopics, not both");
    }
    if (!config.topic && !groupTopics?.length) {
      throw new TypeError("a group reader needs topic or groupTopics");
    }
  } else {
    if (groupTopics) throw new TypeError("groupTopics needs groupId");
    if (typeof config.topic !== "string" || config.topic === "") {
      throw new TypeError("topic must be a non-empty string");
    }
  }
  const startOffset = startOffsetOf(config.startOffset);
  const level = config.isolationLevel ?? "read_uncommitted";
  if (level !== "read_uncommitted" && level !== "read_committed") {
    throw new TypeError(
      `isolationLevel must be read_uncommitted or read_committed, got ${String(level)}`,
    );
  }
  const groupProtocol = groupProtocolOf(config.groupProtocol);
  const groupBalancers = groupBalancersOf(
    config.groupBalancers ?? [new RangeGroupBalancer(), new RoundRobinGroupBalancer()],
  );
  const minBytes = positiveInt("minBytes", config.minBytes, 1, 0);
  const maxBytes = positiveInt("maxBytes", config.maxBytes, 1_000_000);
  if (minBytes > maxBytes) {
    throw new RangeError(`minBytes (${minBytes}) must not exceed maxBytes (${maxBytes})`);
  }
  const maxWait = positiveInt("maxWait", config.maxWait, 500, 0);
  const readBatchTimeout = positiveInt("readBatchTimeout", config.readBatchTimeout, 10_000);
  const partition = positiveInt("partition", config.partition, 0, 0);
  const partitionWatchInterval = positiveInt(
    "partitionWatchInterval",
    config.partitionWatchInterval,
    5_000,
  );
  return {
    // A fetch waits up to maxWait on the broker: the reader's own core allows for it.
    cluster: clusterOptionsOf("ReaderConfig", config, maxWait + readBatchTimeout),
    topic: groupTopics ? undefined : config.topic,
    partition,
    groupId: config.groupId,
    topics: config.groupId === undefined ? [] : groupTopics ?? [config.topic!],
    minBytes,
    maxBytes,
    maxWait,
    readBatchTimeout,
    queueCapacity: positiveInt("queueCapacity", config.queueCapacity, 100),
    startOffset,
    commitInterval: positiveInt("commitInterval", config.commitInterval, 0, 0),
    heartbeatInterval: positiveInt("heartbeatInterval", config.heartbeatInterval, 3_000),
    sessionTimeout: positiveInt("sessionTimeout", config.sessionTimeout, 30_000),
    rebalanceTimeout: positiveInt("rebalanceTimeout", config.rebalanceTimeout, 30_000),
    joinGroupBackoff: positiveInt("joinGroupBackoff", config.joinGroupBackoff, 5_000, 0),
    retentionTime: positiveInt("retentionTime", config.retentionTime, -1, -1),
    partitionWatchInterval: config.watchPartitionChanges ? partitionWatchInterval : undefined,
    maxAttempts: positiveInt("maxAttempts", config.maxAttempts, 3),
    backoff: {
      backoffMin: positiveInt("readBackoffMin", config.readBackoffMin, 100, 0),
      backoffMax: positiveInt("readBackoffMax", config.readBackoffMax, 1_000, 0),
    },
    readCommitted: level === "read_committed",
    groupProtocol,
    groupBalancers,
  };
}
