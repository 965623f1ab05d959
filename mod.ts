/**
 * kafkit: a pure TypeScript Apache Kafka client for Deno, Bun and Node.
 *
 * This first release exposes the low-level connection to one broker. The generated
 * protocol messages are in `@kafkit/kafkit/protocol`.
 *
 * @example
 * ```ts ignore
 * import { Connection } from "@kafkit/kafkit";
 * await using conn = await Connection.connect({ host: "127.0.0.1", port: 9092 });
 * console.log(conn.brokerVersions(3)); // Metadata's version range
 * ```
 *
 * @module
 */

export {
  AuthenticationError,
  ConnectionError,
  DecodeError,
  KafkitError,
  MessageTooLargeError,
  TimeoutError,
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
export {
  Connection,
  type ConnectionOptions,
  type RequestOptions,
} from "./src/transport/connection.ts";
export type { VersionRange } from "./src/protocol/negotiate.ts";
export type { Connect, Socket, SocketOptions, TlsOptions } from "./src/transport/socket.ts";
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
  Cluster,
  type ClusterOptions,
  type PartitionInfo,
  type TopicInfo,
} from "./src/cluster/cluster.ts";

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
  WriteErrors,
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
