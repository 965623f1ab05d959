/**
 * The low-level core of kafkit, for tools and clients of your own: a {@linkcode Connection}
 * to one broker (framing, pipelining, version negotiation, SASL, TLS) and the
 * {@linkcode Cluster} client core the Writer, Reader and ConsumerGroup are built on (one
 * metadata model, connection lanes per broker, routing of any generated API to its target,
 * a batched coordinator cache, retries with backoff).
 *
 * Most applications need none of this: `@kafkit/kafkit` has the kafka-go API (`Conn`,
 * `Writer`, `Reader`, `ConsumerGroup`). The request and response types to send with these
 * classes are in `@kafkit/kafkit/protocol`.
 *
 * The socket types (`Connect`, `Socket`, `SocketOptions`, `TlsOptions`) are exported here and
 * also from `@kafkit/kafkit`: every client's options take `tls` and a `connect` function
 * (a transport of your own, or an in-memory one in tests), so users of the high-level API
 * can type those options without reaching into the low-level entry.
 *
 * @example Route a request to a group's coordinator
 * ```ts
 * import { Cluster } from "@kafkit/kafkit/core";
 * import { DescribeGroups } from "@kafkit/kafkit/protocol";
 *
 * const cluster = new Cluster({ brokers: "127.0.0.1:9092" });
 * try {
 *   // DescribeGroups' descriptor says it goes to the group coordinator: `key` names the group.
 *   const res = await cluster.request(DescribeGroups, { groups: ["my-group"] }, {
 *     key: "my-group",
 *     lane: "admin",
 *   });
 *   console.log(res.groups[0].groupState);
 * } finally {
 *   await cluster.close();
 * }
 * ```
 *
 * @example One request on one connection
 * ```ts
 * import { Connection } from "@kafkit/kafkit/core";
 * import { Metadata } from "@kafkit/kafkit/protocol";
 *
 * await using conn = await Connection.connect({ host: "127.0.0.1", port: 9092 });
 * const meta = await conn.request(Metadata, { topics: null });
 * console.log(meta.brokers.map((b) => `${b.host}:${b.port}`));
 * ```
 *
 * @module
 */

export {
  Connection,
  type ConnectionDialer,
  type ConnectionOptions,
  type RequestDone,
  type RequestOptions,
} from "./transport/connection.ts";
export type { Connect, Socket, SocketOptions, TlsOptions } from "./transport/socket.ts";
export { connectWorkerd } from "./transport/workerd.ts";
export type { VersionRange } from "./protocol/negotiate.ts";
export {
  type ApiStats,
  Cluster,
  type ClusterOptions,
  type ClusterStats,
  type Leader,
  LEADER_MOVED,
  type Route,
  type RouteOptions,
  type TopicLookupOptions,
} from "./cluster/cluster.ts";
export type { Lane, PoolEvents, PoolLane } from "./cluster/_pool.ts";
export type { CoordinatorType } from "./cluster/_coordinators.ts";
export type {
  BrokerInfo,
  MetadataSnapshot,
  PartitionInfo,
  TopicInfo,
} from "./cluster/metadata_model.ts";
export { readMetadata } from "./cluster/metadata_model.ts";
export { Log } from "./log.ts";
export {
  type Destination,
  type Instruments,
  type OtelRecordHeader,
  Telemetry,
} from "./telemetry.ts";
export type { Summary } from "./_summary.ts";
export type { ConnectionStats, ConnectionTotals } from "./cluster/connection_stats.ts";
