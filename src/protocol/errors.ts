/**
 * Kafka's broker error codes: every code Apache Kafka 4.3 defines, with its canonical name,
 * whether Kafka classifies it as retriable, and a short description, plus the
 * {@linkcode KafkaError} class that turns a non-zero code from a response into an error.
 *
 * The codes, names and retriable flags follow Kafka's `Errors` enum (a code is retriable when
 * Kafka's exception class for it extends `RetriableException`); the descriptions are kafkit's
 * own.
 *
 * @example
 * ```ts
 * import { ErrorCodes, errorForCode } from "@kafkit/kafkit";
 * const err = errorForCode(ErrorCodes.NOT_LEADER_OR_FOLLOWER, { api: "Produce", topic: "t" });
 * console.log(err?.retriable); // true
 * ```
 *
 * @module
 */

import { KafkitError } from "../errors.ts";

/**
 * The error codes Kafka 4.3 defines as `[code, name, retriable, description]` tuples, typed
 * exactly (`as const`) so that {@linkcode ErrorName} and {@linkcode ErrorCodeMap} are derived
 * from it; {@linkcode ERROR_TABLE} is the same table as objects. Retriable is Kafka's own
 * classification (the `Errors` enum of kafka-clients 4.3.1); the descriptions are our own
 * words. Codes run from -1 to 133 without gaps.
 */
