/**
 * The Writer's errors: which messages of a call failed (`WriteErrors`), and the limits a
 * message or a call can run into — the delivery timeout, the buffer, the writer closing.
 *
 * @module
 */

import { KafkitError, TimeoutError } from "../errors.ts";
import type { MessageInput } from "../message.ts";

/** One failed message of a `writeMessages` call. */
export interface WriteFailure {
  /** Its index in the call's array. */
  readonly index: number;
  /** The message, as the call passed it. */
  readonly message: MessageInput;
  /** Why it failed. */
  readonly error: Error;
}

/**
 * Some messages of a `writeMessages` call failed (kafka-go's `WriteErrors`). `errors` has
 * one entry per message of the call (a dense array: `errors[i]` is the error of message `i`,
 * or `undefined` if it was written); `failures` lists only the failed ones.
 *
 * @example
 * ```ts
 * import { WriteErrors } from "@kafkit/kafkit";
 * const messages = [{ value: "a" }, { value: "b" }];
 * const err = new WriteErrors([undefined, new Error("broker gone")], messages);
 * console.log(err.count, err.failures[0].index); // 1 1
 * ```
 */
export class WriteErrors extends KafkitError {
  /** One entry per message of the call: its error, or `undefined` if it was written. */
  readonly errors: readonly (Error | undefined)[];
  /** The failed messages, in call order. */
  readonly failures: readonly WriteFailure[];

  /** Creates the error for a call of `messages` whose outcomes were `errors`. */
  constructor(errors: readonly (Error | undefined)[], messages: readonly MessageInput[]) {
    // Dense whatever the caller passed: iterating it visits every message.
    const dense = Array.from(errors);
    const failures: WriteFailure[] = [];
    dense.forEach((error, index) => {
      if (error !== undefined) failures.push({ index, message: messages[index], error });
    });
    super(
      `${failures.length} of ${dense.length} messages failed: ${failures[0]?.error.message}`,
      failures.every((f) => (f.error as { retriable?: boolean }).retriable === true),
    );
    this.errors = dense;
    this.failures = failures;
  }

  /** How many messages failed. */
  get count(): number {
    return this.failures.length;
  }
}

/**
 * A writer was used after `close()`, or closed before a message it had accepted was
 * acknowledged (then `cause` is the message's last error, if it had one; the message may or
 * may not have been written).
 *
 * @example
 * ```ts
 * import { WriterClosedError } from "@kafkit/kafkit";
 * console.log(new WriterClosedError().message); // the writer is closed
 * ```
 */
export class WriterClosedError extends KafkitError {
  /** Creates the error. */
  constructor(message = "the writer is closed", options?: ErrorOptions) {
    super(message, false, options);
  }
}

/**
 * A message was not acknowledged within the Writer's `deliveryTimeout` (the Java producer's
 * `delivery.timeout.ms`): the time from its acceptance by `writeMessages` through metadata
 * lookups, queueing, sending and retries. `cause` is the last error that kept it from being
 * written, if there was one. A message whose last attempt had no answer may still have been
 * written. Retriable: writing it again may succeed.
 *
 * @example
 * ```ts
 * import { ConnectionError, DeliveryTimeoutError } from "@kafkit/kafkit";
 * const err = new DeliveryTimeoutError(120_000, new ConnectionError("connection refused"));
 * console.log(err.message); // not acknowledged within deliveryTimeout (120000 ms): connection refused
 * ```
 */
export class DeliveryTimeoutError extends TimeoutError {
  /** The `deliveryTimeout` that passed, in ms. */
  readonly deliveryTimeout: number;

  /** Creates the error; `lastError` becomes its `cause`. */
  constructor(deliveryTimeout: number, lastError?: unknown) {
    const why = lastError === undefined ? "" : `: ${messageOf(lastError)}`;
    super(
      `not acknowledged within deliveryTimeout (${deliveryTimeout} ms)${why}`,
      lastError === undefined ? undefined : { cause: lastError },
    );
    this.deliveryTimeout = deliveryTimeout;
  }
}

