/**
 * Error classes shared by every layer. Each failure kafkit reports is one of these (or a
 * `TypeError`/`RangeError` for a bad argument), so a caller can tell what went wrong and
 * whether a retry can help.
 *
 * @module
 */

/**
 * Base class of kafkit's own errors.
 *
 * @example
 * ```ts
 * import { DecodeError, KafkitError } from "@kafkit/kafkit";
 * const err: unknown = new DecodeError("truncated", 12);
 * console.log(err instanceof KafkitError); // true
 * ```
 */
export class KafkitError extends Error {
  /** Whether repeating the operation may succeed. */
  readonly retriable: boolean;

  /** Creates an error with a message and a retriable flag. */
  constructor(message: string, retriable = false, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.retriable = retriable;
  }
}

/** Options of a {@linkcode DecodeError}. */
export interface DecodeErrorOptions extends ErrorOptions {
  /**
   * Whether asking again may succeed (default false): true for a broker's answer that does
   * not decode, since the connection it came on is closed and a new one may get a good one.
   */
  retriable?: boolean;
}

/**
 * Bytes from the network that are not a valid Kafka message: truncated, a length out of
 * range, a bad checksum. The same bytes fail again, so it is not retriable as such; a
 * broker's answer that does not decode is (`retriable` true): its connection is closed, and
 * the request may be sent again on a new one.
 *
 * @example
 * ```ts
 * import { DecodeError } from "@kafkit/kafkit";
 * const err = new DecodeError("length -5 is out of range", 40);
 * console.log(err.offset); // 40
 * ```
 */
export class DecodeError extends KafkitError {
  /** Byte offset in the input where decoding failed. */
  readonly offset: number;

  /** Creates a decode error for the given input offset. */
  constructor(message: string, offset: number, options?: DecodeErrorOptions) {
    super(`${message} (at byte ${offset})`, options?.retriable ?? false, options);
    this.offset = offset;
  }
}

/** Options of a {@linkcode ConnectionError}. */
export interface ConnectionErrorOptions extends ErrorOptions {
  /** The broker's `host:port`, when the failure concerns one broker. */
  address?: string;
}

/**
 * The connection to a broker failed or was closed while a request was pending. Retriable:
 * a new connection may succeed.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "@kafkit/kafkit";
 * const err = new ConnectionError("connection to 127.0.0.1:9092 closed", {
 *   address: "127.0.0.1:9092",
 * });
 * console.log(err.retriable, err.address); // true 127.0.0.1:9092
 * ```
 */
export class ConnectionError extends KafkitError {
  /** The broker's `host:port`; undefined when no single broker is concerned. */
  readonly address: string | undefined;

  /** Creates a connection error. */
  constructor(message: string, options?: ConnectionErrorOptions) {
    super(message, true, options);
    this.address = options?.address;
  }
}

/** Options of a {@linkcode TimeoutError}. */
export interface TimeoutErrorOptions extends ErrorOptions {
  /** The broker's `host:port`, when the wait was for one broker. */
  address?: string;
  /** The time limit that passed, in ms. */
  timeoutMs?: number;
}

/**
 * A request or connection attempt took longer than its timeout. Retriable.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@kafkit/kafkit";
 * const err = new TimeoutError("Metadata request timed out after 30000 ms", {
 *   address: "127.0.0.1:9092",
 *   timeoutMs: 30_000,
 * });
 * console.log(err.retriable, err.address, err.timeoutMs); // true 127.0.0.1:9092 30000
 * ```
 */
export class TimeoutError extends KafkitError {
  /** The broker's `host:port`; undefined when no single broker is concerned. */
  readonly address: string | undefined;
  /** The time limit that passed, in ms (undefined when unknown). */
  readonly timeoutMs: number | undefined;

  /** Creates a timeout error. */
  constructor(message: string, options?: TimeoutErrorOptions) {
    super(message, true, options);
    this.address = options?.address;
    this.timeoutMs = options?.timeoutMs;
  }
}

/**
 * An operation was cancelled through its `signal`. `name` is `"AbortError"`, as for the
 * platform's own aborts, so code that tests the name keeps working; `cause` is the signal's
 * reason (for `AbortSignal.timeout()`, the runtime's `TimeoutError` DOMException). Not
 * retriable: the caller asked to stop.
 *
 * @example
 * ```ts
 * import { AbortError } from "@kafkit/kafkit";
 * const controller = new AbortController();
 * controller.abort(new Error("user cancelled"));
 * const err = new AbortError(controller.signal.reason);
 * console.log(err.name, (err.cause as Error).message); // AbortError user cancelled
 * ```
 */
export class AbortError extends KafkitError {
  /** Creates an abort error whose cause is `reason`. */
  constructor(reason: unknown) {
    const why = reason instanceof Error
      ? reason.message
      : reason === undefined
      ? ""
      : String(reason);
    super(why ? `the operation was aborted: ${why}` : "the operation was aborted", false, {
      cause: reason,
    });
  }
}

/**
 * The broker does not support the API or any version of it that kafkit speaks.
 *
 * @example
 * ```ts
 * import { UnsupportedVersionError } from "@kafkit/kafkit";
 * const err = new UnsupportedVersionError("broker does not support DescribeQuorum");
 * console.log(err.retriable); // false
 * ```
 */
export class UnsupportedVersionError extends KafkitError {
  /** Creates an unsupported-version error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, options);
  }
}

/**
 * SASL authentication with the broker failed: the broker rejected the credentials or the
 * token, does not offer the mechanism, or broke the mechanism's exchange (for SCRAM, a server
 * signature that does not match). Not retriable: the same credentials fail again. The message
 * names the mechanism and carries the broker's own error message when there is one; it never
 * contains the password, SCRAM proofs or keys, or an OAuth token.
 *
 * @example
 * ```ts
 * import { AuthenticationError } from "@kafkit/kafkit";
 * const err = new AuthenticationError(
 *   "SCRAM-SHA-512 authentication to 127.0.0.1:9093 failed: Invalid user credentials",
 *   "SCRAM-SHA-512",
 * );
 * console.log(err.mechanism, err.retriable); // SCRAM-SHA-512 false
 * ```
 */
export class AuthenticationError extends KafkitError {
  /** The SASL mechanism that was attempted, such as `"PLAIN"` or `"SCRAM-SHA-256"`. */
  readonly mechanism: string;

  /** Creates an authentication error for a mechanism. */
  constructor(message: string, mechanism: string, options?: ErrorOptions) {
    super(message, false, options);
    this.mechanism = mechanism;
  }
}

/**
 * A message is larger than the writer's `batchBytes` (or the broker's limit), so it cannot be
 * sent. Only that message fails; the rest of the write goes on.
 *
 * @example
 * ```ts
 * import { MessageTooLargeError } from "@kafkit/kafkit";
 * const err = new MessageTooLargeError("message of 2000000 bytes exceeds batchBytes 1048576");
 * console.log(err.retriable); // false
 * ```
 */
export class MessageTooLargeError extends KafkitError {
  /** Creates a message-too-large error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, options);
  }
}