// deno-fmt-ignore
export const ERROR_ROWS = [
  [-1, "UNKNOWN_SERVER_ERROR", false,
    "The broker hit an unexpected failure that it could not classify."],
  [0, "NONE", false,
    "No error: the operation succeeded."],
  [1, "OFFSET_OUT_OF_RANGE", false,
    "The requested offset lies outside the range the partition still holds."],
  [2, "CORRUPT_MESSAGE", true,
    "A record failed its checksum or is otherwise malformed."],
  [3, "UNKNOWN_TOPIC_OR_PARTITION", true,
    "The topic or partition does not exist, or this broker does not know it yet."],
  [4, "INVALID_FETCH_SIZE", false,
    "The fetch asked for a size that cannot be served."],
  [5, "LEADER_NOT_AVAILABLE", true,
    "The partition has no leader at the moment, usually during an election."],
  [6, "NOT_LEADER_OR_FOLLOWER", true,
    "This broker is neither the leader nor a follower of the partition."],
  [7, "REQUEST_TIMED_OUT", true,
    "The broker stopped waiting for the operation to complete."],
  [8, "BROKER_NOT_AVAILABLE", false,
    "The broker in question cannot be reached or is not running."],
  [9, "REPLICA_NOT_AVAILABLE", true,
    "A replica the request depends on is not available on this broker."],
  [10, "MESSAGE_TOO_LARGE", false,
    "A record or batch is larger than the broker or topic allows."],
  [11, "STALE_CONTROLLER_EPOCH", false,
    "The request carried an outdated controller epoch."],
  [12, "OFFSET_METADATA_TOO_LARGE", false,
    "The metadata string attached to an offset commit is too long."],
  [13, "NETWORK_EXCEPTION", true,
    "A network failure cut the exchange off before it finished."],
  [14, "COORDINATOR_LOAD_IN_PROGRESS", true,
    "The coordinator is still loading its state and cannot serve the request yet."],
  [15, "COORDINATOR_NOT_AVAILABLE", true,
    "No coordinator is active for the group or transaction at the moment."],
  [16, "NOT_COORDINATOR", true,
    "This broker is not the coordinator for the group or transaction."],
  [17, "INVALID_TOPIC_EXCEPTION", false,
    "The topic name is illegal, or names an internal topic that cannot be used this way."],
  [18, "RECORD_LIST_TOO_LARGE", false,
    "A batch written to a partition is larger than a log segment can hold."],
  [19, "NOT_ENOUGH_REPLICAS", true,
    "Too few in-sync replicas are available to accept the write with these acks."],
  [20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true,
    "The write was stored, but too few in-sync replicas remained to acknowledge it."],
  [21, "INVALID_REQUIRED_ACKS", false,
    "The acks value of the produce request is not allowed."],
  [22, "ILLEGAL_GENERATION", false,
    "The group generation id in the request is not the current one."],
  [23, "INCONSISTENT_GROUP_PROTOCOL", false,
    "The member's protocol type or protocols do not match the group's."],
  [24, "INVALID_GROUP_ID", false,
    "The group id is empty or otherwise invalid."],
  [25, "UNKNOWN_MEMBER_ID", false,
    "The coordinator does not recognise this member id in the group."],
  [26, "INVALID_SESSION_TIMEOUT", false,
    "The session timeout lies outside the range the broker allows."],
  [27, "REBALANCE_IN_PROGRESS", false,
    "The group is rebalancing, so the member has to rejoin it."],
  [28, "INVALID_COMMIT_OFFSET_SIZE", false,
    "The offset commit is too large to be stored."],
  [29, "TOPIC_AUTHORIZATION_FAILED", false,
    "The principal lacks permission for the topic."],
  [30, "GROUP_AUTHORIZATION_FAILED", false,
    "The principal lacks permission for the group."],
  [31, "CLUSTER_AUTHORIZATION_FAILED", false,
    "The principal lacks permission for this cluster-level operation."],
  [32, "INVALID_TIMESTAMP", false,
    "A record timestamp lies outside the range the topic accepts."],
  [33, "UNSUPPORTED_SASL_MECHANISM", false,
    "The broker does not offer the SASL mechanism the client asked for."],
  [34, "ILLEGAL_SASL_STATE", false,
    "The request is not allowed at this stage of SASL authentication."],
  [35, "UNSUPPORTED_VERSION", false,
    "The broker does not support this version of the API."],
  [36, "TOPIC_ALREADY_EXISTS", false,
    "The topic to create exists already."],
  [37, "INVALID_PARTITIONS", false,
    "The requested number of partitions is invalid."],
  [38, "INVALID_REPLICATION_FACTOR", false,
    "The replication factor asked for is not positive or exceeds the brokers available."],
  [39, "INVALID_REPLICA_ASSIGNMENT", false,
    "The replica assignment given explicitly cannot be used."],
  [40, "INVALID_CONFIG", false,
    "A configuration entry or value is invalid."],
  [41, "NOT_CONTROLLER", true,
    "This node is not the active controller."],
  [42, "INVALID_REQUEST", false,
    "The broker rejected the request as malformed or inconsistent."],
  [43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false,
    "The topic's record format version cannot serve this request."],
  [44, "POLICY_VIOLATION", false,
    "The request breaks a policy configured on the broker."],
  [45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false,
    "The producer sequence number is ahead of the one the broker expected."],
  [46, "DUPLICATE_SEQUENCE_NUMBER", false,
    "The broker already holds a batch with this producer sequence number."],
  [47, "INVALID_PRODUCER_EPOCH", false,
    "The producer epoch is stale: a newer instance took over or the transaction expired."],
  [48, "INVALID_TXN_STATE", false,
    "The transactional operation is not valid in the transaction's current state."],
  [49, "INVALID_PRODUCER_ID_MAPPING", false,
    "The producer id is not the one currently mapped to this transactional id."],
  [50, "INVALID_TRANSACTION_TIMEOUT", false,
    "The transaction timeout is larger than the broker's maximum."],
  [51, "CONCURRENT_TRANSACTIONS", true,
    "Another operation on the same transaction is still in progress."],
  [52, "TRANSACTION_COORDINATOR_FENCED", false,
    "The transaction coordinator that sent the markers has been superseded."],
  [53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false,
    "The principal lacks permission for the transactional id."],
  [54, "SECURITY_DISABLED", false,
    "The broker has no security feature enabled that this request needs."],
  [55, "OPERATION_NOT_ATTEMPTED", false,
    "The broker skipped this item because another item of the same batch failed."],
  [56, "KAFKA_STORAGE_ERROR", true,
    "A disk or log-directory failure prevented access to the partition."],
  [57, "LOG_DIR_NOT_FOUND", false,
    "The requested log directory does not exist on the broker."],
  [58, "SASL_AUTHENTICATION_FAILED", false,
    "The broker rejected the SASL authentication."],
  [59, "UNKNOWN_PRODUCER_ID", false,
    "The broker holds no state for this producer id, for example after its records expired."],
  [60, "REASSIGNMENT_IN_PROGRESS", false,
    "The partition is being reassigned, which blocks this operation."],
  [61, "DELEGATION_TOKEN_AUTH_DISABLED", false,
    "Delegation tokens are not enabled on the broker."],
  [62, "DELEGATION_TOKEN_NOT_FOUND", false,
    "No delegation token matches the request."],
  [63, "DELEGATION_TOKEN_OWNER_MISMATCH", false,
    "The principal is neither the owner nor a renewer of the delegation token."],
  [64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false,
    "Delegation token requests are refused with this connection's authentication method."],
  [65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", false,
    "The principal lacks permission for the delegation token."],
  [66, "DELEGATION_TOKEN_EXPIRED", false,
    "The delegation token is past its expiry time."],
  [67, "INVALID_PRINCIPAL_TYPE", false,
    "Principals of the given type are not supported."],
  [68, "NON_EMPTY_GROUP", false,
    "The group still has members, so it cannot be deleted."],
  [69, "GROUP_ID_NOT_FOUND", false,
    "No group with that id exists."],
  [70, "FETCH_SESSION_ID_NOT_FOUND", true,
    "The broker has no incremental fetch session with that id."],
  [71, "INVALID_FETCH_SESSION_EPOCH", true,
    "The fetch session epoch does not match the broker's."],
  [72, "LISTENER_NOT_FOUND", true,
    "The leader has no endpoint for the listener the request arrived on."],
  [73, "TOPIC_DELETION_DISABLED", false,
    "Topic deletion is turned off in this cluster."],
  [74, "FENCED_LEADER_EPOCH", true,
    "The request names a leader epoch that the broker has already moved past."],
  [75, "UNKNOWN_LEADER_EPOCH", true,
    "The request names a leader epoch that the broker has not reached yet."],
  [76, "UNSUPPORTED_COMPRESSION_TYPE", false,
    "The request version is too old for the compression codec the partition uses."],
  [77, "STALE_BROKER_EPOCH", false,
    "The broker epoch in the request is out of date."],
  [78, "OFFSET_NOT_AVAILABLE", true,
    "The leader cannot serve the offset until its high watermark catches up."],
  [79, "MEMBER_ID_REQUIRED", false,
    "The member has to rejoin using the member id the coordinator just assigned."],
  [80, "PREFERRED_LEADER_NOT_AVAILABLE", true,
    "The preferred replica cannot become the leader right now."],
  [81, "GROUP_MAX_SIZE_REACHED", false,
    "The group already has the maximum number of members."],
  [82, "FENCED_INSTANCE_ID", false,
    "Another member with the same static instance id has replaced this one."],
  [83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", true,
    "No replica eligible for the requested leader election is online."],
  [84, "ELECTION_NOT_NEEDED", true,
    "The partition already has the leader that the election would choose."],
  [85, "NO_REASSIGNMENT_IN_PROGRESS", false,
    "There is no ongoing reassignment to cancel or change."],
  [86, "GROUP_SUBSCRIBED_TO_TOPIC", false,
    "Offsets cannot be deleted while the group still consumes the topic."],
  [87, "INVALID_RECORD", false,
    "The broker rejected a record that fails its validation rules."],
  [88, "UNSTABLE_OFFSET_COMMIT", true,
    "Offsets for the partition wait on a pending transactional commit."],
  [89, "THROTTLING_QUOTA_EXCEEDED", true,
    "The request would exceed the principal's quota on mutations."],
  [90, "PRODUCER_FENCED", false,
    "This producer was fenced by a newer instance using the same transactional id."],
  [91, "RESOURCE_NOT_FOUND", false,
    "The named resource does not exist."],
  [92, "DUPLICATE_RESOURCE", false,
    "The request names the same resource more than once."],
  [93, "UNACCEPTABLE_CREDENTIAL", false,
    "The credential does not meet the broker's requirements."],
  [94, "INCONSISTENT_VOTER_SET", false,
    "The sender or the receiver is not part of the KRaft voter set."],
  [95, "INVALID_UPDATE_VERSION", false,
    "The update version given in the request is invalid."],
  [96, "FEATURE_UPDATE_FAILED", false,
    "The feature level update could not be applied."],
  [97, "PRINCIPAL_DESERIALIZATION_FAILURE", false,
    "The principal forwarded with the request could not be deserialized."],
  [98, "SNAPSHOT_NOT_FOUND", false,
    "The requested metadata snapshot does not exist."],
  [99, "POSITION_OUT_OF_RANGE", false,
    "The requested position in the snapshot is out of range."],
  [100, "UNKNOWN_TOPIC_ID", true,
    "No topic with this id is known to the broker."],
  [101, "DUPLICATE_BROKER_REGISTRATION", false,
    "Another live broker is already registered with this id."],
  [102, "BROKER_ID_NOT_REGISTERED", false,
    "The broker id is not registered with the controller."],
  [103, "INCONSISTENT_TOPIC_ID", true,
    "The topic id does not match the one the broker holds for the topic."],
  [104, "INCONSISTENT_CLUSTER_ID", false,
    "The cluster id in the request differs from this cluster's."],
  [105, "TRANSACTIONAL_ID_NOT_FOUND", false,
    "No transaction state exists for that transactional id."],
  [106, "FETCH_SESSION_TOPIC_ID_ERROR", true,
    "The topic ids of the fetch session changed or were used inconsistently."],
  [107, "INELIGIBLE_REPLICA", false,
    "The proposed in-sync replica set contains a replica that is not eligible."],
  [108, "NEW_LEADER_ELECTED", false,
    "The partition change was applied, but a new leader was elected meanwhile."],
  [109, "OFFSET_MOVED_TO_TIERED_STORAGE", false,
    "The offset is now held only in tiered (remote) storage."],
  [110, "FENCED_MEMBER_EPOCH", false,
    "The member epoch is fenced, so the member has to rejoin from epoch zero."],
  [111, "UNRELEASED_INSTANCE_ID", false,
    "The static instance id is still held by another member."],
  [112, "UNSUPPORTED_ASSIGNOR", false,
    "The group does not support the requested server-side assignor."],
  [113, "STALE_MEMBER_EPOCH", false,
    "The member epoch is older than the coordinator's current one."],
  [114, "MISMATCHED_ENDPOINT_TYPE", false,
    "The request reached a broker where a controller was expected, or the reverse."],
  [115, "UNSUPPORTED_ENDPOINT_TYPE", false,
    "This kind of endpoint does not serve the request."],
  [116, "UNKNOWN_CONTROLLER_ID", false,
    "This node does not know a controller with that id."],
  [117, "UNKNOWN_SUBSCRIPTION_ID", false,
    "The telemetry subscription id is unknown or outdated."],
  [118, "TELEMETRY_TOO_LARGE", false,
    "The pushed telemetry payload exceeds the broker's size limit."],
  [119, "INVALID_REGISTRATION", false,
    "The controller refused the broker's registration as invalid."],
  [120, "TRANSACTION_ABORTABLE", false,
    "The transaction failed in a way the client can recover from by aborting it."],
  [121, "INVALID_RECORD_STATE", false,
    "The share-group record is not in a state that allows this acknowledgement."],
  [122, "SHARE_SESSION_NOT_FOUND", true,
    "The broker has no share session for this member."],
  [123, "INVALID_SHARE_SESSION_EPOCH", true,
    "The share session epoch does not match the broker's."],
  [124, "FENCED_STATE_EPOCH", false,
    "The share-group state epoch no longer matches the share coordinator's."],
  [125, "INVALID_VOTER_KEY", false,
    "The replica receiving the request has a different voter key than the one given."],
  [126, "DUPLICATE_VOTER", false,
    "The replica is already a member of the voter set."],
  [127, "VOTER_NOT_FOUND", false,
    "The replica is not a member of the voter set."],
  // Added after Kafka 3.9 (KIP-848 regex subscriptions, KIP-1102, KIP-1071, KIP-932):
  [128, "INVALID_REGULAR_EXPRESSION", false,
    "The regular expression of the subscription cannot be parsed."],
  [129, "REBOOTSTRAP_REQUIRED", false,
    "The client's metadata is too stale: it has to start again from its bootstrap servers."],
  [130, "STREAMS_INVALID_TOPOLOGY", false,
    "The Streams topology sent to the group is invalid."],
  [131, "STREAMS_INVALID_TOPOLOGY_EPOCH", false,
    "The Streams topology epoch sent to the group is invalid."],
  [132, "STREAMS_TOPOLOGY_FENCED", false,
    "The Streams topology epoch is older than the group's."],
  [133, "SHARE_SESSION_LIMIT_REACHED", true,
    "The broker cannot open another share session because it has reached its limit."],
] as const satisfies readonly (readonly [number, string, boolean, string])[];

