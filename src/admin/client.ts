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

  // --- topics (topics.ts) ----------------------------------------------------------------

  // --- records and offsets (records.ts) --------------------------------------------------

  // --- configs (configs.ts) --------------------------------------------------------------

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
    );
  }

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
