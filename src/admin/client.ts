/**
 * The admin client: every operation an operator needs, each routed by the cluster core to the
 * broker that must answer it (any broker, the controller, a coordinator or a leader).
 *
 * @module
 */

import {
  Cluster,
  type ClusterOptions,
  CORE_OPTIONS,
  type RouteOptions,
} from "../cluster/cluster.ts";
import { clusterOptionsOf } from "../consumer/_core_options.ts";
import { positiveInt, rejectUnknownOptions } from "../config.ts";
import type { Api } from "../protocol/api.ts";
import { type AdminCallOptions, runCall } from "./_call.ts";
import {
  type ClusterDescription,
  describeCluster,
  type DescribeClusterOptions,
} from "./cluster_info.ts";
import {
  createPartitions,
  type CreatePartitionsOptions,
  type CreatePartitionsResult,
  type CreateTopicResult,
  createTopics,
  type CreateTopicsOptions,
  type DeleteTopicResult,
  deleteTopics,
  describeTopics,
  type DescribeTopicsOptions,
  listTopics,
  type ListTopicsOptions,
  type NewPartitions,
  type TopicConfig,
  type TopicDescription,
  type TopicListing,
  type TopicRef,
} from "./topics.ts";
import {
  type DeletedRecordsResult,
  deleteRecords,
  type EpochEndOffset,
  type EpochQuery,
  type ListedOffsetResult,
  listOffsets,
  type ListOffsetsOptions,
  offsetsForLeaderEpoch,
  type OffsetSpecFor,
  type RecordsToDelete,
} from "./records.ts";

/** Options of a {@linkcode Client}: its own core from `brokers`, or a shared `cluster`. */
export interface ClientOptions extends Partial<Omit<ClusterOptions, "brokers">> {
  /** Bootstrap brokers (unless `cluster` is given). */
  brokers?: string | readonly string[];
  /** A cluster core shared with Writers and Readers; `close()` leaves it open. */
  cluster?: Cluster;
  /** Default time for each call, retries included, in ms (default 30 s). */
  timeout?: number;
}

const CLIENT_KEYS: ReadonlySet<string> = new Set([
  "brokers",
  "cluster",
  "timeout",
  ...CORE_OPTIONS,
]);

/**
 * kafka-go's `Client`: the admin operations. Calls that cover many items (topics, groups,
 * partitions) answer per item, each with its own `error`; {@linkcode throwIfFailed} turns any
 * failure into one error.
 *
 * @example Create a topic and describe the cluster
 * ```ts
 * import { Client } from "@kafkit/kafkit";
 *
 * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
 * const cluster = await admin.describeCluster();
 * console.log(cluster.clusterId, cluster.brokers.length);
 * ```
 */
export class Client {
  readonly #cluster: Cluster;
  readonly #ownsCluster: boolean;
  readonly #timeout: number;