/**
 * The canonical name of an error code Kafka 4.3 defines, such as `"NOT_LEADER_OR_FOLLOWER"`.
 *
 * @example
 * ```ts
 * import type { ErrorName } from "@kafkit/kafkit";
 * const name: ErrorName = "REBALANCE_IN_PROGRESS";
 * console.log(name);
 * ```
 */
export type ErrorName = (typeof ERROR_ROWS)[number][1];

/**
 * The type of {@linkcode ErrorCodes}: each error name mapped to its numeric code.
 *
 * @example
 * ```ts
 * import type { ErrorCodeMap } from "@kafkit/kafkit";
 * const code: ErrorCodeMap["UNKNOWN_TOPIC_ID"] = 100;
 * console.log(code);
 * ```
 */
export type ErrorCodeMap = { readonly [R in (typeof ERROR_ROWS)[number] as R[1]]: R[0] };

/**
 * One row of the error-code table.
 *
 * @example
 * ```ts
 * import { type ErrorCode, errorByCode } from "@kafkit/kafkit";
 * const row: ErrorCode | undefined = errorByCode(27);
 * console.log(row?.name, row?.retriable); // REBALANCE_IN_PROGRESS false
 * ```
 */
export interface ErrorCode {
  /** The int16 code sent on the wire. */
  readonly code: number;
  /** Kafka's name for the code, in upper snake case. */
  readonly name: ErrorName;
  /** Whether Kafka classifies the error as retriable: repeating the request may succeed. */
  readonly retriable: boolean;
  /** One sentence on what the error means. */
  readonly description: string;
}

