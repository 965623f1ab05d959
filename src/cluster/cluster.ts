/**
 * The cluster client the Writer, Reader and admin share: bootstrap, one pooled connection per
 * broker (dialed lazily, closed when found idle), a metadata cache refreshed on a timer and on
 * demand, and broker failover.
 *
 * @module
 */

import { ConnectionError } from "../errors.ts";
import { parseAddress } from "../address.ts";
import { errorForCode, KafkaError } from "../protocol/errors.ts";
import { Metadata, type MetadataResponse } from "../protocol/generated/metadata.ts";
import { Connection, type ConnectionOptions } from "../transport/connection.ts";

/** Options of a {@linkcode Cluster}. */
export interface ClusterOptions extends Omit<ConnectionOptions, "host" | "port" | "signal"> {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  /** Refresh cached metadata at least this often, in ms (default 5 minutes). */
  metadataMaxAge?: number;
  /** Close a broker connection unused for this long, in ms (default 9 minutes). */
  idleTimeout?: number;
  /** Skip a broker that failed for this long before dialing it again, in ms (default 1 s). */
  deadBrokerBackoff?: number;
  /** Let Metadata requests create missing topics (default false). */
  allowAutoTopicCreation?: boolean;
}

/** One partition in the cache. */
export interface PartitionInfo {
  id: number;
  leaderId: number;
  leaderEpoch: number;
  /** The partition's error at the last refresh, if any (e.g. LEADER_NOT_AVAILABLE). */
  error: KafkaError | undefined;
}

/** One topic in the cache. */
export interface TopicInfo {
  name: string;
  id: string;
  /** Sorted by id. */
  partitions: PartitionInfo[];
  /** The partition ids, sorted (what balancers take). */
  partitionIds: number[];
  /** When this entry was fetched (ms since the epoch). */
  fetchedAt: number;
}

interface Pooled {
  conn: Promise<Connection>;
  lastUsed: number;
}

/** The bootstrap list's pseudo node ids are negative, as in the Java client. */
const bootstrapId = (i: number) => -1 - i;

/**
 * Connections and metadata for a whole cluster.
 *
 * @example
 * ```ts ignore
 * import { Cluster } from "@kafkit/kafkit";
 * const cluster = new Cluster({ brokers: ["127.0.0.1:9092"] });
 * const topic = await cluster.topic("events");
 * console.log(topic.partitionIds);
 * await cluster.close();
 * ```
 */
export class Cluster {
  readonly #options: ClusterOptions;
  readonly #addresses = new Map<number, string>();
  readonly #pool = new Map<number, Pooled>();
  readonly #deadUntil = new Map<number, number>();
  readonly #topics = new Map<string, TopicInfo>();
  #refreshing: Promise<void> | undefined;
  #wanted = new Set<string>();
  #lastSweep = Date.now();
  #closed = false;

