/**
 * The kafka-go `Dialer`: opens {@linkcode Conn}s to brokers, to the leader of a partition,
 * and looks partitions up.
 *
 * @module
 */

import { parseAddress } from "./address.ts";
import { Conn } from "./conn.ts";

export { parseAddress };
import { type Broker, brokersOf, type Partition, partitionsOf } from "./metadata.ts";
import { Metadata } from "./protocol/generated/metadata.ts";
import { metadataRequest } from "./cluster/requests/metadata.ts";
import { ErrorCodes, KafkaError } from "./protocol/errors.ts";
import { Connection, CONNECTION_OPTIONS, type ConnectionOptions } from "./transport/connection.ts";
import { rejectUnknownOptions } from "./config.ts";
import { DEFAULT_CLIENT_ID } from "./version.ts";
import { retry, type RetryOptions } from "./_async/retry.ts";
import { abortable } from "./_async/abortable.ts";

/** Options of a {@linkcode Dialer}; every connection it opens uses them. */
export interface DialerOptions extends Omit<ConnectionOptions, "host" | "port" | "signal"> {
  /** Maps a host name to the address to connect to (kafka-go's `Resolver`). */
  resolver?: (host: string) => string | Promise<string>;
  /** Sent with Produce requests of the connections (kafka-go's `TransactionalID`). */
  transactionalId?: string;
  /**
   * Let lookups create missing topics when the broker allows auto-creation (default true,
   * as in kafka-go).
   */
  allowAutoTopicCreation?: boolean;
}

/** The connection options and the Dialer's own. */
const DIALER_KEYS: ReadonlySet<string> = new Set([
  ...CONNECTION_OPTIONS,
  "resolver",
  "transactionalId",
  "allowAutoTopicCreation",
]);

/** Per-call options: cancel with a signal. */
export interface DialOptions {
  /** Aborts the dial. */
  signal?: AbortSignal;
}

/**
 * Opens connections to Kafka brokers, like kafka-go's `Dialer`.
 *
 * @example
 * ```ts
 * import { Dialer } from "@kafkit/kafkit";
 * const dialer = new Dialer({ clientId: "my-app", connectTimeout: 5_000 });
 * await using conn = await dialer.dialLeader("127.0.0.1:9092", "events", 0);
 * await conn.writeMessages([{ key: "a", value: "hello" }]);
 * ```
 */
export class Dialer {
  readonly #options: DialerOptions;

  /** Creates a dialer; options are checked when a connection is opened. */
  constructor(options: DialerOptions = {}) {
    rejectUnknownOptions("DialerOptions", options, DIALER_KEYS);
    this.#options = { ...options };
  }

