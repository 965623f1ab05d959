// The Writer's configuration, checked and resolved in one pure function: defaults filled in,
// a bad value is a TypeError or RangeError naming its field, an unknown option name (a typo
// such as `batchTimout`) is a TypeError naming it.

import {
  type Cluster,
  type ClusterOptions,
  CORE_OPTIONS,
  coreOptionsOf,
} from "../cluster/cluster.ts";
import { parseBrokers, positiveInt, rejectUnknownOptions } from "../config.ts";
import type { MessageInput } from "../message.ts";
import type { CompressionCodec, CompressionName } from "../protocol/compression/codec.ts";
import { compressionCodec } from "../protocol/compression/registry.ts";
import { type Balancer, RoundRobin } from "./balancers.ts";
import { clientLog, type Log } from "../log.ts";
import type { DeliveryReport } from "./delivery_report.ts";
import { DEFAULT_CLIENT_ID } from "../version.ts";

/**
 * Configuration of a {@linkcode Writer} (kafka-go's `WriterConfig`). The connection and core
 * options are those of `ClusterOptions`, as for Readers and consumer groups.
 */
export interface WriterConfig extends Omit<ClusterOptions, "brokers"> {
  /**
   * Bootstrap brokers: `host:port` strings, or one comma-separated string. Required unless
   * `cluster` is given.
   */
  brokers?: string | readonly string[];
  /**
   * A client core to share with Readers or the admin client; then `brokers` and the
   * connection options are the cluster's, and `close()` leaves the cluster open.
   */
  cluster?: Cluster;
  /** The topic of every message; without it, each message names its own. */
  topic?: string;
  /**
   * Whether the Writer's topic lookups ask the broker to create a missing topic. Default
   * true, as the Java producer and kafka-go: the broker decides, by its
   * `auto.create.topics.enable` (true by default in Kafka), and creates it with its
   * `num.partitions` and `default.replication.factor`. Set false to fail (after retrying
   * until `deliveryTimeout`) with `UNKNOWN_TOPIC_OR_PARTITION` instead (on a shared `cluster`
   * whose own `allowAutoTopicCreation` is true, every lookup may create). With a shared
   * `cluster`, only the Writer's lookups create topics, not those of Readers on that core.
   */
  allowAutoTopicCreation?: boolean;
  /** Picks partitions (default: `RoundRobin`, as in kafka-go). */
  balancer?: Balancer;
  /**
   * How long a message has to be acknowledged, in ms, from the moment `writeMessages`
   * accepts it: metadata lookups, waiting in its partition's queue, sending and every retry
   * (default 120000, the Java producer's `delivery.timeout.ms`). Then it fails with a
   * `DeliveryTimeoutError` carrying its last error. A batch in flight when its time runs out
   * waits for its answer (at most `writeTimeout` and a few seconds) rather than being
   * dropped: with idempotence its sequence numbers stay consistent. At least `batchTimeout` +
   * `writeTimeout`.
   */
  deliveryTimeout?: number;
  /**
   * An optional cap on the attempts per batch (and per metadata lookup), the first included.
   * Default `Infinity`: time (`deliveryTimeout`) bounds the retries, as in the Java producer,
   * not a count that a leader failover of a few seconds can exhaust.
   */
  maxAttempts?: number;
  /**
   * How many bytes of messages the Writer holds, accepted but not yet acknowledged or failed,
   * counted by their payload (key, value and headers, as `batchBytes` counts them) plus 400
   * bytes each for their framing and what the Writer keeps about a message (default 32 MiB,
   * the Java producer's `buffer.memory`). A
   * call that finds no room waits for it (see `maxBlock`); a call larger than the whole
   * buffer waits until it is empty and then goes alone. `writable` uses the same budget.
   */
  maxBufferedBytes?: number;
  /**
   * How long `writeMessages` (or a write to `writable`) waits for room in the buffer, in ms
   * (default 60000, the Java producer's `max.block.ms`), before it rejects with a
   * `BufferFullError` and accepts nothing of the call. 0 rejects at once when full.
   */
  maxBlock?: number;
  /**
   * How long `close()` lets what is queued or in flight be delivered, in ms (default 5000).
   * Then every message still pending fails with a `WriterClosedError` (carrying its last
   * error as `cause`), so `close()` returns promptly even while brokers are down.
   */
  closeTimeout?: number;
  /** First retry delay in ms (default 100). */
  writeBackoffMin?: number;
  /** Largest retry delay in ms (default 1000). */
  writeBackoffMax?: number;
  /** Messages per batch (default 100). */
  batchSize?: number;
  /** Payload bytes per batch (`payloadSize`); a larger message fails alone (default 1 MiB). */
  batchBytes?: number;
  /** How long a partition's first message waits for more, in ms (default 5). */
  batchTimeout?: number;
  /**
   * Batches in flight per partition (at most 5: the broker remembers the last five batches of
   * a producer for deduplication). Default 5 when idempotent, where order holds whatever
   * fails; 1 without idempotence, which keeps the partition's order. Set higher without
   * idempotence (as the Java client's default does), a retried batch may land after later
   * ones.
   */
  maxInFlight?: number;
  /** Time allowed for a Produce request, in ms (default 10000). */
  writeTimeout?: number;
  /** Time allowed for metadata and other reads, in ms (default 10000). */
  readTimeout?: number;
  /** -1 waits for all in-sync replicas (default), 1 for the leader, 0 for nothing. */
  requiredAcks?: -1 | 0 | 1;
  /** Resolve `writeMessages` at once and report through `completion`. */
  async?: boolean;
  /**
   * Called once per batch (and once per message that fails before it joins one) with its
   * messages, the error if they failed, and one delivery report per message: its topic,
   * partition and offset (confluent-kafka-go's delivery reports). A callback that throws is
   * logged to `errorLogger`.
   */
  completion?: (
    messages: MessageInput[],
    error: Error | undefined,
    reports: DeliveryReport[],
  ) => void;
  /** Codec for batches (default none). */
  compression?: CompressionName | CompressionCodec;
  /** Idempotent writes (default true with requiredAcks -1; requires it). */
  idempotent?: boolean;
  /**
   * Makes the Writer transactional: writes happen only inside transactions
   * (`beginTransaction()` … `commitTransaction()`, or `transaction(fn)`), which readers with
   * `isolationLevel: "read_committed"` see whole or not at all. The id names the producer
   * across restarts: a new Writer with the same id fences the old one. Implies idempotence
   * (`idempotent: false` or `requiredAcks` other than -1 is a RangeError).
   */
  transactionalId?: string;
  /**
   * How long a transaction may stay open before the coordinator aborts it, in ms (default
   * 60000; at most the broker's `transaction.max.timeout.ms`).
   */
  transactionTimeout?: number;
  /**
   * The transaction protocol: 2 (KIP-890, Kafka 4.0+) or 1. Default: 2 when the cluster has
   * finalized `transaction.version` 2 or higher, else 1. Forcing 2 on brokers without its API
   * versions (Kafka 3.x) makes `beginTransaction` throw `UnsupportedVersionError`.
   */
  transactionVersion?: 1 | 2;
  /**
   * Refresh a topic's metadata at least this often, in ms (default 5 minutes): how soon new
   * partitions are used (kafka-go's `rebalanceInterval` role).
   */
  metadataMaxAge?: number;
  /**
   * Informational messages (retries, metadata refreshes), one line each: the string form
   * of `log`'s debug and info entries (ignored when `log` is given).
   */
  logger?: (message: string) => void;
  /** Warnings and errors, one line each (ignored when `log` is given). */
  errorLogger?: (message: string) => void;
}

