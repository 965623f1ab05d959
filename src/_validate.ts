/**
 * Input checks for admin calls: a bad argument is a `TypeError` or `RangeError` naming the
 * field, before anything is sent.
 *
 * @module
 */

import type { TopicPartition } from "./offsets.ts";

/** `value` if a non-empty string; a `TypeError` naming `field` otherwise. */
export function nameOf(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` if an array (of anything); a `TypeError` naming `field` otherwise. */
export function listOf<T>(field: string, value: readonly T[] | undefined): readonly T[] {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array`);
  return value;
}

/** `value` if an integer in [min, max]; a `RangeError` naming `field` otherwise. */
export function intIn(field: string, value: unknown, min: number, max = 2 ** 31 - 1): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${field} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** `value` if one of `allowed`; a `TypeError` naming `field` and the choices otherwise. */
export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new TypeError(
      `${field} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/**
 * `value` as a `{ topic, partition }` (a non-empty topic, a partition from 0); a `TypeError`
 * or `RangeError` naming `field` otherwise.
 */
export function topicPartitionOf(field: string, value: unknown): TopicPartition {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be a { topic, partition } object`);
  }
  const { topic, partition } = value as Partial<TopicPartition>;
  return {
    topic: nameOf(`${field}.topic`, topic),
    partition: intIn(`${field}.partition`, partition, 0),
  };
}