/**
 * Every error code Kafka 4.3 defines, ordered by code, from -1 (`UNKNOWN_SERVER_ERROR`)
 * through 0 (`NONE`) to the highest code. Rows are frozen.
 *
 * @example
 * ```ts
 * import { ERROR_TABLE } from "@kafkit/kafkit";
 * const retriable = ERROR_TABLE.filter((e) => e.retriable).map((e) => e.name);
 * console.log(retriable.includes("NOT_COORDINATOR")); // true
 * ```
 */
export const ERROR_TABLE: readonly ErrorCode[] = Object.freeze(
  ERROR_ROWS.map(([code, name, retriable, description]): ErrorCode =>
    Object.freeze({ code, name, retriable, description })
  ),
);

const BY_CODE: ReadonlyMap<number, ErrorCode> = new Map(ERROR_TABLE.map((e) => [e.code, e]));
const BY_NAME: ReadonlyMap<string, ErrorCode> = new Map(ERROR_TABLE.map((e) => [e.name, e]));

/**
 * Each error name mapped to its numeric code, for branching on the codes in responses
 * without magic numbers. Built from the same table as {@linkcode ERROR_TABLE}.
 *
 * @example
 * ```ts
 * import { ErrorCodes } from "@kafkit/kafkit";
 * const errorCode: number = 6;
 * if (errorCode === ErrorCodes.NOT_LEADER_OR_FOLLOWER) console.log("refresh metadata");
 * ```
 */