/** The Writer's own options (the rest go to the cluster core). */
const WRITER_OPTIONS = [
  "brokers",
  "cluster",
  "topic",
  "balancer",
  "deliveryTimeout",
  "maxAttempts",
  "maxBufferedBytes",
  "maxBlock",
  "closeTimeout",
  "writeBackoffMin",
  "writeBackoffMax",
  "batchSize",
  "batchBytes",
  "batchTimeout",
  "maxInFlight",
  "writeTimeout",
  "readTimeout",
  "requiredAcks",
  "async",
  "completion",
  "compression",
  "idempotent",
  "transactionalId",
  "transactionTimeout",
  "transactionVersion",
  "logger",
  "errorLogger",
] as const satisfies readonly (keyof WriterConfig)[];

/** Every option name a WriterConfig knows. */
const KNOWN: ReadonlySet<string> = new Set<keyof WriterConfig>([
  ...WRITER_OPTIONS,
  ...CORE_OPTIONS,
]);

/** The broker keeps the metadata of a producer's last five batches per partition. */
const MAX_IN_FLIGHT_LIMIT = 5;

/** A WriterConfig with every default filled in. */
export interface ResolvedWriterConfig {
  /** The cluster options, when the Writer builds its own core (no `cluster` given). */
  clusterOptions: ClusterOptions | undefined;
  cluster: Cluster | undefined;
  topic: string | undefined;
  /** Whether topic lookups may create a missing topic (default true). */
  allowAutoTopicCreation: boolean;
  balancer: Balancer;
  deliveryTimeout: number;
  /** Attempts per batch and metadata lookup (`Infinity`: no cap). */
  maxAttempts: number;
  maxBufferedBytes: number;
  maxBlock: number;
  closeTimeout: number;
  backoff: { backoffMin: number; backoffMax: number };
  limits: { batchSize: number; batchBytes: number; batchTimeout: number };
  /** Batches in flight per partition: `maxInFlight`, else 5 when idempotent and 1 if not. */
  maxInFlight: number;
  writeTimeout: number;
  readTimeout: number;
  acks: -1 | 0 | 1;
  idempotent: boolean;
  /** The transactional settings; undefined for a plain Writer. */
  transaction:
    | { transactionalId: string; transactionTimeout: number; version: 1 | 2 | undefined }
    | undefined;
  async: boolean;
  completion: WriterConfig["completion"];
  codec: CompressionCodec | undefined;
  /** `log`, or the string callbacks adapted, or silent. */
  log: Log;
  clientId: string;
}

