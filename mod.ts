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
  ConnectionError,
  DecodeError,
  KafkitError,
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
export type { Connect, Socket, SocketOptions } from "./src/transport/socket.ts";
export { VERSION } from "./src/version.ts";