  /** Creates the client; nothing is dialed until the first call. */
  constructor(options: ClientOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Client takes a ClientOptions object");
    }
    rejectUnknownOptions("ClientOptions", options, CLIENT_KEYS);
    this.#timeout = positiveInt("timeout", options.timeout, 30_000);
    const core = clusterOptionsOf("Client", options);
    this.#ownsCluster = !(core instanceof Cluster);
    this.#cluster = core instanceof Cluster ? core : new Cluster(core);
  }

  /** The cluster core this client sends through (to share with a Writer or Reader). */
  get cluster(): Cluster {
    return this.#cluster;
  }

  /**
   * Sends any generated API request, routed by the API's target (or `route`), for what has
   * no helper yet. Error codes in the answer are the caller's to read.
   */
  request<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    options: AdminCallOptions & Omit<RouteOptions<Res>, "signal" | "timeout"> = {},
  ): Promise<Res> {
    const { signal: _s, timeout: _t, ...route } = options;
    return runCall(
      api.name,
      options,
      this.#timeout,
      (call) => this.#cluster.request(api, body, { ...route, signal: call.signal }),
    );
  }

  // --- cluster (cluster_info.ts) ---------------------------------------------------------

  /** The cluster id, the controller and the brokers (DescribeCluster). */
  describeCluster(
    options: DescribeClusterOptions & AdminCallOptions = {},
  ): Promise<ClusterDescription> {
    return runCall(
      "describeCluster",
      options,
      this.#timeout,
      (call) => describeCluster(this.#cluster, options, call),
    );
  }

  // --- topics (topics.ts) ----------------------------------------------------------------

  /**
   * Creates topics (CreateTopics), one result each: the topic id, and at v5+ the partitions,
   * replication factor and configs the broker gave it. An existing topic is that topic's
   * `error` (TOPIC_ALREADY_EXISTS).
   *
   * @example
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [created] = throwIfFailed(await admin.createTopics([
   *   { topic: "events", numPartitions: 3, replicationFactor: 1 },
   * ]));
   * console.log(created.topicId, created.numPartitions);
   * ```
   */
  createTopics(
    topics: readonly TopicConfig[],
    options: CreateTopicsOptions & AdminCallOptions = {},
  ): Promise<CreateTopicResult[]> {
    return runCall(
      "createTopics",
      options,
      this.#timeout,
      (call) => createTopics(this.#cluster, topics, options, call),
    );
  }

  /** Deletes topics by name, or by `{ topicId }` (DeleteTopics v6+), one result each. */
  deleteTopics(
    topics: readonly TopicRef[],
    options: AdminCallOptions = {},
  ): Promise<DeleteTopicResult[]> {
    return runCall(
      "deleteTopics",
      options,
      this.#timeout,
      (call) => deleteTopics(this.#cluster, topics, call),
    );
  }

  /** Every topic, sorted by name; internal ones only with `internal` (Metadata). */
  listTopics(options: ListTopicsOptions & AdminCallOptions = {}): Promise<TopicListing[]> {
    return runCall(
      "listTopics",
      options,
      this.#timeout,
      (call) => listTopics(this.#cluster, options, call),
    );
  }

  /**
   * Describes topics (Metadata): id, internal flag, and each partition's leader, leader
   * epoch, replicas, ISR and offline replicas. An unknown topic is that topic's `error`.
   *
   * @example
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [events] = await admin.describeTopics(["events"]);
   * for (const p of events.partitions) console.log(p.id, p.leaderId, p.replicas, p.isr);
   * ```
   */
  describeTopics(
    topics: readonly string[],
    options: DescribeTopicsOptions & AdminCallOptions = {},
  ): Promise<TopicDescription[]> {
    return runCall(
      "describeTopics",
      options,
      this.#timeout,
      (call) => describeTopics(this.#cluster, topics, options, call),
    );
  }

  /** Raises topics' partition counts (CreatePartitions), one result each. */
  createPartitions(
    topics: readonly NewPartitions[],
    options: CreatePartitionsOptions & AdminCallOptions = {},
  ): Promise<CreatePartitionsResult[]> {
    return runCall(
      "createPartitions",
      options,
      this.#timeout,
      (call) => createPartitions(this.#cluster, topics, options, call),
    );
  }

  // --- records and offsets (records.ts) --------------------------------------------------

  /**
   * Offsets by position or time (ListOffsets), one request per leader, one result per
   * partition: `"earliest"`, `"latest"`, `"max-timestamp"` or the first record at or after
   * `{ timestamp }`.
   *
   * @example
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const hourAgo = Date.now() - 3_600_000;
   * const [p0] = await admin.listOffsets([
   *   { topic: "events", partition: 0, spec: { timestamp: hourAgo } },
   * ]);
   * console.log(p0.offset, p0.timestamp, p0.error);
   * ```
   */
  listOffsets(
    partitions: readonly OffsetSpecFor[],
    options: ListOffsetsOptions & AdminCallOptions = {},
  ): Promise<ListedOffsetResult[]> {
    return runCall(
      "listOffsets",
      options,
      this.#timeout,
      (call) => listOffsets(this.#cluster, partitions, options, call),
    );
  }

  /**
   * Deletes the records before each offset (DeleteRecords to the leaders); each result has
   * the partition's new low watermark.
   */
  deleteRecords(
    partitions: readonly RecordsToDelete[],
    options: AdminCallOptions = {},
  ): Promise<DeletedRecordsResult[]> {
    return runCall(
      "deleteRecords",
      options,
      this.#timeout,
      (call) => deleteRecords(this.#cluster, partitions, call),
    );
  }

  /** The end offset of a leader epoch in each partition (OffsetForLeaderEpoch to the leaders). */
  offsetsForLeaderEpoch(
    partitions: readonly EpochQuery[],
    options: AdminCallOptions = {},
  ): Promise<EpochEndOffset[]> {
    return runCall(
      "offsetsForLeaderEpoch",
      options,
      this.#timeout,
      (call) => offsetsForLeaderEpoch(this.#cluster, partitions, call),
    );
  }

  // --- configs (configs.ts) --------------------------------------------------------------

  // --- groups (groups.ts) ----------------------------------------------------------------

  // --- transactions and producers (transactions.ts) --------------------------------------

  // --- security: ACLs, quotas, SCRAM, delegation tokens (acls.ts, quotas.ts, ...) --------

  /** Closes the client (and its core, unless the core was shared). */
  async close(): Promise<void> {
    if (this.#ownsCluster) await this.#cluster.close();
  }

  /** Closes the client (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The Java client's name for the admin client. */
export const Admin: typeof Client = Client;
/** The Java client's name for the admin client. */
export type Admin = Client;