/** Checks a WriterConfig and fills in the defaults. Pure: dials nothing. */
export function resolveWriterConfig(config: WriterConfig): ResolvedWriterConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError("Writer: the configuration must be an object");
  }
  rejectUnknownOptions("WriterConfig", config, KNOWN);
  if (config.cluster !== undefined && typeof config.cluster?.request !== "function") {
    throw new TypeError("cluster must be a Cluster");
  }
  const brokers = config.cluster && config.brokers === undefined
    ? []
    : parseBrokers(config.brokers, "brokers");
  if (config.topic !== undefined && (typeof config.topic !== "string" || config.topic === "")) {
    throw new TypeError(`topic must be a non-empty string, got ${JSON.stringify(config.topic)}`);
  }
  const acks = config.requiredAcks ?? -1;
  if (acks !== -1 && acks !== 0 && acks !== 1) {
    throw new RangeError(`requiredAcks must be -1, 0 or 1, got ${acks}`);
  }
  if (config.idempotent === true && acks !== -1) {
    throw new RangeError("idempotent writes need requiredAcks -1 (all in-sync replicas)");
  }
  if (config.balancer !== undefined && typeof config.balancer?.balance !== "function") {
    throw new TypeError("balancer must have a balance(message, partitions) method");
  }
  const transaction = transactionOf(config, acks);
  const idempotent = config.idempotent ?? acks === -1;
  const maxInFlight = positiveInt("maxInFlight", config.maxInFlight, MAX_IN_FLIGHT_LIMIT);
  if (maxInFlight > MAX_IN_FLIGHT_LIMIT) {
    throw new RangeError(`maxInFlight must be at most ${MAX_IN_FLIGHT_LIMIT}, got ${maxInFlight}`);
  }
  const readTimeout = positiveInt("readTimeout", config.readTimeout, 10_000);
  positiveInt("metadataMaxAge", config.metadataMaxAge, 300_000, 0);
  positiveInt("idleTimeout", config.idleTimeout, 540_000, 0);
  positiveInt("deadBrokerBackoff", config.deadBrokerBackoff, 1_000, 0);
  const backoff = {
    backoffMin: positiveInt("writeBackoffMin", config.writeBackoffMin, 100, 0),
    backoffMax: positiveInt("writeBackoffMax", config.writeBackoffMax, 1000, 0),
  };
  if (backoff.backoffMax < backoff.backoffMin) {
    throw new RangeError(
      `writeBackoffMax (${backoff.backoffMax}) must be >= writeBackoffMin (${backoff.backoffMin})`,
    );
  }
  const limits = {
    batchSize: positiveInt("batchSize", config.batchSize, 100),
    batchBytes: positiveInt("batchBytes", config.batchBytes, 1_048_576),
    batchTimeout: positiveInt("batchTimeout", config.batchTimeout, 5, 0),
  };
  const writeTimeout = positiveInt("writeTimeout", config.writeTimeout, 10_000);
  const deliveryTimeout = positiveInt("deliveryTimeout", config.deliveryTimeout, 120_000);
  // As the Java producer demands: a message must at least be able to linger and be sent once.
  if (deliveryTimeout < limits.batchTimeout + writeTimeout) {
    throw new RangeError(
      `deliveryTimeout (${deliveryTimeout}) must be >= batchTimeout + writeTimeout (${
        limits.batchTimeout + writeTimeout
      })`,
    );
  }
  const log = clientLog(config, config.cluster);
  return {
    clusterOptions: config.cluster ? undefined : {
      ...coreOptionsOf(config),
      // The string callbacks adapted, so the core logs to them too.
      ...(log.enabled ? { log: log.logger } : {}),
      brokers,
      requestTimeout: config.requestTimeout ?? readTimeout,
    },
    cluster: config.cluster,
    topic: config.topic,
    allowAutoTopicCreation: config.allowAutoTopicCreation ?? true,
    balancer: config.balancer ?? new RoundRobin(),
    deliveryTimeout,
    maxAttempts: config.maxAttempts === Infinity
      ? Infinity
      : positiveInt("maxAttempts", config.maxAttempts, Infinity),
    maxBufferedBytes: positiveInt("maxBufferedBytes", config.maxBufferedBytes, 32 * 1024 * 1024),
    maxBlock: timerMs("maxBlock", config.maxBlock, 60_000),
    closeTimeout: timerMs("closeTimeout", config.closeTimeout, 5_000),
    backoff,
    limits,
    maxInFlight: config.maxInFlight === undefined && !idempotent ? 1 : maxInFlight,
    writeTimeout,
    readTimeout,
    acks,
    idempotent,
    transaction,
    async: config.async ?? false,
    completion: config.completion,
    codec: codecOf(config.compression),
    log,
    clientId: config.dialer?.clientId ?? config.clientId ?? DEFAULT_CLIENT_ID,
  };
}