  /** Connects to the broker at `address` (`host:port`). */
  async dial(address: string, options: DialOptions = {}): Promise<Conn> {
    const connection = await this.#connect(address, options.signal);
    return new Conn(connection, { transactionalId: this.#options.transactionalId });
  }

  /** Connects to the leader of `topic`/`partition`, found through the broker at `address`. */
  async dialLeader(
    address: string,
    topic: string,
    partition: number,
    options: DialOptions = {},
  ): Promise<Conn> {
    return this.dialPartition(
      address,
      await this.lookupPartition(address, topic, partition, options),
      options,
    );
  }

  /** Connects to the leader of a partition found by a lookup. */
  async dialPartition(
    address: string,
    partition: Partition,
    options: DialOptions = {},
  ): Promise<Conn> {
    const leader = partition.leader;
    const connection = leader.port > 0
      ? await this.#connect(`${leader.host}:${leader.port}`, options.signal)
      : await this.#connect(address, options.signal);
    return new Conn(connection, {
      transactionalId: this.#options.transactionalId,
      partition,
    });
  }

  /** The leader of `topic`/`partition`. */
  async lookupLeader(
    address: string,
    topic: string,
    partition: number,
    options: DialOptions = {},
  ): Promise<Broker> {
    return (await this.lookupPartition(address, topic, partition, options)).leader;
  }

  /**
   * One partition of a topic. While the partition has no leader yet (a topic just created)
   * the lookup retries until the connect timeout passes.
   */
  async lookupPartition(
    address: string,
    topic: string,
    partition: number,
    options: DialOptions = {},
  ): Promise<Partition> {
    let missing: KafkaError | undefined;
    return await retry(async () => {
      const p = (await this.lookupPartitions(address, topic, options)).find((p) =>
        p.id === partition
      );
      if (!p) {
        const context = { api: "Metadata", topic, partition };
        throw missing = new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, context);
      }
      if (p.leader.id >= 0 && !p.error) return p;
      throw p.error ??
        new KafkaError(ErrorCodes.LEADER_NOT_AVAILABLE, { api: "Metadata", topic, partition });
    }, {
      ...this.#lookupRetry(options.signal),
      // A partition the topic does not have will not appear: only a missing leader is waited for.
      isRetriable: (e) => e !== missing && e instanceof KafkaError && e.retriable,
    });
  }

  /**
   * Every partition of `topic`. Retriable errors (a topic being auto-created answers
   * UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE at first) are retried until the
   * connect timeout passes.
   */
  async lookupPartitions(
    address: string,
    topic: string,
    options: DialOptions = {},
  ): Promise<Partition[]> {
    await using conn = await this.#connect(address, options.signal);
    return await retry(async () => {
      const meta = await conn.request(
        Metadata,
        metadataRequest([topic], this.#options.allowAutoTopicCreation ?? true),
        { signal: options.signal },
      );
      return partitionsOf(meta);
    }, {
      ...this.#lookupRetry(options.signal),
      // Only the broker's retriable answers: a failed connection is not redialed here.
      isRetriable: (e) => e instanceof KafkaError && e.retriable,
    });
  }

  /** Lookups retry the answers of a topic still being created, until the connect timeout. */
  #lookupRetry(signal: AbortSignal | undefined): RetryOptions {
    return {
      attempts: Infinity,
      until: Date.now() + (this.#options.connectTimeout ?? 10_000),
      backoffMin: 50,
      backoffMax: 1_000,
      signal,
    };
  }

  /** The brokers of the cluster, as the broker at `address` knows them. */
  async lookupBrokers(address: string, options: DialOptions = {}): Promise<Broker[]> {
    await using conn = await this.#connect(address, options.signal);
    return brokersOf(
      await conn.request(Metadata, metadataRequest([]), { signal: options.signal }),
    );
  }

  /** The client id its connections send (`clientId`, else {@linkcode DEFAULT_CLIENT_ID}). */
  get clientId(): string {
    return this.#options.clientId ?? DEFAULT_CLIENT_ID;
  }

  /**
   * Opens a core {@linkcode Connection} to the broker at `address` with the dialer's
   * settings: what a client core given this dialer (`dialer` option) pools.
   */
  connection(
    address: string,
    options: DialOptions & Pick<ConnectionOptions, "onRequestDone"> = {},
  ): Promise<Connection> {
    return this.#connect(address, options.signal, options.onRequestDone);
  }

  async #connect(
    address: string,
    signal: AbortSignal | undefined,
    onRequestDone?: ConnectionOptions["onRequestDone"],
  ): Promise<Connection> {
    const { host, port } = parseAddress(address);
    const { resolver, transactionalId: _t, allowAutoTopicCreation: _a, ...rest } = this.#options;
    // A user resolver that hangs must not outlast the signal.
    const resolved = resolver ? await abortable(Promise.resolve(resolver(host)), signal) : host;
    return await Connection.connect({ ...rest, host: resolved, port, signal, onRequestDone });
  }
}

/** Connects to the broker at `address` with a default {@linkcode Dialer}. */
export function dial(address: string, options: DialerOptions & DialOptions = {}): Promise<Conn> {
  const { signal, ...dialer } = options;
  return new Dialer(dialer).dial(address, { signal });
}

/**
 * Connects to the leader of `topic`/`partition` with a default {@linkcode Dialer}.
 *
 * @example
 * ```ts
 * import { dialLeader } from "@kafkit/kafkit";
 * await using conn = await dialLeader("127.0.0.1:9092", "events", 0);
 * console.log(await conn.readLastOffset());
 * ```
 */
export function dialLeader(
  address: string,
  topic: string,
  partition: number,
  options: DialerOptions & DialOptions = {},
): Promise<Conn> {
  const { signal, ...dialer } = options;
  return new Dialer(dialer).dialLeader(address, topic, partition, { signal });
}