export const ErrorCodes: ErrorCodeMap = Object.freeze(
  Object.fromEntries(ERROR_TABLE.map((e) => [e.name, e.code])),
) as ErrorCodeMap;

/**
 * Looks up a code in the table; `undefined` when Kafka 4.3 does not define it (for example
 * a code from a newer broker).
 *
 * @example
 * ```ts
 * import { errorByCode } from "@kafkit/kafkit";
 * console.log(errorByCode(3)?.name); // UNKNOWN_TOPIC_OR_PARTITION
 * console.log(errorByCode(9999)); // undefined
 * ```
 */
export function errorByCode(code: number): ErrorCode | undefined {
  return BY_CODE.get(code);
}

/**
 * Looks up a Kafka error name (exact, upper snake case) in the table; `undefined` when
 * Kafka 4.3 has no such name.
 *
 * @example
 * ```ts
 * import { errorByName } from "@kafkit/kafkit";
 * console.log(errorByName("FENCED_LEADER_EPOCH")?.code); // 74
 * ```
 */
export function errorByName(name: string): ErrorCode | undefined {
  return BY_NAME.get(name);
}

/**
 * Whether Kafka classifies a code as retriable. `false` for `NONE` and for codes the table
 * does not know.
 *
 * @example
 * ```ts
 * import { ErrorCodes, isRetriableCode } from "@kafkit/kafkit";
 * console.log(isRetriableCode(ErrorCodes.LEADER_NOT_AVAILABLE)); // true
 * console.log(isRetriableCode(ErrorCodes.TOPIC_AUTHORIZATION_FAILED)); // false
 * ```
 */
