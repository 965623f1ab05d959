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
  describeFeatures,
  type FeatureMetadata,
  type FeatureUpdate,
  type FeatureUpdateResult,
  updateFeatures,
  type UpdateFeaturesOptions,
} from "./features.ts";
import {
  alterReplicaLogDirs,
  type BrokerLogDirs,
  describeLogDirs,
  type ReplicaLogDirMove,
  type ReplicaLogDirResult,
} from "./log_dirs.ts";
import { type ElectionResult, electLeaders, type ElectLeadersOptions } from "./elections.ts";
import {
  alterPartitionReassignments,
  type AlterPartitionReassignmentsOptions,
  cancelPartitionReassignments,
  listPartitionReassignments,
  type OngoingReassignment,
  type PartitionReassignment,
  type ReassignmentResult,
} from "./reassignments.ts";
import { describeQuorum, type QuorumDescription, unregisterBroker } from "./quorum.ts";
import type { TopicPartition } from "../offsets.ts";

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

  /** The features the cluster finalized and those the broker supports (ApiVersions v3+). */
  describeFeatures(options: AdminCallOptions = {}): Promise<FeatureMetadata> {
    return runCall(
      "describeFeatures",
      options,
      this.#timeout,
      (call) => describeFeatures(this.#cluster, call),
    );
  }

  /**
   * Changes finalized feature levels (UpdateFeatures): all or none; one result per change.
   *
   * @example Check that metadata.version may stay where it is, changing nothing
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const { finalizedFeatures } = await admin.describeFeatures();
   * const level = finalizedFeatures.find((f) => f.name === "metadata.version")!.maxVersionLevel;
   * throwIfFailed(
   *   await admin.updateFeatures([{ feature: "metadata.version", maxVersionLevel: level }], {
   *     validateOnly: true,
   *   }),
   * );
   * ```
   */
  updateFeatures(
    updates: readonly FeatureUpdate[],
    options: UpdateFeaturesOptions & AdminCallOptions = {},
  ): Promise<FeatureUpdateResult[]> {
    return runCall(
      "updateFeatures",
      options,
      this.#timeout,
      (call) => updateFeatures(this.#cluster, updates, options, call),
    );
  }

  /**
   * The log directories of `brokers` (default: all) with the replicas of `partitions`
   * (default: all) in each (DescribeLogDirs to each broker); one result per broker.
   */
  describeLogDirs(
    brokers?: readonly number[],
    partitions?: readonly TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<BrokerLogDirs[]> {
    return runCall(
      "describeLogDirs",
      options,
      this.#timeout,
      (call) => describeLogDirs(this.#cluster, brokers, partitions, call),
    );
  }

  /** Moves replicas to other log directories of their brokers (AlterReplicaLogDirs). */
  alterReplicaLogDirs(
    moves: readonly ReplicaLogDirMove[],
    options: AdminCallOptions = {},
  ): Promise<ReplicaLogDirResult[]> {
    return runCall(
      "alterReplicaLogDirs",
      options,
      this.#timeout,
      (call) => alterReplicaLogDirs(this.#cluster, moves, call),
    );
  }

  /**
   * Elects leaders (ElectLeaders): the preferred replica, or an unclean one where no in-sync
   * replica is left; one result per partition (ELECTION_NOT_NEEDED where nothing changes).
   *
   * @example Give every partition back to its preferred leader
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * for (const r of await admin.electLeaders({ type: "preferred" })) {
   *   console.log(r.topic, r.partition, r.error?.message ?? "elected");
   * }
   * ```
   */
  electLeaders(options: ElectLeadersOptions & AdminCallOptions): Promise<ElectionResult[]> {
    return runCall(
      "electLeaders",
      options,
      this.#timeout,
      (call) => electLeaders(this.#cluster, options, call),
    );
  }

  /**
   * Starts (or, with `replicas: null`, cancels) partition reassignments
   * (AlterPartitionReassignments); one result per partition.
   *
   * @example Move partition 0 of "events" to brokers 2 and 3, then wait for it
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * throwIfFailed(
   *   await admin.alterPartitionReassignments([{ topic: "events", partition: 0, replicas: [2, 3] }]),
   * );
   * while ((await admin.listPartitionReassignments([{ topic: "events", partition: 0 }])).length) {
   *   await new Promise((r) => setTimeout(r, 500));
   * }
   * ```
   */
  alterPartitionReassignments(
    reassignments: readonly PartitionReassignment[],
    options: AlterPartitionReassignmentsOptions & AdminCallOptions = {},
  ): Promise<ReassignmentResult[]> {
    return runCall(
      "alterPartitionReassignments",
      options,
      this.#timeout,
      (call) => alterPartitionReassignments(this.#cluster, reassignments, options, call),
    );
  }

  /**
   * Cancels the reassignments of `partitions` (AlterPartitionReassignments with no replicas);
   * a partition with none in progress gets NO_REASSIGNMENT_IN_PROGRESS.
   */
  cancelPartitionReassignments(
    partitions: readonly TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<ReassignmentResult[]> {
    return runCall(
      "cancelPartitionReassignments",
      options,
      this.#timeout,
      (call) => cancelPartitionReassignments(this.#cluster, partitions, call),
    );
  }

  /**
   * The reassignments in progress among `partitions` (default: all)
   * (ListPartitionReassignments).
   */
  listPartitionReassignments(
    partitions?: readonly TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<OngoingReassignment[]> {
    return runCall(
      "listPartitionReassignments",
      options,
      this.#timeout,
      (call) => listPartitionReassignments(this.#cluster, partitions, call),
    );
  }

  /**
   * Removes the registration of a broker that is gone for good (UnregisterBroker);
   * BROKER_ID_NOT_REGISTERED for an id the controller does not know.
   */
  unregisterBroker(brokerId: number, options: AdminCallOptions = {}): Promise<void> {
    return runCall(
      "unregisterBroker",
      options,
      this.#timeout,
      (call) => unregisterBroker(this.#cluster, brokerId, call),
    );
  }

  /**
   * The KRaft metadata quorum: leader, epoch, high watermark, each voter's and observer's
   * progress, the voters' endpoints (DescribeQuorum).
   */
  describeQuorum(options: AdminCallOptions = {}): Promise<QuorumDescription> {
    return runCall(
      "describeQuorum",
      options,
      this.#timeout,
      (call) => describeQuorum(this.#cluster, call),
    );
  }

  // --- topics (topics.ts) ----------------------------------------------------------------

  // --- records and offsets (records.ts) --------------------------------------------------

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
