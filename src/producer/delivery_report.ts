/**
 * Delivery reports: where each written message landed (confluent-kafka-go's delivery
 * reports; kafka-go fills a written `Message`'s partition and offset).
 *
 * @module
 */

import type { MessageInput } from "../message.ts";

/**
 * The outcome of one message: the partition and offset it was written at, or the error it
 * failed with. `Writer.deliver` resolves with one per message, in the order given;
 * `completion` gets one per message of a batch.
 */
export interface DeliveryReport {
  /** The message as it was given. */
  message: MessageInput;
  /** The topic it went (or was to go) to. */
  topic: string;
  /** Its partition; -1 when it failed before one was chosen. */
  partition: number;
  /**
   * Its offset in the partition; -1 when it failed, or with `requiredAcks` 0 (the broker
   * answers nothing).
   */
  offset: number;
  /** Why it failed; undefined when it was written. */
  error?: Error;
}

/** The offset of a batch's `k`-th message from the batch's base offset (-1: unknown). */
export function offsetIn(baseOffset: number, k: number): number {
  return baseOffset < 0 ? -1 : baseOffset + k;
}

/** The report of `message`: written at `offset`, or failed with `error` (offset -1). */
export function reportOf(
  message: MessageInput,
  topic: string,
  partition: number,
  offset: number,
  error: Error | undefined,
): DeliveryReport {
  return error
    ? { message, topic, partition, offset: -1, error }
    : { message, topic, partition, offset };
}