export function isRetriableCode(code: number): boolean {
  return BY_CODE.get(code)?.retriable ?? false;
}

/**
 * Where a broker error happened, folded into the {@linkcode KafkaError} message. Every field
 * is optional.
 *
 * @example
 * ```ts
 * import type { KafkaErrorContext } from "@kafkit/kafkit";
 * const ctx: KafkaErrorContext = { api: "Fetch", topic: "orders", partition: 3, nodeId: 1 };
 * console.log(ctx.api);
 * ```
 */
export interface KafkaErrorContext {
  /** Name of the API whose response carried the code, such as `"Produce"`. */
  readonly api?: string;
  /** Id of the broker (or controller) that answered. */
  readonly nodeId?: number;
  /** Topic name. */
  readonly topic?: string;
  /** Topic id (Kafka's base64url UUID form). */
  readonly topicId?: string;
  /** Partition index. */
  readonly partition?: number;
  /** Consumer or share group id. */
  readonly groupId?: string;
  /** Transactional id. */
  readonly transactionalId?: string;
  /** The error message the broker sent with the code, if any. */
  readonly brokerMessage?: string | null;
}

const UNKNOWN_DESCRIPTION =
  "The broker sent an error code that this version of kafkit does not know.";

const CONTEXT_KEYS = [
  "topic",
  "topicId",
  "partition",
  "groupId",
  "transactionalId",
  "nodeId",
] as const;