  /** Creates a cluster client; nothing is dialed until it is used. */
  constructor(options: ClusterOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
      throw new TypeError("brokers must list at least one host:port address");
    }
    options.brokers.forEach((b, i) => {
      parseAddress(b);
      this.#addresses.set(bootstrapId(i), b);
    });
    this.#options = { ...options };
  }

  /** A pooled connection to broker `nodeId`, dialed if needed. */
  connection(nodeId: number): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionError("the cluster client is closed"));
    const address = this.#addresses.get(nodeId);
    if (!address) {
      return Promise.reject(new ConnectionError(`broker ${nodeId} is not in the metadata`));
    }
    this.#sweepIdle();
    const pooled = this.#pool.get(nodeId);
    if (pooled) {
      pooled.lastUsed = Date.now();
      return pooled.conn.then((c) => c.closed ? this.#redial(nodeId, address) : c);
    }
    return this.#redial(nodeId, address);
  }

  #redial(nodeId: number, address: string): Promise<Connection> {
    const { host, port } = parseAddress(address);
    const {
      brokers: _b,
      metadataMaxAge: _m,
      idleTimeout: _i,
      deadBrokerBackoff: _d,
      allowAutoTopicCreation: _a,
      ...rest
    } = this.#options;
    const conn = Connection.connect({ ...rest, host, port });
    this.#pool.set(nodeId, { conn, lastUsed: Date.now() });
    conn.catch(() => {
      this.#markDead(nodeId);
      if (this.#pool.get(nodeId)?.conn === conn) this.#pool.delete(nodeId);
    });
    return conn;
  }

  /**
   * Records a broker's address learned outside Metadata (FindCoordinator answers), so
   * `connection(nodeId)` can reach it.
   */
  rememberBroker(nodeId: number, address: string): void {
    const old = this.#addresses.get(nodeId);
    if (old !== undefined && old !== address) this.#drop(nodeId);
    this.#addresses.set(nodeId, address);
  }

  /** Remembers that a broker failed, so `anyConnection` tries others first for a while. */
  #markDead(nodeId: number): void {
    this.#deadUntil.set(nodeId, Date.now() + (this.#options.deadBrokerBackoff ?? 1_000));
  }

  /**
   * A connection to any live broker: known brokers first, then the bootstrap list, skipping
   * recently failed ones while others remain. Fails only when every broker fails.
   */
  async anyConnection(): Promise<Connection> {
    const now = Date.now();
    const ids = [...this.#addresses.keys()].sort((a, b) => {
      const deadA = (this.#deadUntil.get(a) ?? 0) > now ? 1 : 0;
      const deadB = (this.#deadUntil.get(b) ?? 0) > now ? 1 : 0;
      // Live before dead, already pooled first, real brokers before bootstrap entries.
      return deadA - deadB || Number(this.#pool.has(b)) - Number(this.#pool.has(a)) || b - a;
    });
    let last: unknown;
    for (const id of ids) {
      try {
        return await this.connection(id);
      } catch (e) {
        last = e;
      }
    }
    throw last instanceof Error ? last : new ConnectionError("no broker could be reached");
  }

  /** Cached metadata of `topic`, fetched when missing or older than `metadataMaxAge`. */
  async topic(name: string): Promise<TopicInfo> {
    const cached = this.#topics.get(name);
    const maxAge = this.#options.metadataMaxAge ?? 300_000;
    if (cached && Date.now() - cached.fetchedAt < maxAge) return cached;
    await this.refresh([name]);
    const fresh = this.#topics.get(name);
    if (!fresh) throw new KafkaError(3, { api: "Metadata", topic: name });
    return fresh;
  }

  /**
   * Refreshes metadata for `topics` (plus every topic already cached). Concurrent calls
   * share one request. A topic-level error throws as a `KafkaError` naming the topic.
   */
  async refresh(topics: readonly string[] = []): Promise<void> {
    for (const t of topics) this.#wanted.add(t);
    while (this.#refreshing) await this.#refreshing.catch(() => {});
    if (
      topics.every((t) => this.#topics.has(t) && Date.now() - this.#topics.get(t)!.fetchedAt < 50)
    ) return;
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

  #topicErrors = new Map<string, KafkaError>();

  async #fetchMetadata(names: string[]): Promise<void> {
    let meta: MetadataResponse | undefined;
    let last: unknown;
    // Another broker may answer when one fails mid-request.
    for (let attempt = 0; attempt < Math.max(2, this.#addresses.size) && !meta; attempt++) {
      const conn = await this.anyConnection();
      try {
        meta = await conn.request(Metadata, {
          topics: names.map((name) => ({ name })),
          allowAutoTopicCreation: this.#options.allowAutoTopicCreation ?? false,
        });
      } catch (e) {
        last = e;
        if (!(e instanceof ConnectionError)) throw e;
      }
    }
    if (!meta) throw last;
    this.#apply(meta);
  }

  #apply(meta: MetadataResponse): void {
    for (const b of meta.brokers) this.rememberBroker(b.nodeId, `${b.host}:${b.port}`);
    const now = Date.now();
    this.#topicErrors.clear();
    for (const t of meta.topics) {
      const name = t.name ?? "";
      const err = errorForCode(t.errorCode, { api: "Metadata", topic: name });
      if (err) {
        this.#topicErrors.set(name, err);
        if (!err.retriable) this.#topics.delete(name);
        continue;
      }
      const partitions = t.partitions.map((p) => ({
        id: p.partitionIndex,
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        error: errorForCode(p.errorCode, {
          api: "Metadata",
          topic: name,
          partition: p.partitionIndex,
        }),
      })).sort((a, b) => a.id - b.id);
      this.#topics.set(name, {
        name,
        id: t.topicId,
        partitions,
        partitionIds: partitions.map((p) => p.id),
        fetchedAt: now,
      });
    }
  }

  /** Forgets a topic's cached metadata so the next use fetches it again. */
  invalidate(topic: string): void {
    const t = this.#topics.get(topic);
    if (t) t.fetchedAt = 0;
  }

  /** Closes the pooled connection to `nodeId` (after a failure on it). */
  #drop(nodeId: number): void {
    const pooled = this.#pool.get(nodeId);
    this.#pool.delete(nodeId);
    pooled?.conn.then((c) => c.close(), () => {});
  }

  /** Reports a connection failure on `nodeId`: drops its connection and avoids it briefly. */
  brokerFailed(nodeId: number): void {
    this.#markDead(nodeId);
    this.#drop(nodeId);
  }

  /**
   * Closes connections unused for `idleTimeout`. Runs as connections are asked for, not on a
   * timer, so an idle client holds no timer that would keep a process alive.
   */
  #sweepIdle(): void {
    const idle = this.#options.idleTimeout ?? 540_000;
    const now = Date.now();
    if (now - this.#lastSweep < Math.min(idle, 10_000)) return;
    this.#lastSweep = now;
    for (const [id, p] of this.#pool) if (p.lastUsed < now - idle) this.#drop(id);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const conns = [...this.#pool.values()].map((p) => p.conn);
    this.#pool.clear();
    await Promise.all(conns.map((c) => c.then((conn) => conn.close(), () => {})));
  }
}
