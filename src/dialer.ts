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
import { ErrorCodes, KafkaError } from "./protocol/errors.ts";
import { Connection, type ConnectionOptions } from "./transport/connection.ts";
import { delay as wait } from "./_async/delay.ts";

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

/** Per-call options: cancel with a signal. */
export interface DialOptions {
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
    const deadline = Date.now() + (this.#options.connectTimeout ?? 10_000);
    for (let delay = 50;; delay = Math.min(delay * 2, 1_000)) {
      const p = (await this.lookupPartitions(address, topic, options)).find((p) =>
        p.id === partition
      );
      if (!p) {
        throw new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, {
          api: "Metadata",
          topic,
          partition,
        });
      }
      if (p.leader.id >= 0 && !p.error) return p;
      if (Date.now() + delay > deadline) {
        throw p.error ??
          new KafkaError(ErrorCodes.LEADER_NOT_AVAILABLE, { api: "Metadata", topic, partition });
      }
      await wait(delay, { signal: options.signal });
    }
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
    const deadline = Date.now() + (this.#options.connectTimeout ?? 10_000);
    await using conn = await this.#connect(address, options.signal);
    for (let delay = 50;; delay = Math.min(delay * 2, 1_000)) {
      const meta = await conn.request(Metadata, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: this.#options.allowAutoTopicCreation ?? true,
      }, { signal: options.signal });
      try {
        return partitionsOf(meta);
      } catch (e) {
        if (!(e instanceof KafkaError && e.retriable) || Date.now() + delay > deadline) throw e;
      }
      await wait(delay, { signal: options.signal });
    }
  }

  /** The brokers of the cluster, as the broker at `address` knows them. */
  async lookupBrokers(address: string, options: DialOptions = {}): Promise<Broker[]> {
    await using conn = await this.#connect(address, options.signal);
    return brokersOf(await conn.request(Metadata, { topics: [] }, { signal: options.signal }));
  }

  async #connect(address: string, signal: AbortSignal | undefined): Promise<Connection> {
    const { host, port } = parseAddress(address);
    const { resolver, transactionalId: _t, allowAutoTopicCreation: _a, ...rest } = this.#options;
    const resolved = resolver ? await resolver(host) : host;
    return await Connection.connect({ ...rest, host: resolved, port, signal });
  }
}

/** Connects to the broker at `address` with a default {@linkcode Dialer}. */
export function dial(address: string, options: DialerOptions & DialOptions = {}): Promise<Conn> {
  return new Dialer(options).dial(address, options);
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
  return new Dialer(options).dialLeader(address, topic, partition, options);
}