function formatValue(value: string | number): string {
  return typeof value === "string" && !/^[\w.-]+$/.test(value) ? JSON.stringify(value) : `${value}`;
}

function formatContext(context: KafkaErrorContext): string {
  const parts: string[] = [];
  if (context.api) parts.push(context.api);
  for (const key of CONTEXT_KEYS) {
    const value = context[key];
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.length > 0 ? ` [${parts.join(" ")}]` : "";
}

/**
 * An error code from a Kafka broker, as an error. `name` stays `"KafkaError"`; the Kafka
 * name is in {@linkcode KafkaError.errorName}. The message reads
 * `NAME (code): description [Api key=value ...]`, followed by the broker's own message
 * when it sent one.
 *
 * A code the table does not know (from a newer broker) gets the name `UNKNOWN_CODE_<n>` and
 * is not retriable. The constructor throws a `RangeError` for code 0 (`NONE`, which is not
 * an error) and for values that are not int16 integers; {@linkcode errorForCode} returns
 * `undefined` for 0 instead.
 *
 * @example
 * ```ts
 * import { KafkaError, KafkitError } from "@kafkit/kafkit";
 * const err = new KafkaError(6, { api: "Produce", topic: "t", partition: 0 });
 * console.log(err.errorName, err.retriable); // NOT_LEADER_OR_FOLLOWER true
 * console.log(err instanceof KafkitError); // true
 * ```
 */
export class KafkaError extends KafkitError {
  /** The int16 error code from the response. */
  readonly code: number;
  /** Kafka's name for the code, or `UNKNOWN_CODE_<n>` for a code the table lacks. */
  readonly errorName: string;
  /** What the code means. */
  readonly description: string;
  /** Where the error happened, as given to the constructor (frozen copy). */
  readonly context: Readonly<KafkaErrorContext>;

  /** Creates the error for a non-zero code, with optional context and `cause`. */
  constructor(code: number, context: KafkaErrorContext = {}, options?: ErrorOptions) {
    if (!Number.isInteger(code) || code < -32768 || code > 32767 || code === 0) {
      throw new RangeError(`KafkaError code must be a non-zero int16, got ${code}`);
    }
    const row = BY_CODE.get(code);
    const errorName = row?.name ?? `UNKNOWN_CODE_${code}`;
    const description = row?.description ?? UNKNOWN_DESCRIPTION;
    const brokerMessage = context.brokerMessage
      ? ` (broker message: ${JSON.stringify(context.brokerMessage)})`
      : "";
    super(
      `${errorName} (${code}): ${description}${formatContext(context)}${brokerMessage}`,
      row?.retriable ?? false,
      options,
    );
    this.code = code;
    this.errorName = errorName;
    this.description = description;
    this.context = Object.freeze({ ...context });
  }
}

/**
 * The {@linkcode KafkaError} for a code from a response, or `undefined` for 0 (`NONE`), so
 * a caller can write `const err = errorForCode(code, ctx); if (err) throw err;`. Unknown
 * codes give an error named `UNKNOWN_CODE_<n>` that is not retriable; a value that is not an
 * int16 integer throws a `RangeError`.
 *
 * @example
 * ```ts
 * import { errorForCode } from "@kafkit/kafkit";
 * console.log(errorForCode(0)); // undefined
 * const err = errorForCode(3, { api: "Metadata", topic: "orders" });
 * console.log(err?.message);
 * // UNKNOWN_TOPIC_OR_PARTITION (3): The topic or partition does not exist, ... [Metadata topic=orders]
 * console.log(errorForCode(32000)?.errorName); // UNKNOWN_CODE_32000
 * ```
 */
export function errorForCode(
  code: number,
  context?: KafkaErrorContext,
  options?: ErrorOptions,
): KafkaError | undefined {
  return code === 0 ? undefined : new KafkaError(code, context, options);
}
