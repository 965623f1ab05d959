/**
 * The client core: one metadata model, connections per broker and lane, and routing of any
 * request to its target — any broker, a partition's leader, the controller, or a group,
 * transaction or share coordinator — with the one retry helper. The Writer, Reader,
 * ConsumerGroup and admin client are policies on top of it, and may share one.
 *
 * @module
 */

import { abortable } from "../_async/abortable.ts";
import { isRetriable, retry } from "../_async/retry.ts";
import { parseBrokers, rejectUnknownOptions } from "../config.ts";
import { ConnectionError, DecodeError, TimeoutError, UnsupportedVersionError } from "../errors.ts";
import type { Api } from "../protocol/api.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { Metadata, type MetadataResponse } from "../protocol/generated/metadata.ts";
import { metadataRequest } from "./requests/metadata.ts";
import {
  Connection,
  CONNECTION_OPTIONS,
  type ConnectionDialer,
  type ConnectionOptions,
  DEFAULT_REQUEST_TIMEOUT,
} from "../transport/connection.ts";
import { Coordinators, type CoordinatorType } from "./_coordinators.ts";
import { ConnectionPool, type Lane, type PoolEvents, type PoolLane } from "./_pool.ts";
import { parseAddress } from "../address.ts";
import { type BrokerInfo, readMetadata, type TopicInfo } from "./metadata_model.ts";
import { type Log, type Logger, logOf } from "../log.ts";
import { Telemetry, type TelemetryOption } from "../telemetry.ts";
import { type ClusterStats, ConnectionCounters } from "./connection_stats.ts";

export type { Lane, PoolEvents, PoolLane } from "./_pool.ts";
export type { CoordinatorType } from "./_coordinators.ts";
export type { BrokerInfo, PartitionInfo, TopicInfo } from "./metadata_model.ts";
export type { ApiStats, ClusterStats } from "./connection_stats.ts";

/** Options of a {@linkcode Cluster}. */
export interface ClusterOptions extends Omit<ConnectionOptions, "host" | "port" | "signal"> {
  /** Bootstrap brokers: `host:port` strings, or one comma-separated string. */
  brokers: string | readonly string[];
  /** Refresh cached metadata at least this often, in ms (default 5 minutes). */
  metadataMaxAge?: number;
  /** Close a broker connection unused for this long, in ms (default 9 minutes). */
  idleTimeout?: number;
  /** Skip a broker that failed for this long before dialing it again, in ms (default 1 s). */
  deadBrokerBackoff?: number;
  /**
   * Opens every connection of the core (kafka-go's `Dialer` field): one `Dialer`
   * shared by Writers, Readers, consumer groups and the admin client carries the connection
   * settings (client id, TLS, SASL, timeouts, resolver) once. The connection options
   * (`clientId`, `tls`, `sasl`, `connectTimeout`, …) are then the dialer's: setting one here
   * too is a `TypeError` (`requestTimeout` stays the core's default per request). The
   * dialer's `transactionalId` and `allowAutoTopicCreation` are for its own `Conn`s only.
   */
  dialer?: ConnectionDialer;
  /**
   * Let Metadata requests create missing topics, where the broker allows it
   * (`auto.create.topics.enable`). Default false for the core's lookups; a Writer asks with
   * its own setting (default true, see `WriterConfig.allowAutoTopicCreation`).
   */
  allowAutoTopicCreation?: boolean;
  /** Where log entries go (default: nowhere). See `src/log.ts`. */
  log?: Logger;
  /**
   * OpenTelemetry traces and metrics: the `@opentelemetry/api` module, or `{ api, tracer,
   * meter }` (default: none). See `src/telemetry.ts`.
   */
  telemetry?: TelemetryOption;
}

/** Options of a topic lookup ({@linkcode Cluster.topic}, {@linkcode Cluster.refresh}). */
export interface TopicLookupOptions {
  /**
   * Ask the broker to create the topics that are missing (when it allows auto-creation),
   * whatever the core's `allowAutoTopicCreation` says: a Writer's lookups.
   */
  allowAutoTopicCreation?: boolean;
}

