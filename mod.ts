/**
 * kafkit: a pure TypeScript Apache Kafka client for Deno, Bun, Node (20.19+) and Cloudflare
 * Workers, modelled on Go's kafka-go. This entry point (`@kafkit/kafkit` on JSR, `kafkit` on
 * npm) has everything an application uses:
 *
 * - {@linkcode Writer} produces batched, idempotent, retried writes to any partition, chosen
 *   by a balancer ({@linkcode RoundRobin}, {@linkcode Hash}, {@linkcode Murmur2Balancer},
 *   {@linkcode CRC32Balancer}, {@linkcode StickyBalancer}, {@linkcode LeastBytes}, …), with
 *   gzip, snappy, lz4 or zstd compression and bounded buffering and delivery time.
 * - {@linkcode Reader} reads one partition, or topics as a member of a consumer group (offsets
 *   committed for you), as an async iterator or a `ReadableStream`.
 * - {@linkcode ConsumerGroup} and {@linkcode Generation} run group membership yourself, with
 *   the classic protocol and group balancers (range, round robin, rack affinity, cooperative
 *   sticky) or KIP-848's consumer protocol.
 * - {@linkcode Conn} and {@linkcode Dialer} are kafka-go's low-level API: one connection to
 *   one broker, optionally bound to a partition.
 * - {@linkcode Client} (or `Admin`) is the admin client: topics, configs, partitions, groups
 *   and offsets, ACLs, quotas, SCRAM users, delegation tokens, transactions, the KRaft quorum,
 *   and `request()` for any other API.
 * - TLS (`tls`), SASL (`sasl`: PLAIN, SCRAM-SHA-256/512, OAUTHBEARER) and the socket of each
 *   runtime, chosen by itself; {@linkcode connectWorkerd} for Cloudflare Workers.
 *
 * Every async call takes an `AbortSignal`; errors are typed ({@linkcode KafkaError} carries
 * the broker's error code and message). `stats()` of a Writer or Reader returns counters
 * since the last call and never-reset `totals`. Writers, Readers and admin clients can share
 * one client core (a `Cluster`, option `cluster`): one metadata cache and one set of broker
 * connections. Lower layers have entry points of their own: `@kafkit/kafkit/core` (the
 * broker `Connection` and the `Cluster` client core) and `@kafkit/kafkit/protocol` (every
 * generated Kafka message and the record batch codecs).
 *
 * @example Write and read a topic
 * ```ts
 * import { Reader, Writer } from "@kafkit/kafkit";
 *
 * const brokers = ["127.0.0.1:9092"];
 * await using writer = new Writer({ brokers, topic: "events" });
 * await writer.writeMessages([{ key: "user-1", value: "signed up" }]);
 *
 * await using reader = new Reader({ brokers, topic: "events", groupId: "audit" });
 * for await (const m of reader) {
 *   console.log(m.partition, m.offset, new TextDecoder().decode(m.value!));
 * }
 * ```
 *
 * @module
 */

export {
  AbortError,
  AuthenticationError,
  ConnectionError,
  type ConnectionErrorOptions,
  DecodeError,
  type DecodeErrorOptions,
  KafkitError,
  MessageTooLargeError,
  TimeoutError,
  type TimeoutErrorOptions,
  UnsupportedVersionError,
} from "./src/errors.ts";
export {
  ERROR_ROWS,
  ERROR_TABLE,
  errorByCode,
  errorByName,
  type ErrorCode,
  type ErrorCodeMap,
  ErrorCodes,
  errorForCode,
  type ErrorName,
  isRetriableCode,
  KafkaError,
  type KafkaErrorContext,
} from "./src/protocol/errors.ts";
// Every client's options take `tls` and `connect`: their types stay here as well as in core.
export type { Connect, Socket, SocketOptions, TlsOptions } from "./src/transport/socket.ts";
// Picked by itself inside a Cloudflare Worker; exported to pass as `connect` explicitly.
export { connectWorkerd } from "./src/transport/workerd.ts";
export type {
  OAuthBearerToken,
  SaslMechanism,
  SaslOAuthBearerOptions,
  SaslOptions,
  SaslPlainOptions,
  SaslScramOptions,
} from "./src/transport/sasl/mod.ts";
export { DEFAULT_CLIENT_ID, VERSION } from "./src/version.ts";
export { Batch } from "./src/batch.ts";
export {
  type CallOptions,
  Conn,
  FirstOffset,
  LastOffset,
  type ReadBatchOptions,
  SeekAbsolute,
  SeekCurrent,
  SeekDontCheck,
  SeekEnd,
  SeekStart,
  type TopicConfig,
  type WriteOptions,
  type WriteResult,
} from "./src/conn.ts";
export {
  dial,
  Dialer,
  type DialerOptions,
  dialLeader,
  type DialOptions,
  parseAddress,
} from "./src/dialer.ts";
export type { Header, Message, MessageInput } from "./src/message.ts";
export type { Broker, Partition } from "./src/metadata.ts";

