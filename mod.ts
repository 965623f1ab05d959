/**
 * kafkit: a pure TypeScript Apache Kafka client for Deno, Bun, Node and Cloudflare Workers,
 * modelled on Go's kafka-go.
 *
 * - {@linkcode Writer} produces batched, idempotent, retried writes to any partition, chosen
 *   by a balancer ({@linkcode RoundRobin}, {@linkcode Hash}, {@linkcode Murmur2Balancer},
 *   {@linkcode CRC32Balancer}, {@linkcode StickyBalancer}, {@linkcode LeastBytes}, …).
 * - {@linkcode Reader} reads one partition, or a topic as a member of a consumer group
 *   (offsets committed for you), as an async iterator.
 * - {@linkcode ConsumerGroup} and {@linkcode Generation} run group membership yourself, with
 *   the classic protocol and group balancers (range, round robin, rack affinity, cooperative
 *   sticky) or KIP-848's consumer protocol.
 * - {@linkcode Conn} and {@linkcode Dialer} are kafka-go's low-level API: one connection to
 *   one broker, optionally bound to a partition.
 *
 * Every async call takes an `AbortSignal`; errors are typed ({@linkcode KafkaError} carries
 * the broker's error code). {@linkcode Client} (or `Admin`) is the admin client. Lower layers
 * have entry points of their own: `@kafkit/kafkit/core` (the connection and the cluster
 * client core) and `@kafkit/kafkit/protocol` (every generated message and the record batch
 * codecs).
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
export { VERSION } from "./src/version.ts";
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
  DeliveryTimeoutError,
  WriteErrors,
  type WriteFailure,
  Writer,
  WriterClosedError,
  type WriterConfig,
  type WriterStats,
} from "./src/producer/writer.ts";
export {
  type PartitionAssignment,
  type PartitionOffset,
  Reader,
  ReaderClosedError,
  type ReaderConfig,
  type ReaderStats,
  type TopicPartition,
} from "./src/consumer/reader.ts";
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
export * from "./src/admin/mod.ts";