/** The transactional settings, checked against the rest (a transaction needs idempotence). */
function transactionOf(config: WriterConfig, acks: number): ResolvedWriterConfig["transaction"] {
  const id = config.transactionalId;
  if (id === undefined) {
    for (const name of ["transactionTimeout", "transactionVersion"] as const) {
      if (config[name] !== undefined) throw new TypeError(`${name} needs a transactionalId`);
    }
    return undefined;
  }
  if (typeof id !== "string" || id === "") {
    throw new TypeError(`transactionalId must be a non-empty string, got ${JSON.stringify(id)}`);
  }
  if (config.idempotent === false) {
    throw new RangeError(
      "idempotent must not be false with a transactionalId (transactions need it)",
    );
  }
  if (acks !== -1) {
    throw new RangeError(`requiredAcks must be -1 with a transactionalId, got ${acks}`);
  }
  const version = config.transactionVersion;
  if (version !== undefined && version !== 1 && version !== 2) {
    throw new RangeError(`transactionVersion must be 1 or 2, got ${String(version)}`);
  }
  return {
    transactionalId: id,
    transactionTimeout: positiveInt("transactionTimeout", config.transactionTimeout, 60_000),
    version,
  };
}

/** Timers take at most 2^31-1 ms (about 24 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wait in ms that a timer measures: an integer from 0 to MAX_TIMER_MS. */
function timerMs(name: string, v: number | undefined, fallback: number): number {
  const ms = positiveInt(name, v, fallback, 0);
  if (ms > MAX_TIMER_MS) throw new RangeError(`${name} must be at most ${MAX_TIMER_MS}, got ${ms}`);
  return ms;
}

function codecOf(
  compression: CompressionName | CompressionCodec | undefined,
): CompressionCodec | undefined {
  if (compression === undefined) return undefined;
  try {
    return typeof compression === "string" ? compressionCodec(compression) : compression;
  } catch {
    throw new TypeError(
      `compression must be gzip, snappy, lz4, zstd or a codec, got ${String(compression)}`,
    );
  }
}