export {
  type Balancer,
  balancerFunc,
  CRC32Balancer,
  type CRC32BalancerOptions,
  Hash,
  type HashOptions,
  LeastBytes,
  Murmur2Balancer,
  type Murmur2BalancerOptions,
  ReferenceHash,
  RoundRobin,
  type RoundRobinOptions,
  StickyBalancer,
  type StickyBalancerOptions,
} from "./src/producer/balancers.ts";
export {
  BufferFullError,
  type DeliveryReport,
  DeliveryTimeoutError,
  WriteErrors,
  type WriteFailure,
  Writer,
  WriterClosedError,
  type WriterConfig,
  type WriterStats,
} from "./src/producer/writer.ts";
export type { Summary, WriterTotals } from "./src/producer/_stats.ts";
export type { ReaderTotals } from "./src/consumer/_reader_stats.ts";
export type { ConnectionStats, ConnectionTotals } from "./src/cluster/connection_stats.ts";
// The `compression` option of a Writer (and Conn.writeCompressedMessages) takes these.
export type { CompressionCodec, CompressionName } from "./src/protocol/compression/codec.ts";
export {
  AbortableTransactionError,
  FatalTransactionError,
  type GroupMetadata,
  ProducerFencedError,
  TransactionStateError,
  type TransactionVersion,
} from "./src/producer/writer.ts";
export {
  LogTruncationError,
  type PartitionAssignment,
  type PartitionOffset,
  type PartitionStart,
  Reader,
  ReaderClosedError,
  type ReaderConfig,
  type ReaderStats,
  type TopicPartition,
} from "./src/consumer/reader.ts";
export {
  ExactlyOnce,
  type ExactlyOnceConfig,
  type ExactlyOnceStats,
  RebalancedError,
} from "./src/exactly_once.ts";
export {
  type AcknowledgeType,
  ShareAcknowledgementsLostError,
  ShareReader,
  ShareReaderClosedError,
  type ShareReaderConfig,
  type ShareRecord,
} from "./src/consumer/share_reader.ts";
export {
  ConsumerGroup,
  type ConsumerGroupConfig,
  Generation,
  GenerationEndedError,
  GroupClosedError,
  type PartitionAssignmentOffset,
} from "./src/consumer/consumer_group.ts";
export type {
  GroupBalancer,
  GroupMember,
  GroupMemberAssignments,
  GroupPartition,
  MemberState,
  TopicPartitions,
} from "./src/consumer/assignors/group_balancers.ts";
export {
  CooperativeStickyGroupBalancer,
  RackAffinityGroupBalancer,
  type RackAffinityGroupBalancerOptions,
  RangeGroupBalancer,
  RoundRobinGroupBalancer,
} from "./src/consumer/assignors/group_balancers.ts";
export { mergeIterators } from "./src/consumer/merge.ts";
export {
  consoleLogger,
  type LogFields,
  type Logger,
  type LogLevel,
  silentLogger,
  stringLogger,
} from "./src/log.ts";
export { messageContext } from "./src/telemetry.ts";
export type {
  OpenTelemetryApi,
  OtelAttributes,
  OtelCarrier,
  OtelContext,
  OtelCounter,
  OtelHistogram,
  OtelInstrumentOptions,
  OtelMeter,
  OtelObservableGauge,
  OtelObservableResult,
  OtelRecordHeader,
  OtelSpan,
  OtelSpanContext,
  OtelSpanOptions,
  OtelTracer,
  TelemetryOption,
} from "./src/telemetry.ts";
export * from "./src/admin/mod.ts";
