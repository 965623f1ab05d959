/**
 * The CreateTopics and DeleteTopics bodies, built once for the admin client and for `Conn`,
 * each checked first: a bad field is a `TypeError` or `RangeError` naming it.
 *
 * @module
 */

import { intIn, listOf, nameOf } from "../../_validate.ts";
import type { CreateTopicsRequest } from "../../protocol/generated/create_topics.ts";
import type { DeleteTopicsRequest } from "../../protocol/generated/delete_topics.ts";
import { uuidToBytes, ZERO_UUID } from "../../wire/uuid.ts";

/** A topic to create (kafka-go's `TopicConfig`). */
export interface TopicConfig {
  /** The topic's name. */
  topic: string;
  /** Partitions (default: the broker's `num.partitions`). */
  numPartitions?: number;
  /** Replicas of each partition (default: the broker's `default.replication.factor`). */
  replicationFactor?: number;
  /**
   * Explicit replica placement, one entry per partition from 0; then `numPartitions` and
   * `replicationFactor` must be left out.
   */
  replicaAssignments?: { partition: number; replicas: number[] }[];
  /** Topic configs to set (`cleanup.policy`, `retention.ms`, ...). */
  configEntries?: { configName: string; configValue: string }[];
}

/** A topic to delete: its name, or its topic id (DeleteTopics v6+). */
export type TopicRef = string | { topicId: string };

/** Replication factors are int16s. */
const INT16_MAX = 32_767;

/** `items` checked to be an array of objects whose `topic` names differ. */
export function topicItems<T extends { topic: string }>(field: string, items: readonly T[]): T[] {
  listOf(field, items);
  const seen = new Set<string>();
  return items.map((item, i) => {
    if (item === null || typeof item !== "object") {
      throw new TypeError(`${field}[${i}] must be an object`);
    }
    const name = nameOf(`${field}[${i}].topic`, item.topic);
    if (seen.has(name)) throw new TypeError(`${field}[${i}] repeats topic ${name}`);
    seen.add(name);
    return item;
  });
}

/** Broker ids of one replica list. */
export function replicasOf(field: string, replicas: unknown): number[] {
  const list = listOf(field, replicas as number[]);
  if (list.length === 0) throw new RangeError(`${field} must name at least one broker`);
  return list.map((id, j) => intIn(`${field}[${j}]`, id, 0));
}

/**
 * The CreateTopics body for `topics`, checked first: a bad field is a `TypeError` or
 * `RangeError` naming it.
 */
export function createTopicsRequest(
  topics: readonly TopicConfig[],
  options: { timeoutMs: number; validateOnly?: boolean },
): CreateTopicsRequest {
  return {
    timeoutMs: options.timeoutMs,
    validateOnly: options.validateOnly ?? false,
    topics: topicItems("topics", topics).map((t, i) => {
      const field = `topics[${i}]`;
      const assigned = t.replicaAssignments !== undefined &&
        listOf(`${field}.replicaAssignments`, t.replicaAssignments).length > 0;
      if (assigned && (t.numPartitions !== undefined || t.replicationFactor !== undefined)) {
        throw new TypeError(
          `${field}: give replicaAssignments or numPartitions/replicationFactor, not both`,
        );
      }
      const numPartitions = t.numPartitions === undefined
        ? -1
        : intIn(`${field}.numPartitions`, t.numPartitions, 1);
      const replicationFactor = t.replicationFactor === undefined
        ? -1
        : intIn(`${field}.replicationFactor`, t.replicationFactor, 1, INT16_MAX);
      const assignments = assigned
        ? t.replicaAssignments!.map((a, j) => ({
          partitionIndex: intIn(`${field}.replicaAssignments[${j}].partition`, a?.partition, 0),
          brokerIds: replicasOf(`${field}.replicaAssignments[${j}].replicas`, a.replicas),
        }))
        : [];
      const configs = listOf(`${field}.configEntries`, t.configEntries ?? []).map((c, j) => {
        const name = nameOf(`${field}.configEntries[${j}].configName`, c?.configName);
        if (typeof c.configValue !== "string") {
          throw new TypeError(`${field}.configEntries[${j}].configValue must be a string`);
        }
        return { name, value: c.configValue };
      });
      return { name: t.topic, numPartitions, replicationFactor, assignments, configs };
    }),
  };
}

/** A topic as DeleteTopics names it: by name (the zero id), or by id (a null name). */
interface DeleteTarget {
  name: string | null;
  topicId: string;
}

/** `ref` as DeleteTopics names it, checked. */
function deleteTargetOf(field: string, ref: TopicRef): DeleteTarget {
  if (typeof ref === "string") return { name: nameOf(field, ref), topicId: ZERO_UUID };
  if (ref === null || typeof ref !== "object") {
    throw new TypeError(`${field} must be a topic name or { topicId }`);
  }
  const id = nameOf(`${field}.topicId`, ref.topicId);
  try {
    uuidToBytes(id);
  } catch {
    throw new TypeError(`${field}.topicId must be a 22-character topic id, got "${id}"`);
  }
  if (id === ZERO_UUID) throw new TypeError(`${field}.topicId must not be the zero id`);
  return { name: null, topicId: id };
}

/**
 * The DeleteTopics body for `topics` (names go as names before v6, ids need v6+), checked
 * first: a bad entry is a `TypeError` naming it.
 */
export function deleteTopicsRequest(
  topics: readonly TopicRef[],
  timeoutMs: number,
): Omit<DeleteTopicsRequest, "topics"> & { topics: DeleteTarget[] } {
  const states = listOf("topics", topics).map((ref, i) => deleteTargetOf(`topics[${i}]`, ref));
  return {
    timeoutMs,
    topics: states,
    topicNames: states.flatMap((s) => s.name === null ? [] : [s.name]),
  };
}
