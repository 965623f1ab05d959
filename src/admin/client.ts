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
