/**
 * A `ReaderConfig` checked and resolved, with no side effect: every default applied, every
 * bad value a `TypeError`/`RangeError` naming the field, every unknown option refused, and
 * the options meant for the cluster core split off.
 *
 * @module
 */
import { type Cluster, type ClusterOptions, CORE_OPTIONS } from "../cluster/cluster.ts";
import { positiveInt, rejectUnknownOptions } from "../config.ts";
import { intIn, listOf, topicPartitionOf } from "../_validate.ts";
import { LastOffset, partitionKey, type TopicPartition } from "../offsets.ts";
import type { GroupBalancer } from "./assignors/group_balancers.ts";
import { RangeGroupBalancer, RoundRobinGroupBalancer } from "./assignors/group_balancers.ts";
import {
  clusterOptionsOf,
  groupBalancersOf,
  groupProtocolOf,
  startOffsetOf,
} from "./_core_options.ts";

/** A partition handed to `onAssigned`; set `offset` to start somewhere else. */
export interface PartitionAssignment extends TopicPartition {
  /** The committed offset, or FirstOffset/LastOffset (from `startOffset`) when none. */
  offset: number;
}

/** A partition a reader without a group is given, and where it starts. */
export interface PartitionStart extends TopicPartition {
  /** An offset, or FirstOffset/LastOffset (default: the reader's `startOffset`). */
  offset?: number;
}