/**
 * The options every config hands on to its cluster core: the connection options, then the
 * core's own (everything `ClusterOptions` has but `brokers`).
 */
export const CORE_OPTIONS = [
  ...CONNECTION_OPTIONS,
  "metadataMaxAge",
  "idleTimeout",
  "deadBrokerBackoff",
  "dialer",
  "allowAutoTopicCreation",
  "log",
  "telemetry",
] as const satisfies readonly (keyof ClusterOptions)[];

/** The {@linkcode CORE_OPTIONS} that `config` sets (those left undefined are left out). */
export function coreOptionsOf(config: object): Omit<ClusterOptions, "brokers"> {
  const options: Record<string, unknown> = {};
  for (const k of CORE_OPTIONS) {
    const v = (config as Record<string, unknown>)[k];
    if (v !== undefined) options[k] = v;
  }
  return options;
}

const CLUSTER_KEYS: ReadonlySet<string> = new Set(["brokers", ...CORE_OPTIONS]);

/** Where a request goes. */
export type Route =
  | { to: "any" }
  | { to: "node"; nodeId: number }
  | { to: "controller" }
  | { to: "leader"; topic: string; partition: number }
  | { to: CoordinatorType; key: string };

/** Options of a routed {@linkcode Cluster.request}. */
export interface RouteOptions<Res> {
  /** Where to send it (default: from the API's target; coordinator targets need `key`). */
  route?: Route;
  /** The group id or transactional id, for APIs whose target is a coordinator. */
  key?: string;
  /** Which connection to the broker (default `"default"`). */
  lane?: Lane;
  /** Cancels the request, a wait for a route or connection, and the backoff between attempts. */
  signal?: AbortSignal;
  /** Time allowed for the broker's answer, in ms. */
  timeout?: number;
  /** Use at most this version of the API. */
  maxVersion?: number;
  /**
   * Fail with `UnsupportedVersionError` below `version`: for a request whose meaning needs a
   * field older versions lack (and would silently drop), named by `for` in the error, such
   * as `validateOnly`.
   */
  minVersion?: { version: number; for: string };
  /** Attempts in all (default 10; 1 sends once). */
  attempts?: number;
  /** First backoff between attempts, in ms (default 50). */
  backoffMin?: number;
  /** Largest backoff between attempts, in ms (default 1000). */
  backoffMax?: number;
  /**
   * The answer's error code that says whether the request reached the wrong broker (the
   * top-level one, or a partition's): NOT_COORDINATOR, NOT_CONTROLLER or a leader move is
   * retried on a fresh route; any other code is returned for the caller to handle.
   */
  errorCode?: (res: Res) => number;
  /** Called before each retry. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Errors that say a coordinator moved or is not ready: find it again. */
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([
  ErrorCodes.NOT_COORDINATOR,
  ErrorCodes.COORDINATOR_NOT_AVAILABLE,
]);

/** Errors after which a partition's leader must be looked up again. */
export const LEADER_MOVED: ReadonlySet<number> = new Set([
  ErrorCodes.NOT_LEADER_OR_FOLLOWER,
  ErrorCodes.LEADER_NOT_AVAILABLE,
  ErrorCodes.FENCED_LEADER_EPOCH,
  ErrorCodes.UNKNOWN_LEADER_EPOCH,
  ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCodes.UNKNOWN_TOPIC_ID,
  ErrorCodes.KAFKA_STORAGE_ERROR,
  ErrorCodes.REPLICA_NOT_AVAILABLE,
  ErrorCodes.OFFSET_NOT_AVAILABLE,
]);

/** The bootstrap list's pseudo node ids are negative, as in the Java client. */
const bootstrapId = (i: number) => -1 - i;

/** A partition's leader, as routing needs it. */
export interface Leader {
  /** The leader's node id. */
  nodeId: number;
  /** The leader epoch the metadata named (for fencing, KIP-320). */
  leaderEpoch: number;
  /** Kafka's 22-character topic id. */
  topicId: string;
}

/**
 * Connections, metadata and routing for a whole cluster. Low-level: the Writer, Reader and
 * admin client build one each, or share one passed as their `cluster` option.
 *
 * @example
 * ```ts
 * import { Cluster } from "@kafkit/kafkit/core";
 * const cluster = new Cluster({ brokers: "127.0.0.1:9092" });
 * const topic = await cluster.topic("events");
 * console.log(topic.partitionIds, await cluster.leader("events", 0));
 * await cluster.close();
 * ```
 */
export class Cluster {
  readonly #options: ClusterOptions;
  readonly #addresses = new Map<number, string>();
  readonly #brokers = new Map<number, BrokerInfo>();
  readonly #pool: ConnectionPool;
  readonly #coordinators: Coordinators;
  readonly #topics = new Map<string, TopicInfo>();
  readonly #topicErrors = new Map<string, KafkaError>();
  #controllerId = -1;
  #clusterId: string | null = null;
  #refreshing: Promise<void> | undefined;
  #wanted = new Set<string>();
  /** Topics whose lookups may create them (a Writer's), asked for apart from the others. */
  readonly #autoCreate = new Set<string>();
  readonly #observers = new Set<PoolEvents>();
  #closed = false;
  readonly #log: Log;
  readonly #telemetry: Telemetry | undefined;
  /** The core's own counters (`stats()`), also one of the observers. */
  readonly #counters: ConnectionCounters;
  readonly #observeLoad: (() => void) | undefined;