/**
 * `writeMessages` (or a write to `writer.writable`) waited `maxBlock` for room in the
 * Writer's buffer (`maxBufferedBytes`) and got none: the brokers take messages more slowly
 * than they are written. Nothing of the call was accepted. Retriable, as the Java producer's
 * `BufferExhaustedException`.
 *
 * @example
 * ```ts
 * import { BufferFullError } from "@kafkit/kafkit";
 * const err = new BufferFullError({ maxBlock: 60_000, maxBufferedBytes: 1024, bytes: 100, used: 1000 });
 * console.log(err.retriable, err.maxBlock); // true 60000
 * ```
 */
export class BufferFullError extends TimeoutError {
  /** The `maxBlock` that passed, in ms. */
  readonly maxBlock: number;
  /** The buffer's size, `maxBufferedBytes`. */
  readonly maxBufferedBytes: number;

  /** Creates the error for a call of `bytes` that found `used` bytes buffered. */
  constructor(
    { maxBlock, maxBufferedBytes, bytes, used }: {
      maxBlock: number;
      maxBufferedBytes: number;
      bytes: number;
      used: number;
    },
  ) {
    super(
      `no room for ${bytes} bytes within maxBlock (${maxBlock} ms): ${used} of maxBufferedBytes ${maxBufferedBytes} are buffered`,
    );
    this.maxBlock = maxBlock;
    this.maxBufferedBytes = maxBufferedBytes;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A transactional Writer can no longer write: the broker fenced it (another Writer started
 * with the same `transactionalId`: `PRODUCER_FENCED`, `INVALID_PRODUCER_EPOCH`), refused it
 * (`TRANSACTIONAL_ID_AUTHORIZATION_FAILED`, …) or the transaction is in a state the
 * coordinator does not know. Every later call fails with this error; close the Writer (and
 * start a new one, if this process should still be the producer). `cause` is the broker's
 * error.
 *
 * @example
 * ```ts
 * import { FatalTransactionError } from "@kafkit/kafkit";
 * const err = new FatalTransactionError("tx-1", new Error("PRODUCER_FENCED"));
 * console.log(err.transactionalId, err.retriable); // tx-1 false
 * ```
 */
export class FatalTransactionError extends KafkitError {
  /** The Writer's transactional id. */
  readonly transactionalId: string;

  /** Creates the error for `transactionalId`; `cause` is why. */
  constructor(transactionalId: string, cause: unknown) {
    super(
      `transactional writer ${transactionalId} cannot go on: ${messageOf(cause)}`,
      false,
      { cause },
    );
    this.transactionalId = transactionalId;
  }
}

/**
 * The Writer was fenced: a newer Writer (or Java producer) initialised the same
 * `transactionalId`, so this one is a zombie. Its open transaction was aborted by the broker.
 *
 * @example
 * ```ts
 * import { FatalTransactionError, ProducerFencedError } from "@kafkit/kafkit";
 * const err = new ProducerFencedError("tx-1", new Error("PRODUCER_FENCED"));
 * console.log(err instanceof FatalTransactionError); // true
 * ```
 */
export class ProducerFencedError extends FatalTransactionError {}

/**
 * The current transaction failed (a batch could not be written, the group moved on before
 * `sendOffsets`, the coordinator refused the commit, …) and can only be aborted:
 * call `abortTransaction()`, then begin a new one. `cause` is the first failure.
 *
 * @example
 * ```ts
 * import { AbortableTransactionError } from "@kafkit/kafkit";
 * const err = new AbortableTransactionError("tx-1", new Error("broker gone"));
 * console.log(err.message);
 * ```
 */
export class AbortableTransactionError extends KafkitError {
  /** The Writer's transactional id. */
  readonly transactionalId: string;

  /** Creates the error for `transactionalId`; `cause` is the failure. */
  constructor(transactionalId: string, cause: unknown) {
    super(
      `the transaction of ${transactionalId} failed and must be aborted (abortTransaction()): ${
        messageOf(cause)
      }`,
      false,
      { cause },
    );
    this.transactionalId = transactionalId;
  }
}

/**
 * A transactional call out of order: a write or `sendOffsets` outside a transaction,
 * `beginTransaction()` inside one, a commit or abort with none open, or a transaction call on
 * a Writer without `transactionalId`.
 *
 * @example
 * ```ts
 * import { TransactionStateError } from "@kafkit/kafkit";
 * console.log(new TransactionStateError("no transaction is open").message);
 * ```
 */
export class TransactionStateError extends KafkitError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
  }
}