/** Configuration of a {@linkcode Reader} (kafka-go's `ReaderConfig`). */
export interface ReaderConfig extends Omit<ClusterOptions, "brokers"> {
  /** Bootstrap brokers, `host:port` (required unless `cluster` is given). */
  brokers?: string | readonly string[];
  /**
   * A core shared with Writers, other Readers or the admin client, instead of the reader's
   * own (then `brokers` and the connection options are the cluster's). Not closed by
   * `close()`.
   */
  cluster?: Cluster;
  /** The topic to read (required unless `groupTopics` is given). */
  topic?: string;
  /** The partition to read without a group (default 0). Not allowed with `groupId`. */
  partition?: number;
  /**
   * Read exactly these partitions, with no group (the Java client's `assign()`), each from
   * its `offset` or `startOffset`. Not allowed with `topic`, `partition`, `groupId` or
   * `groupTopics`. Nothing is committed.
   */
  partitions?: readonly PartitionStart[];
  /** Join this consumer group and read the partitions it assigns. */
  groupId?: string;
  /**
   * Topics the group member subscribes to (instead of `topic`). Topics that do not exist yet
   * are waited for: the classic group's leader reports each to `onError`/`errorLogger` and
   * rebalances once it appears (checked about every second); KIP-848 brokers assign it then.
   */
  groupTopics?: readonly string[];
  /** Smallest response the broker waits for (default 1). */
  minBytes?: number;
  /** Largest fetch response, and largest per partition (default 1 MB). */
  maxBytes?: number;
  /**
   * Longest the broker holds a fetch waiting for `minBytes`, in ms (default 500, as the Java
   * client: one fetch serves every partition a broker leads, and partitions added meanwhile
   * wait for it).
   */
  maxWait?: number;
  /**
   * Time allowed for a fetch beyond `maxWait`, in ms (default `requestTimeout`, else 10 s).
   * A fetch without an answer by then closes its connection (which may be half-open) and is
   * sent again on a new one.
   */
  readBatchTimeout?: number;
  /**
   * Messages fetched ahead of the application (default 100); fetching also runs ahead until
   * a whole response (`maxBytes` of fetched, maybe compressed, bytes) is queued.
   */
  queueCapacity?: number;
  /**
   * Where to start without a committed offset: FirstOffset (default) or LastOffset. Also where
   * an offset below the partition's log start (deleted by retention) starts over. An offset
   * past the end (`setOffset(42)` on a 3-message partition) is not reset: the reader waits
   * there for the messages to come, as kafka-go's does.
   */
  startOffset?: number;
  /** Commit every this many ms instead of on each read; 0 commits synchronously (default). */
  commitInterval?: number;
  /** ms between group heartbeats (default 3 s). */
  heartbeatInterval?: number;
  /** ms the coordinator waits for a heartbeat before dropping the member (default 30 s). */
  sessionTimeout?: number;
  /** ms members get to rejoin during a rebalance (default 30 s). */
  rebalanceTimeout?: number;
  /** ms to wait before joining again after a failure (default 5 s, the retry cap). */
  joinGroupBackoff?: number;
  /** How long the broker keeps committed offsets, in ms (default: the broker's setting). */
  retentionTime?: number;
  /** How often the leader checks for new partitions, in ms (default 5 s). */
  partitionWatchInterval?: number;
  /** Rebalance when a subscribed topic gains partitions (default false). */
  watchPartitionChanges?: boolean;
  /**
   * Balancers offered to the group (default range, then roundrobin, as kafka-go). Groups
   * shared with kafka-go's Readers: when every balancer offered is one kafka-go has (range,
   * roundrobin, rack-affinity) and no `rackId` is set, the subscription is written as version
   * 0, the only one a kafka-go leader reads; otherwise as version 3, which a kafka-go leader
   * refuses (the group settles once a member of another client leads).
   */
  groupBalancers?: readonly GroupBalancer[];
  /** `classic` (default) or `consumer`, the KIP-848 protocol of Kafka 4. */
  groupProtocol?: "classic" | "consumer";
  /** The broker-side assignor for the `consumer` protocol (`uniform`, `range`). */
  groupRemoteAssignor?: string;
  /** Static membership id (KIP-345). */
  groupInstanceId?: string;
  /**
   * This consumer's rack: sent to the group (rack-aware assignors) and with fetches, so
   * brokers with a rack-aware replica selector serve it from a replica in its rack (KIP-392).
   */
  rackId?: string;
  /** `read_uncommitted` (default) or `read_committed` (skip aborted transactions). */
  isolationLevel?: "read_uncommitted" | "read_committed";
  /**
   * Check each record batch's CRC-32C (default true, as the Java client's `check.crcs`).
   * False skips it: faster for small records, but corruption on the way goes unnoticed. A
   * native CRC-32C registered with `registerCrc32c` makes the check much cheaper.
   */
  checkCrcs?: boolean;
  /**
   * Incremental fetch sessions (KIP-227, default true): after the first fetch from a broker,
   * fetches name only the partitions that changed, and answers carry only partitions with
   * something new. false names every partition in every fetch.
   */
  fetchSessions?: boolean;
  /** First retry delay after a failed fetch, in ms (default 100). */
  readBackoffMin?: number;
  /** Largest retry delay, in ms (default 1 s). */
  readBackoffMax?: number;
  /**
   * Failed dials in a row to every known broker after which reads reject with the last
   * error, as kafka-go's `MaxAttempts` (default 3; see the failure rule of `Reader`); also
   * the attempts for a commit before it fails. A refused or unresolved dial fails at once,
   * a silent broker after `connectTimeout`.
   */
  maxAttempts?: number;
  /**
   * How long `close()` lets a group reader commit, give its partitions up and leave the
   * group, in ms (default 5000); then the rest is given up and its connections closed.
   */
  closeTimeout?: number;
  /** Informational messages. */
  logger?: (message: string) => void;
  /** Errors the reader handled by retrying, as they happen (see the failure rule of `Reader`). */
  errorLogger?: (message: string) => void;
  /** A partition was read up to its high watermark (confluent-kafka-go's PartitionEOF). */
  onPartitionEof?: (partition: TopicPartition, offset: number) => void;
  /**
   * A failure the reader is retrying (a dial, a fetch, a lookup, a group error), called as it
   * happens, before the retry: see the failure rule of `Reader`.
   */
  onError?: (error: unknown) => void;
  /** Partitions newly assigned to this member; may change where each starts. */
  onAssigned?: (partitions: PartitionAssignment[]) => void | Promise<void>;
  /** Partitions about to be given up (after their offsets are committed). */
  onRevoked?: (partitions: TopicPartition[]) => void | Promise<void>;
}

/** The Reader's own options (the rest go to the cluster core). */
const READER_OPTIONS = [
  "brokers",
  "cluster",
  "topic",
  "partition",
  "partitions",
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
  "checkCrcs",
  "fetchSessions",
  "readBackoffMin",
  "readBackoffMax",
  "maxAttempts",
  "closeTimeout",
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
  /** The partitions of a reader over an explicit set, with their start offsets. */
  partitions: (TopicPartition & { offset: number })[] | undefined;
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
  closeTimeout: number;
  backoff: { backoffMin: number; backoffMax: number };
  readCommitted: boolean;
  checkCrcs: boolean;
  fetchSessions: boolean;
  groupProtocol: "classic" | "consumer";
  groupBalancers: readonly GroupBalancer[];
}

