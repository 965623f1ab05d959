/**
 * How a Writer picks the partition of a message.
 *
 * @module
 */

import type { MessageInput } from "../message.ts";

/**
 * Picks a partition for each message (kafka-go's `Balancer`). `partitions` lists the ids of
 * the topic's partitions in ascending order (all of them, whether or not their leader is
 * reachable); the result must be one of them.
 *
 * @example
 * ```ts
 * import type { Balancer } from "@kafkit/kafkit";
 * const first: Balancer = { balance: (_message, partitions) => partitions[0] };
 * console.log(first.balance({ value: "x" }, [0, 1, 2])); // 0
 * ```
 */
export interface Balancer {
  /** The partition for `message`, one of `partitions`. */
  balance(message: MessageInput, partitions: readonly number[]): number;
  /** Told when the Writer sends a batch to `partition` (sticky balancers move on then). */
  onBatchFlushed?(partition: number): void;
}