  /** Creates a cluster client; nothing is dialed until it is used. */
  constructor(options: ClusterOptions) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Cluster takes a ClusterOptions object");
    }
    rejectUnknownOptions("ClusterOptions", options, CLUSTER_KEYS);
    parseBrokers(options.brokers).forEach((b, i) => this.#addresses.set(bootstrapId(i), b));
    this.#options = { ...options };
    const {
      brokers: _b,
      metadataMaxAge: _m,
      idleTimeout,
      deadBrokerBackoff,
      allowAutoTopicCreation: _a,
      log,
      telemetry,
      dialer,
      ...dial
    } = options;
    this.#log = logOf({ log });
    this.#telemetry = telemetry === undefined ? undefined : new Telemetry(telemetry);
    const counters = this.#counters = new ConnectionCounters(this.#telemetry);
    const observers = this.#observers;
    observers.add(counters);
    this.#pool = new ConnectionPool(
      openerOf(dialer, dial, (done) => counters.requestDone(done)),
      {
        dialed: (ms) => observers.forEach((o) => o.dialed(ms)),
        timedOut: () => observers.forEach((o) => o.timedOut()),
        dialFailed: (e, address) => observers.forEach((o) => o.dialFailed?.(e, address)),
      },
      idleTimeout ?? 540_000,
      deadBrokerBackoff ?? 1_000,
    );
    this.#observeLoad = this.#telemetry?.observeLoad(() => this.#pool.load());
    this.#coordinators = new Coordinators({
      anyConnection: () => this.anyConnection(),
      rememberBroker: (id, address) => this.rememberBroker(id, address),
    });
  }

  /** The connection to broker `nodeId` on `lane`, dialed if needed. */
  connection(nodeId: number, lane: PoolLane = "default"): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionError("the cluster client is closed"));
    const address = this.#addresses.get(nodeId);
    if (!address) {
      return Promise.reject(new ConnectionError(`broker ${nodeId} is not in the metadata`));
    }
    return this.#pool.get(nodeId, address, lane);
  }

  /**
   * Calls `observer` on every dial and request timeout of the core's connections (the core's
   * own counters behind `stats()` are one observer; each Writer's and Reader's counters for the
   * `dials`, `dialTime` and `timeouts` of their stats another); returns the function that stops.
   */
  observe(observer: PoolEvents): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Records a broker's address learned outside Metadata (FindCoordinator answers). */
  rememberBroker(nodeId: number, address: string): void {
    const old = this.#addresses.get(nodeId);
    if (old !== undefined && old !== address) this.#pool.drop(nodeId);
    this.#addresses.set(nodeId, address);
  }

  /**
   * A connection to any live broker: known brokers first, then the bootstrap list, skipping
   * recently failed ones while others remain. Fails only when every broker fails.
   */
  async anyConnection(lane: Lane = "default"): Promise<Connection> {
    return (await this.#anyBroker(lane)).conn;
  }

  async #anyBroker(lane: PoolLane): Promise<{ nodeId: number; conn: Connection }> {
    if (this.#closed) throw new ConnectionError("the cluster client is closed");
    const now = Date.now();
    const pool = this.#pool;
    const ids = [...this.#addresses.keys()].sort((a, b) =>
      // Live before dead, already connected first, real brokers before bootstrap entries.
      Number(pool.isDead(a, now)) - Number(pool.isDead(b, now)) ||
      Number(pool.has(b)) - Number(pool.has(a)) || b - a
    );
    let last: unknown;
    for (const nodeId of ids) {
      try {
        return { nodeId, conn: await this.connection(nodeId, lane) };
      } catch (e) {
        last = e;
        if (e instanceof TypeError || e instanceof RangeError) throw e;
      }
    }
    throw last instanceof Error ? last : new ConnectionError("no broker could be reached");
  }

  /**
   * Calls `listener` with every failed dial (refused, unresolved, timed out, TLS or SASL
   * failure) as it happens, before any retry; returns the function that unsubscribes. How
   * the Reader and Writer report an unreachable cluster within a dial, not after retries.
   */
  onDialError(listener: (error: Error, address: string) => void): () => void {
    return this.observe({ dialed: () => {}, timedOut: () => {}, dialFailed: listener });
  }

  /**
   * The last dial failure when no broker can be reached: no connection is open, and every
   * known address (the bootstrap list and the brokers of the metadata) failed its last
   * `attempts` dials in a row. Undefined while any broker may still answer.
   */
  unreachable(attempts: number): Error | undefined {
    if (this.#closed) return undefined;
    return this.#pool.unreachable(new Set(this.#addresses.values()), attempts);
  }

  /** Reports a failure on `nodeId`: drops its connection(s) and avoids it briefly. */
  brokerFailed(nodeId: number, lane?: PoolLane): void {
    this.#log.debug("kafkit: broker failed, avoiding it for a while", { nodeId, lane });
    this.#pool.markDead(nodeId);
    this.#pool.drop(nodeId, lane);
  }

  /** Where the core and the clients on it log (the `log` option). */
  get log(): Log {
    return this.#log;
  }

  /** The OpenTelemetry instrumentation (the `telemetry` option), if any. */
  get telemetry(): Telemetry | undefined {
    return this.#telemetry;
  }

  /**
   * Connections and requests in flight now; requests per API (count, failures, latency),
   * metadata refreshes, dials (and their time) and request timeouts since the last call.
   */
  stats(): ClusterStats {
    const { connections, inFlight } = this.#pool.load();
    const { window, metadataRefreshes, requests } = this.#counters.take();
    return { connections, requestsInFlight: inFlight, metadataRefreshes, requests, ...window };
  }

  /** The time a request is allowed when the call sets none, in ms (`requestTimeout`). */
  get requestTimeout(): number {
    return this.#options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  }

  /** The brokers of the last metadata answer. */
  get brokers(): BrokerInfo[] {
    return [...this.#brokers.values()];
  }

  /** The cluster id of the last metadata answer (null before one). */
  get clusterId(): string | null {
    return this.#clusterId;
  }

  /** Cached metadata of `topic`, fetched when missing or older than `metadataMaxAge`. */
  async topic(name: string, options: TopicLookupOptions = {}): Promise<TopicInfo> {
    const cached = this.#topics.get(name);
    const maxAge = this.#options.metadataMaxAge ?? 300_000;
    if (cached && Date.now() - cached.fetchedAt < maxAge) return cached;
    await this.refresh([name], options);
    const fresh = this.#topics.get(name);
    if (!fresh) {
      throw new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, { api: "Metadata", topic: name });
    }
    return fresh;
  }

  /**
   * The leader of a partition. No leader (an election, an offline partition) is the
   * partition's error, or LEADER_NOT_AVAILABLE; both are retriable and invalidate the topic.
   */
  async leader(topic: string, partition: number): Promise<Leader> {
    const info = await this.topic(topic);
    const p = info.partitions.find((x) => x.id === partition);
    if (!p) {
      this.invalidate(topic);
      throw new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, { topic, partition });
    }
    if (p.leaderId < 0) {
      this.invalidate(topic);
      throw p.error ?? new KafkaError(ErrorCodes.LEADER_NOT_AVAILABLE, { topic, partition });
    }
    return { nodeId: p.leaderId, leaderEpoch: p.leaderEpoch, topicId: info.id };
  }

  /** The controller's node id, from metadata (refreshed when unknown). */
  async controller(): Promise<number> {
    if (this.#controllerId < 0) await this.refresh();
    if (this.#controllerId < 0) {
      throw new KafkaError(ErrorCodes.NOT_CONTROLLER, { api: "Metadata" });
    }
    return this.#controllerId;
  }

  /**
   * The coordinator of a group, transactional id or share group (cached). Asks again while
   * the answer is retriable (COORDINATOR_NOT_AVAILABLE while a fresh cluster creates its
   * offsets topic, a failed connection), as routed requests do.
   */
  coordinator(
    type: CoordinatorType,
    key: string,
    options: { signal?: AbortSignal; attempts?: number } = {},
  ): Promise<number> {
    return retry(() => this.#coordinators.find(type, key), {
      attempts: options.attempts ?? 10,
      backoffMin: 50,
      backoffMax: 1_000,
      signal: options.signal,
      isRetriable: (e) => !this.#closed && isRetriable(e),
    });
  }

  /** Forgets a coordinator, so the next request looks it up again. */
  forgetCoordinator(type: CoordinatorType, key: string): void {
    this.#coordinators.forget(type, key);
  }

  /**
   * Refreshes metadata for `topics` (plus every topic already cached). Concurrent calls
   * share one request. A topic-level error throws as a `KafkaError` naming the topic.
   */
  async refresh(
    topics: readonly string[] = [],
    options: TopicLookupOptions = {},
  ): Promise<void> {
    for (const t of topics) {
      this.#wanted.add(t);
      if (options.allowAutoTopicCreation) this.#autoCreate.add(t);
    }
    while (this.#refreshing) await this.#refreshing.catch(() => {});
    const fresh = (t: string) => Date.now() - (this.#topics.get(t)?.fetchedAt ?? 0) < 50;
    if (topics.length > 0 && topics.every(fresh)) return;
    const names = [...new Set([...this.#wanted, ...this.#topics.keys()])];
    this.#wanted = new Set();
    this.#refreshing = this.#fetchMetadata(names);
    try {
      await this.#refreshing;
    } finally {
      this.#refreshing = undefined;
    }
    for (const t of topics) {
      const err = this.#topicErrors.get(t);
      if (err) throw err;
    }
  }

  /**
   * Metadata of `names`. The missing topics that may be auto-created go in a request of their
   * own, so that a Writer's lookup never creates a topic a Reader of the same core waits for.
   */
  async #fetchMetadata(names: string[]): Promise<void> {
    this.#counters.metadataRefreshed();
    this.#log.debug("kafkit: refreshing metadata", { topics: names });
    const byDefault = this.#options.allowAutoTopicCreation ?? false;
    const creating = byDefault
      ? []
      : names.filter((n) => this.#autoCreate.has(n) && !this.#topics.has(n));
    const rest = creating.length === 0 ? names : names.filter((n) => !creating.includes(n));
    const answers = await Promise.all([
      ...(rest.length > 0 || creating.length === 0 ? [this.#askMetadata(rest, byDefault)] : []),
      ...(creating.length > 0 ? [this.#askMetadata(creating, true)] : []),
    ]);
    this.#topicErrors.clear();
    for (const meta of answers) this.#learn(meta);
  }

  /** One Metadata request to any broker; another one is asked when one fails mid-request. */
  #askMetadata(names: string[], allowAutoTopicCreation: boolean): Promise<MetadataResponse> {
    return retry(async () => {
      const { nodeId, conn } = await this.#anyBroker("default");
      try {
        return await conn.request(Metadata, metadataRequest(names, allowAutoTopicCreation));
      } catch (e) {
        if (failsConnection(e)) {
          // That connection is closed, and the broker avoided for a while: the next attempt
          // asks another one, or dials this one again.
          this.brokerFailed(nodeId, "default");
        }
        throw e;
      }
    }, {
      attempts: Math.max(2, this.#addresses.size),
      backoffMin: 10,
      backoffMax: 100,
      isRetriable: (e) => !this.#closed && failsConnection(e),
    });
  }

  /** Takes in one Metadata answer: brokers, controller, topics and their errors. */
  #learn(meta: MetadataResponse): void {
    const snapshot = readMetadata(meta);
    for (const b of snapshot.brokers) {
      this.rememberBroker(b.nodeId, `${b.host}:${b.port}`);
      this.#brokers.set(b.nodeId, b);
    }
    this.#controllerId = snapshot.controllerId;
    this.#clusterId = snapshot.clusterId;
    for (const [name, err] of snapshot.topicErrors) {
      this.#topicErrors.set(name, err);
      if (!err.retriable) this.#topics.delete(name);
    }
    for (const t of snapshot.topics) this.#topics.set(t.name, t);
  }

  /** Forgets a topic's cached metadata so the next use fetches it again. */
  invalidate(topic: string): void {
    const t = this.#topics.get(topic);
    if (t) t.fetchedAt = 0;
  }

  /**
   * Sends a request to its target and returns the answer, retrying (with backoff, up to
   * `attempts`) when the connection fails or the answer says the target moved. Other error
   * codes in the answer are the caller's.
   */
  async request<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    options: RouteOptions<Res> = {},
  ): Promise<Res> {
    const route = options.route ?? defaultRoute(api, options.key);
    const lane = laneFor(route, options.lane ?? "default");
    return await retry(async () => {
      const nodeId = await abortable(this.#resolve(route, lane), options.signal);
      let res: Res;
      try {
        const conn = await abortable(this.connection(nodeId, lane), options.signal);
        const version = conn.negotiate(api, options.maxVersion);
        const min = options.minVersion;
        if (min && version < min.version) {
          throw new UnsupportedVersionError(
            `${min.for} needs ${api.name} v${min.version}+: broker ${nodeId} speaks at most ` +
              `v${version}`,
          );
        }
        res = await conn.request(api, body, {
          signal: options.signal,
          timeout: options.timeout,
          version,
        });
      } catch (e) {
        if (e instanceof ConnectionError || e instanceof TimeoutError) {
          // Only this lane's connection: the others may be busy and healthy.
          this.brokerFailed(nodeId, lane);
          this.#forgetRoute(route);
        } else if (e instanceof DecodeError) {
          // An answer that cannot be read leaves the connection in doubt (the connection
          // closed itself): the retry dials a fresh one.
          this.#pool.drop(nodeId, lane);
        }
        throw e;
      }
      const code = options.errorCode?.(res) ?? 0;
      if (this.#moved(route, code)) {
        this.#forgetRoute(route);
        throw errorForCode(code, { api: api.name })!;
      }
      return res;
    }, {
      attempts: options.attempts ?? 10,
      backoffMin: options.backoffMin ?? 50,
      backoffMax: options.backoffMax ?? 1_000,
      signal: options.signal,
      // A closed client fails its pending requests at once instead of retrying them.
      isRetriable: (e) => !this.#closed && isRetriable(e),
      onRetry: options.onRetry,
    });
  }

  #resolve(route: Route, lane: PoolLane): Promise<number> {
    switch (route.to) {
      case "any":
        return this.#anyBroker(lane).then((b) => b.nodeId);
      case "node":
        return Promise.resolve(route.nodeId);
      case "controller":
        return this.controller();
      case "leader":
        return this.leader(route.topic, route.partition).then((l) => l.nodeId);
      default:
        // The request's own retries cover a coordinator that is not available yet.
        return this.#coordinators.find(route.to, route.key);
    }
  }

  /** Whether an answer's code says the route is stale. */
  #moved(route: Route, code: number): boolean {
    if (code === 0) return false;
    switch (route.to) {
      case "controller":
        return code === ErrorCodes.NOT_CONTROLLER;
      case "leader":
        return LEADER_MOVED.has(code);
      case "group":
      case "transaction":
      case "share":
        return COORDINATOR_MOVED.has(code) || code === ErrorCodes.COORDINATOR_LOAD_IN_PROGRESS;
      default:
        return false;
    }
  }

  #forgetRoute(route: Route): void {
    switch (route.to) {
      case "controller":
        this.#controllerId = -1;
        break;
      case "leader":
        this.invalidate(route.topic);
        break;
      case "group":
      case "transaction":
      case "share":
        this.forgetCoordinator(route.to, route.key);
        break;
    }
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#observeLoad?.();
    await this.#pool.close();
  }
}

/**
 * Whether a request's failure ended its connection, so that another attempt (on a new
 * connection) may succeed: the connection failed, no answer came in time, or the answer did
 * not decode.
 */
export function failsConnection(e: unknown): boolean {
  return e instanceof ConnectionError || e instanceof TimeoutError ||
    e instanceof DecodeError && e.retriable;
}

/**
 * How the core opens connections: through the `dialer`, or with the connection options. A
 * connection option set beside a dialer would be ignored, so it is refused.
 */
function openerOf(
  dialer: ConnectionDialer | undefined,
  dial: Omit<ClusterOptions, "brokers">,
  onRequestDone: ConnectionOptions["onRequestDone"],
): (address: string, signal: AbortSignal) => Promise<Connection> {
  if (dialer === undefined) {
    return (address, signal) =>
      Connection.connect({ ...dial, ...parseAddress(address), signal, onRequestDone });
  }
  if (typeof dialer?.connection !== "function") throw new TypeError("dialer must be a Dialer");
  for (const name of CONNECTION_OPTIONS) {
    if (name !== "requestTimeout" && dial[name] !== undefined) {
      throw new TypeError(`${name} is the dialer's when a dialer is given: set it on the Dialer`);
    }
  }
  return (address, signal) => dialer.connection(address, { signal, onRequestDone });
}

/** Group traffic of each group id gets its own connection (see {@linkcode PoolLane}). */
function laneFor(route: Route, lane: Lane): PoolLane {
  return lane === "group" && route.to === "group" ? `group:${route.key}` : lane;
}

/** The route an API's descriptor implies. */
// deno-lint-ignore no-explicit-any
function defaultRoute(api: Api<any, any>, key: string | undefined): Route {
  switch (api.target) {
    case "controller":
      return { to: "controller" };
    case "group":
    case "transaction":
      // A transaction API without a transactional id (idempotent InitProducerId) goes anywhere.
      if (key === undefined) {
        if (api.target === "transaction") return { to: "any" };
        throw new TypeError(`${api.name} goes to a group coordinator: pass the group id as key`);
      }
      return { to: api.target, key };
    case "leader":
      throw new TypeError(`${api.name} goes to a partition leader: pass route { to: "leader" }`);
    default:
      return { to: "any" };
  }
}