/** Checks `config` and applies the defaults. Throws a `TypeError`/`RangeError` naming the field. */
export function resolveReaderConfig(config: ReaderConfig): ResolvedReaderConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError("Reader takes a ReaderConfig object");
  }
  rejectUnknownOptions("ReaderConfig", config, KNOWN);
  if (
    config.groupTopics !== undefined &&
    (!Array.isArray(config.groupTopics) ||
      config.groupTopics.some((t) => typeof t !== "string" || t === ""))
  ) {
    throw new TypeError("groupTopics must be an array of non-empty topic names");
  }
  if (config.topic !== undefined && (typeof config.topic !== "string" || config.topic === "")) {
    throw new TypeError("topic must be a non-empty string");
  }
  const groupTopics = config.groupTopics ? [...config.groupTopics] : undefined;
  const startOffset = startOffsetOf(config.startOffset);
  const partitions = config.partitions === undefined
    ? undefined
    : partitionsOf(config, startOffset);
  // A reader over `partitions` was checked whole by partitionsOf.
  if (!partitions && config.groupId !== undefined) {
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
  } else if (!partitions) {
    if (groupTopics) throw new TypeError("groupTopics needs groupId");
    if (typeof config.topic !== "string" || config.topic === "") {
      throw new TypeError("topic must be a non-empty string");
    }
  }
  const level = config.isolationLevel ?? "read_uncommitted";
  if (level !== "read_uncommitted" && level !== "read_committed") {
    throw new TypeError(
      `isolationLevel must be read_uncommitted or read_committed, got ${String(level)}`,
    );
  }
  if (config.checkCrcs !== undefined && typeof config.checkCrcs !== "boolean") {
    throw new TypeError(`checkCrcs must be a boolean, got ${String(config.checkCrcs)}`);
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
  const readBatchTimeout = positiveInt(
    "readBatchTimeout",
    config.readBatchTimeout,
    positiveInt("requestTimeout", config.requestTimeout, 10_000),
  );
  const partition = positiveInt("partition", config.partition, 0, 0);
  const partitionWatchInterval = positiveInt(
    "partitionWatchInterval",
    config.partitionWatchInterval,
    5_000,
  );
  return {
    // A fetch waits up to maxWait on the broker: the reader's own core allows for it.
    cluster: clusterOptionsOf("ReaderConfig", config, maxWait + readBatchTimeout),
    topic: groupTopics || partitions ? undefined : config.topic,
    partition,
    partitions,
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
    closeTimeout: positiveInt("closeTimeout", config.closeTimeout, 5_000, 0),
    backoff: {
      backoffMin: positiveInt("readBackoffMin", config.readBackoffMin, 100, 0),
      backoffMax: positiveInt("readBackoffMax", config.readBackoffMax, 1_000, 0),
    },
    readCommitted: level === "read_committed",
    checkCrcs: booleanOf("checkCrcs", config.checkCrcs, true),
    fetchSessions: booleanOf("fetchSessions", config.fetchSessions, true),
    groupProtocol,
    groupBalancers,
  };
}

/** The options a reader over explicit `partitions` cannot also have. */
const NOT_WITH_PARTITIONS = ["topic", "partition", "groupId", "groupTopics"] as const;

/** `config.partitions` checked (non-empty, no repeats, offsets valid), with start offsets. */
function partitionsOf(
  config: ReaderConfig,
  startOffset: number,
): (TopicPartition & { offset: number })[] {
  for (const field of NOT_WITH_PARTITIONS) {
    if (config[field] !== undefined) {
      throw new TypeError(`${field} cannot be set with partitions: partitions names what to read`);
    }
  }
  const list = listOf("partitions", config.partitions);
  if (list.length === 0) throw new TypeError("partitions must name at least one partition");
  const seen = new Set<string>();
  return list.map((p, i) => {
    const tp = topicPartitionOf(`partitions[${i}]`, p);
    const key = partitionKey(tp.topic, tp.partition);
    if (seen.has(key)) {
      throw new TypeError(`partitions[${i}] repeats ${tp.topic}/${tp.partition}`);
    }
    seen.add(key);
    const offset = p.offset === undefined
      ? startOffset
      : intIn(`partitions[${i}].offset`, p.offset, LastOffset - 1, Number.MAX_SAFE_INTEGER);
    return { ...tp, offset };
  });
}

/** `value` if a boolean, `fallback` if undefined; a `TypeError` naming `field` otherwise. */
function booleanOf(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${field} must be a boolean, got ${value}`);
  return value;
}
