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
  alterConfigs,
  type AlterConfigsOptions,
  type ConfigAlterationResult,
  type ConfigReplacement,
  type ConfigResource,
  type ConfigResourceDescription,
  describeConfigs,
  type DescribeConfigsOptions,
  incrementalAlterConfigs,
  type IncrementalConfigAlteration,
} from "./configs.ts";
import {
  alterClientQuotas,
  type AlterClientQuotasOptions,
  type ClientQuotaAlteration,
  type ClientQuotaAlterationResult,
  type ClientQuotaEntry,
  type ClientQuotaFilter,
  describeClientQuotas,
} from "./quotas.ts";
import {
  deleteUserScramCredentials,
  describeUserScramCredentials,
  type ScramCredentialDeletion,
  type ScramCredentialResult,
  type ScramCredentialUpsertion,
  upsertUserScramCredentials,
  type UserScramCredentials,
} from "./scram.ts";
import {
  type Acl,
  type AclFilter,
  type AclInput,
  type CreateAclResult,
  createAcls,
  deleteAcls,
  type DeleteAclsResult,
  describeAcls,
} from "./acls.ts";
import {
  createDelegationToken,
  type CreateDelegationTokenOptions,
  type DelegationToken,
  describeDelegationTokens,
  expireDelegationToken,
  renewDelegationToken,
} from "./tokens.ts";
import {
  abortTransaction,
  type AbortTransactionSpec,
  describeProducers,
  describeTransactions,
  listTransactions,
  type ListTransactionsOptions,
  type PartitionProducers,
  type TransactionDescription,
  type TransactionListing,
} from "./transactions.ts";
import type { TopicPartition } from "../offsets.ts";
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
import {
  type DeletedGroup,
  deleteGroups,
  describeGroups,
  type DescribeGroupsOptions,
  type GroupDescription,
  type ListedGroup,
  listGroups,
  type ListGroupsOptions,
  type MemberToRemove,
  type RemovedMember,
  removeMembers,
  type RemoveMembersOptions,
} from "./groups.ts";
import {
  alterOffsets,
  deleteOffsets,
  fetchOffsets,
  type FetchOffsetsOptions,
  type GroupOffsetResult,
  type GroupOffsets,
  type GroupOffsetsRequest,
  type OffsetToCommit,
} from "./group_offsets.ts";
import { type GroupLag, groupLag } from "./group_lag.ts";
import { type ResetOffset, resetOffsets, type ResetOffsetsOptions } from "./group_reset.ts";

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
      (call) => this.#cluster.request(api, body, { ...call.options, ...route }),
      [
        "route",
        "key",
        "lane",
        "maxVersion",
        "minVersion",
        "attempts",
        "backoffMin",
        "backoffMax",
        "errorCode",
        "onRetry",
      ] satisfies (keyof RouteOptions<Res>)[],
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
      [
        "includeAuthorizedOperations",
        "includeFencedBrokers",
      ] satisfies (keyof DescribeClusterOptions)[],
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
      ["validateOnly"] satisfies (keyof UpdateFeaturesOptions)[],
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
      ["type", "partitions"] satisfies (keyof ElectLeadersOptions)[],
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
      ["allowReplicationFactorChange"] satisfies (keyof AlterPartitionReassignmentsOptions)[],
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
      ["validateOnly"] satisfies (keyof CreateTopicsOptions)[],
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
      ["internal"] satisfies (keyof ListTopicsOptions)[],
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
      ["includeAuthorizedOperations"] satisfies (keyof DescribeTopicsOptions)[],
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
      ["validateOnly"] satisfies (keyof CreatePartitionsOptions)[],
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
      ["isolationLevel"] satisfies (keyof ListOffsetsOptions)[],
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

  /**
   * The configs of topics, brokers, broker loggers, groups or client-metrics subscriptions
   * (DescribeConfigs), one result per resource; a broker's own configs are asked of it.
   *
   * @example A topic's configs set on it, and a broker's with where each value comes from
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [topic, broker] = await admin.describeConfigs([
   *   { type: "topic", name: "events" },
   *   { type: "broker", name: "1", keys: ["log.retention.hours"] },
   * ], { includeSynonyms: true });
   * console.log(topic.entries.filter((e) => e.source === "dynamic-topic"));
   * console.log(broker.error ?? broker.entries[0].synonyms);
   * ```
   */
  describeConfigs(
    resources: readonly ConfigResource[],
    options: DescribeConfigsOptions & AdminCallOptions = {},
  ): Promise<ConfigResourceDescription[]> {
    return runCall(
      "describeConfigs",
      options,
      this.#timeout,
      (call) => describeConfigs(this.#cluster, resources, options, call),
      ["includeSynonyms", "includeDocumentation"] satisfies (keyof DescribeConfigsOptions)[],
    );
  }

  /**
   * Sets, deletes, appends to or subtracts from configs, leaving the others as they are
   * (IncrementalAlterConfigs), one result per resource.
   *
   * @example Keep a topic's records a day, and compact them too
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * throwIfFailed(
   *   await admin.incrementalAlterConfigs([{
   *     type: "topic",
   *     name: "events",
   *     ops: [
   *       { name: "retention.ms", op: "set", value: "86400000" },
   *       { name: "cleanup.policy", op: "append", value: "compact" },
   *     ],
   *   }]),
   * );
   * ```
   */
  incrementalAlterConfigs(
    alterations: readonly IncrementalConfigAlteration[],
    options: AlterConfigsOptions & AdminCallOptions = {},
  ): Promise<ConfigAlterationResult[]> {
    return runCall(
      "incrementalAlterConfigs",
      options,
      this.#timeout,
      (call) => incrementalAlterConfigs(this.#cluster, alterations, options, call),
      ["validateOnly"] satisfies (keyof AlterConfigsOptions)[],
    );
  }

  /**
   * Replaces each resource's whole set of dynamic configs (the legacy AlterConfigs): configs
   * left out go back to their defaults. Prefer {@linkcode incrementalAlterConfigs}.
   */
  alterConfigs(
    replacements: readonly ConfigReplacement[],
    options: AlterConfigsOptions & AdminCallOptions = {},
  ): Promise<ConfigAlterationResult[]> {
    return runCall(
      "alterConfigs",
      options,
      this.#timeout,
      (call) => alterConfigs(this.#cluster, replacements, options, call),
      ["validateOnly"] satisfies (keyof AlterConfigsOptions)[],
    );
  }

  // --- groups (groups.ts) ----------------------------------------------------------------
  /**
   * Every group of the cluster, from every broker (ListGroups v5), filtered by state and
   * type.
   *
   * @example List the KIP-848 consumer groups that have no members
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const empty = await admin.listGroups({ states: ["Empty"], types: ["consumer"] });
   * console.log(empty.map((g) => g.groupId));
   * ```
   */
  listGroups(options: ListGroupsOptions & AdminCallOptions = {}): Promise<ListedGroup[]> {
    return runCall(
      "listGroups",
      options,
      this.#timeout,
      (call) => listGroups(this.#cluster, options, call),
      ["states", "types"] satisfies (keyof ListGroupsOptions)[],
    );
  }

  /**
   * Each group's state, assignor and members with their assignments, one result per group:
   * classic groups from DescribeGroups, consumer groups (KIP-848) from ConsumerGroupDescribe,
   * share groups from ShareGroupDescribe.
   *
   * @example Who owns which partitions
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [group] = throwIfFailed(await admin.describeGroups(["orders-app"]));
   * for (const m of group.members) console.log(m.clientId, m.host, m.assignment);
   * ```
   */
  describeGroups(
    groupIds: readonly string[],
    options: DescribeGroupsOptions & AdminCallOptions = {},
  ): Promise<GroupDescription[]> {
    return runCall(
      "describeGroups",
      options,
      this.#timeout,
      (call) => describeGroups(this.#cluster, groupIds, options, call),
      ["includeAuthorizedOperations"] satisfies (keyof DescribeGroupsOptions)[],
    );
  }

  /**
   * Deletes groups and their offsets (DeleteGroups), one result per group: a group with
   * members fails with NON_EMPTY_GROUP, an unknown one with GROUP_ID_NOT_FOUND.
   */
  deleteGroups(
    groupIds: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<DeletedGroup[]> {
    return runCall(
      "deleteGroups",
      options,
      this.#timeout,
      (call) => deleteGroups(this.#cluster, groupIds, call),
    );
  }

  /**
   * Removes members from a group (LeaveGroup v3+) by member id or static instance id, or
   * `"all"` of them; one result per member.
   */
  removeMembers(
    groupId: string,
    members: readonly MemberToRemove[] | "all",
    options: RemoveMembersOptions & AdminCallOptions = {},
  ): Promise<RemovedMember[]> {
    return runCall(
      "removeMembers",
      options,
      this.#timeout,
      (call) => removeMembers(this.#cluster, groupId, members, options, call),
      ["reason"] satisfies (keyof RemoveMembersOptions)[],
    );
  }

  /**
   * Groups' committed offsets, one result per group (OffsetFetch v8+ asks a coordinator
   * about all its groups at once; older brokers are asked once per group).
   *
   * @example
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [app] = await admin.fetchOffsets([{ groupId: "orders-app", topics: ["orders"] }]);
   * for (const o of app.offsets) console.log(o.partition, o.offset);
   * ```
   */
  fetchOffsets(
    requests: readonly GroupOffsetsRequest[],
    options: FetchOffsetsOptions & AdminCallOptions = {},
  ): Promise<GroupOffsets[]> {
    return runCall(
      "fetchOffsets",
      options,
      this.#timeout,
      (call) => fetchOffsets(this.#cluster, requests, options, call),
      ["requireStable"] satisfies (keyof FetchOffsetsOptions)[],
    );
  }

  /**
   * Sets a group's committed offsets (OffsetCommit as an admin, outside the group): for
   * groups without members. One result per partition.
   */
  alterOffsets(
    groupId: string,
    offsets: readonly OffsetToCommit[],
    options: AdminCallOptions = {},
  ): Promise<GroupOffsetResult[]> {
    return runCall(
      "alterOffsets",
      options,
      this.#timeout,
      (call) => alterOffsets(this.#cluster, groupId, offsets, call),
    );
  }

  /** Deletes a group's committed offsets of some partitions (OffsetDelete), per partition. */
  deleteOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<GroupOffsetResult[]> {
    return runCall(
      "deleteOffsets",
      options,
      this.#timeout,
      (call) => deleteOffsets(this.#cluster, groupId, partitions, call),
    );
  }

  /**
   * Each group's lag per partition: committed offset, log end and their difference (null
   * without a commit, where `kafka-consumer-groups --describe` shows "-"), and the total.
   *
   * @example
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [lag] = await admin.groupLag(["orders-app"]);
   * console.log(lag.totalLag, lag.partitions.map((p) => [p.partition, p.lag]));
   * ```
   */
  groupLag(groupIds: readonly string[], options: AdminCallOptions = {}): Promise<GroupLag[]> {
    return runCall(
      "groupLag",
      options,
      this.#timeout,
      (call) => groupLag(this.#cluster, groupIds, call),
    );
  }

  /**
   * `kafka-consumer-groups --reset-offsets`: moves a group's offsets to the log's start or
   * end, a time, an offset or by a shift, clamped into the log; refuses a group with active
   * members (`ActiveGroupError`) unless `force`. Returns the new offsets, committed unless
   * `dryRun`.
   *
   * @example Replay the last hour
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const moved = await admin.resetOffsets("orders-app", {
   *   topics: ["orders"],
   *   to: { timestamp: Date.now() - 3_600_000 },
   * });
   * console.log(moved.map((p) => `${p.partition}: ${p.previous} -> ${p.offset}`));
   * ```
   */
  resetOffsets(
    groupId: string,
    options: ResetOffsetsOptions & AdminCallOptions,
  ): Promise<ResetOffset[]> {
    return runCall(
      "resetOffsets",
      options,
      this.#timeout,
      (call) => resetOffsets(this.#cluster, groupId, options, call),
      [
        "topics",
        "partitions",
        "allTopics",
        "to",
        "dryRun",
        "force",
      ] satisfies (keyof ResetOffsetsOptions)[],
    );
  }

  // --- transactions and producers (transactions.ts) --------------------------------------
  /**
   * The transactions every broker coordinates (ListTransactions to each broker, merged),
   * filtered by state, producer id and how long they have run.
   *
   * @example Transactions open for more than a minute
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const old = await admin.listTransactions({ states: ["Ongoing"], durationFilter: 60_000 });
   * for (const t of old) console.log(t.transactionalId, t.producerId);
   * ```
   */
  listTransactions(
    options: ListTransactionsOptions & AdminCallOptions = {},
  ): Promise<TransactionListing[]> {
    return runCall(
      "listTransactions",
      options,
      this.#timeout,
      (call) => listTransactions(this.#cluster, options, call),
      ["states", "producerIds", "durationFilter"] satisfies (keyof ListTransactionsOptions)[],
    );
  }

  /**
   * Each transactional id's state, producer and partitions (DescribeTransactions to its
   * transaction coordinator), one result per id.
   */
  describeTransactions(
    transactionalIds: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<TransactionDescription[]> {
    return runCall(
      "describeTransactions",
      options,
      this.#timeout,
      (call) => describeTransactions(this.#cluster, transactionalIds, call),
    );
  }

  /**
   * The producers each partition's leader tracks, with their open transaction's first
   * offset (DescribeProducers to the leaders), one result per partition.
   */
  describeProducers(
    partitions: readonly TopicPartition[],
    options: AdminCallOptions = {},
  ): Promise<PartitionProducers[]> {
    return runCall(
      "describeProducers",
      options,
      this.#timeout,
      (call) => describeProducers(this.#cluster, partitions, call),
    );
  }

  /**
   * Aborts a hanging transaction at one partition (KIP-664, `kafka-transactions abort`):
   * one abort marker written by the partition's leader (WriteTxnMarkers).
   *
   * @example Abort the transaction that holds back a partition's last stable offset
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [p] = await admin.describeProducers([{ topic: "orders", partition: 0 }]);
   * const stuck = p.producers.find((s) => s.currentTxnStartOffset !== null);
   * if (stuck) await admin.abortTransaction({ topic: "orders", partition: 0, ...stuck });
   * ```
   */
  abortTransaction(spec: AbortTransactionSpec, options: AdminCallOptions = {}): Promise<void> {
    return runCall(
      "abortTransaction",
      options,
      this.#timeout,
      (call) => abortTransaction(this.#cluster, spec, call),
    );
  }

  // --- security: ACLs, quotas, SCRAM, delegation tokens (acls.ts, quotas.ts, ...) --------

  // quotas (quotas.ts)

  /**
   * The client quotas of the entities that match every component (DescribeClientQuotas).
   *
   * @example Every user's quotas, and the default user's
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * for (const { entity, values } of await admin.describeClientQuotas({
   *   components: [{ entityType: "user", match: "any" }],
   * })) {
   *   console.log(entity.user ?? "(default user)", values);
   * }
   * ```
   */
  describeClientQuotas(
    filter: ClientQuotaFilter,
    options: AdminCallOptions = {},
  ): Promise<ClientQuotaEntry[]> {
    return runCall(
      "describeClientQuotas",
      options,
      this.#timeout,
      (call) => describeClientQuotas(this.#cluster, filter, call),
    );
  }

  /**
   * Sets or removes (value `null`) client quotas (AlterClientQuotas), one result per entity.
   *
   * @example Cap a user's produce rate, and remove its consume cap
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * const [result] = await admin.alterClientQuotas([{
   *   entity: { user: "bob" },
   *   ops: [{ key: "producer_byte_rate", value: 1048576 }, {
   *     key: "consumer_byte_rate",
   *     value: null,
   *   }],
   * }]);
   * if (result.error) throw result.error;
   * ```
   */
  alterClientQuotas(
    alterations: readonly ClientQuotaAlteration[],
    options: AlterClientQuotasOptions & AdminCallOptions = {},
  ): Promise<ClientQuotaAlterationResult[]> {
    return runCall(
      "alterClientQuotas",
      options,
      this.#timeout,
      (call) => alterClientQuotas(this.#cluster, alterations, options, call),
      ["validateOnly"] satisfies (keyof AlterClientQuotasOptions)[],
    );
  }

  // SCRAM credentials (scram.ts)

  /**
   * The SCRAM credentials (mechanism and iterations) of `users`, or of every user that has
   * some when `users` is left out (DescribeUserScramCredentials), one result per user.
   */
  describeUserScramCredentials(
    users?: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<UserScramCredentials[]> {
    return runCall(
      "describeUserScramCredentials",
      options,
      this.#timeout,
      (call) => describeUserScramCredentials(this.#cluster, users, call),
    );
  }

  /**
   * Adds or replaces SCRAM credentials (AlterUserScramCredentials). The password is salted
   * and hashed here; only the salted password is sent. One result per credential; one user
   * may have one change per call.
   *
   * @example A user who can then log in with SCRAM-SHA-512
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * throwIfFailed(
   *   await admin.upsertUserScramCredentials([
   *     { user: "bob", mechanism: "SCRAM-SHA-512", password: "bob-secret", iterations: 8192 },
   *   ]),
   * );
   * ```
   */
  upsertUserScramCredentials(
    upsertions: readonly ScramCredentialUpsertion[],
    options: AdminCallOptions = {},
  ): Promise<ScramCredentialResult[]> {
    return runCall(
      "upsertUserScramCredentials",
      options,
      this.#timeout,
      (call) => upsertUserScramCredentials(this.#cluster, upsertions, call),
    );
  }

  /** Deletes SCRAM credentials (AlterUserScramCredentials), one result per credential. */
  deleteUserScramCredentials(
    deletions: readonly ScramCredentialDeletion[],
    options: AdminCallOptions = {},
  ): Promise<ScramCredentialResult[]> {
    return runCall(
      "deleteUserScramCredentials",
      options,
      this.#timeout,
      (call) => deleteUserScramCredentials(this.#cluster, deletions, call),
    );
  }
  /**
   * Creates ACL bindings (CreateAcls), one result per binding.
   *
   * @example Let a user read one topic
   * ```ts
   * import { Client, throwIfFailed } from "@kafkit/kafkit";
   *
   * await using admin = new Client({ brokers: ["127.0.0.1:9092"] });
   * throwIfFailed(
   *   await admin.createAcls([{
   *     resourceType: "topic",
   *     resourceName: "orders",
   *     patternType: "literal",
   *     principal: "User:bob",
   *     operation: "read",
   *     permission: "allow",
   *   }]),
   * );
   * ```
   */
  createAcls(
    acls: readonly AclInput[],
    options: AdminCallOptions = {},
  ): Promise<CreateAclResult[]> {
    return runCall(
      "createAcls",
      options,
      this.#timeout,
      (call) => createAcls(this.#cluster, acls, call),
    );
  }

  /** The ACL bindings `filter` matches (DescribeAcls); fields left out match anything. */
  describeAcls(filter: AclFilter = {}, options: AdminCallOptions = {}): Promise<Acl[]> {
    return runCall(
      "describeAcls",
      options,
      this.#timeout,
      (call) => describeAcls(this.#cluster, filter, call),
    );
  }

  /** Deletes the ACL bindings each filter matches (DeleteAcls), one result per filter. */
  deleteAcls(
    filters: readonly AclFilter[],
    options: AdminCallOptions = {},
  ): Promise<DeleteAclsResult[]> {
    return runCall(
      "deleteAcls",
      options,
      this.#timeout,
      (call) => deleteAcls(this.#cluster, filters, call),
    );
  }

  /**
   * Creates a delegation token for the caller, or for `owner` (CreateDelegationToken). The
   * client must have authenticated with SASL (not with a token).
   *
   * @example A token a job can authenticate with for a day
   * ```ts
   * import { Client } from "@kafkit/kafkit";
   *
   * await using admin = new Client({
   *   brokers: ["127.0.0.1:9093"],
   *   sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "alice-secret" },
   * });
   * const token = await admin.createDelegationToken({ maxLifetime: 86_400_000 });
   * console.log(token.tokenId, token.expiryTime);
   * ```
   */
  createDelegationToken(
    options: CreateDelegationTokenOptions & AdminCallOptions = {},
  ): Promise<DelegationToken> {
    return runCall(
      "createDelegationToken",
      options,
      this.#timeout,
      (call) => createDelegationToken(this.#cluster, options, call),
      ["renewers", "maxLifetime", "owner"] satisfies (keyof CreateDelegationTokenOptions)[],
    );
  }

  /**
   * Renews a token for `period` ms from now (RenewDelegationToken; -1: the broker's default
   * renew interval); resolves with its new expiry time.
   */
  renewDelegationToken(
    hmac: Uint8Array,
    period: number,
    options: AdminCallOptions = {},
  ): Promise<Date> {
    return runCall(
      "renewDelegationToken",
      options,
      this.#timeout,
      (call) => renewDelegationToken(this.#cluster, hmac, period, call),
    );
  }

  /**
   * Makes a token expire `period` ms from now, or at once for a negative period
   * (ExpireDelegationToken); resolves with its expiry time.
   */
  expireDelegationToken(
    hmac: Uint8Array,
    period: number,
    options: AdminCallOptions = {},
  ): Promise<Date> {
    return runCall(
      "expireDelegationToken",
      options,
      this.#timeout,
      (call) => expireDelegationToken(this.#cluster, hmac, period, call),
    );
  }

  /**
   * The tokens of `owners` (`User:alice`; those they own or requested), or every token the
   * caller may see (DescribeDelegationToken).
   */
  describeDelegationTokens(
    owners?: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<DelegationToken[]> {
    return runCall(
      "describeDelegationTokens",
      options,
      this.#timeout,
      (call) => describeDelegationTokens(this.#cluster, owners, call),
    );
  }
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
