/**
 * `kafka-consumer-groups --reset-offsets`: new committed offsets for a group without
 * members, computed from the log (its start, its end, a time, an offset, or a shift from the
 * committed one), shown as a dry run or committed.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { listOffsets } from "../cluster/requests/list_offsets.ts";
import { KafkitError } from "../errors.ts";
import { partitionKey, type TopicPartition } from "../offsets.ts";
import { ErrorCodes, KafkaError } from "../protocol/errors.ts";
import type { Call } from "./_call.ts";
import { EARLIEST, LATEST } from "./_log_offsets.ts";
import type { ItemResult } from "./_results.ts";
import { intIn, listOf, nameOf } from "../_validate.ts";
import {
  alterOffsets,
  byPartition,
  fetchOffsets,
  partitionOf,
  partitionsOfTopics,
} from "./group_offsets.ts";
import { describeGroups } from "./groups.ts";

/**
 * Where to move the offsets: the log start or end, the first record at or after a time
 * (the end where there is none), an offset, or a shift from the committed offset. Offsets
 * and shifts outside the log are clamped to its start or end.
 */
export type ResetTarget =
  | "earliest"
  | "latest"
  | { offset: number }
  | { timestamp: number | Date }
  | { shiftBy: number };

/** Options of `resetOffsets`: which partitions (exactly one of the three), and where to. */
export interface ResetOffsetsOptions {
  /** Every partition of these topics. */
  topics?: readonly string[];
  /** These partitions. */
  partitions?: readonly TopicPartition[];
  /** Every partition the group has a committed offset for. */
  allTopics?: boolean;
  /** Where to move them. */
  to: ResetTarget;
  /** Only compute the new offsets; commit nothing (default false). */
  dryRun?: boolean;
  /**
   * Skip the check that the group has no active members (default false). The broker still
   * refuses a commit from outside a group that has members (UNKNOWN_MEMBER_ID on each
   * partition), so `force` serves a dry run on a live group, or a group whose members are
   * leaving; to reset a live group, stop its consumers (or `removeMembers`) first.
   */
  force?: boolean;
}

/** One partition of `resetOffsets`. */
export interface ResetOffset extends ItemResult {
  /** The topic. */
  topic: string;
  /** The partition. */
  partition: number;
  /** The committed offset before the reset; -1 when there was none. */
  previous: number;
  /** The new offset (committed unless a dry run, or `error`). */
  offset: number;
}

/** `resetOffsets` refused: the group has active members (its state is not Empty or Dead). */
export class ActiveGroupError extends KafkitError {
  /** The group. */
  readonly groupId: string;
  /** Its state when asked, such as `Stable`. */
  readonly state: string;

  /** Creates the error for `groupId` in `state`. */
  constructor(groupId: string, state: string) {
    super(
      `group ${JSON.stringify(groupId)} is ${state}: offsets can only be reset while it has ` +
        `no active members (stop its consumers, or pass force)`,
    );
    this.groupId = groupId;
    this.state = state;
  }
}

/** A partition's new offset from its committed one, the log's bounds and the offset at the
 * asked time; null when it cannot move. */
type Plan = (previous: number, start: number, end: number, at: number) => number | null;

/**
 * Resets a group's offsets like the Java tool: refuses a group with active members
 * (`ActiveGroupError`) unless `force`, computes each partition's new offset, and commits them
 * (OffsetCommit as an admin) unless `dryRun`. A partition that cannot move (no committed
 * offset to shift, a refused commit) fails on its own.
 */
export async function resetOffsets(
  cluster: Cluster,
  groupId: string,
  options: ResetOffsetsOptions,
  call: Call,
): Promise<ResetOffset[]> {
  nameOf("groupId", groupId);
  if (options === null || typeof options !== "object") {
    throw new TypeError("resetOffsets takes a ResetOffsetsOptions object");
  }
  const { plan, timestamp } = planOf(options.to);
  const chosen = [options.topics, options.partitions, options.allTopics || undefined]
    .filter((x) => x !== undefined).length;
  if (chosen !== 1) {
    throw new TypeError("resetOffsets needs exactly one of topics, partitions and allTopics");
  }
  const topics = options.topics === undefined
    ? undefined
    : listOf("topics", options.topics).map((t, i) => nameOf(`topics[${i}]`, t));
  const asked = options.partitions === undefined
    ? undefined
    : listOf("partitions", options.partitions).map((p, i) => partitionOf(`partitions[${i}]`, p));

  if (!options.force) {
    const [group] = await describeGroups(cluster, [groupId], {}, call);
    const unknown = group.error instanceof KafkaError &&
      group.error.code === ErrorCodes.GROUP_ID_NOT_FOUND;
    if (group.error && !unknown) throw group.error;
    if (!unknown && group.state !== "Empty" && group.state !== "Dead") {
      throw new ActiveGroupError(groupId, group.state);
    }
  }
  const [fetched] = await fetchOffsets(cluster, [{ groupId }], {}, call);
  if (fetched.error) throw fetched.error;
  const committed = new Map(
    fetched.offsets.filter((o) => o.offset >= 0)
      .map((o) => [partitionKey(o.topic, o.partition), o.offset]),
  );
  const partitions = topics
    ? await partitionsOfTopics(cluster, topics)
    : await existing(cluster, asked ?? fetched.offsets.filter((o) => o.offset >= 0));
  const at = (ts: number) =>
    partitions.length === 0
      ? Promise.resolve(new Map<string, number>())
      : listOffsets(cluster, partitions.map((p) => ({ ...p, timestamp: ts })), {
        ...call.options,
      });
  const [starts, ends, found] = await Promise.all([
    at(EARLIEST),
    at(LATEST),
    timestamp === undefined ? undefined : at(timestamp),
  ]);
  const results = partitions.sort(byPartition).map((p): ResetOffset => {
    const key = partitionKey(p.topic, p.partition);
    const previous = committed.get(key) ?? -1;
    const offset = plan(previous, starts.get(key)!, ends.get(key)!, found?.get(key) ?? -1);
    const result = { topic: p.topic, partition: p.partition, previous };
    if (offset !== null) return { ...result, offset };
    const error = new KafkitError(
      `${p.topic} partition ${p.partition} has no committed offset to shift from`,
    );
    return { ...result, offset: -1, error };
  });
  if (options.dryRun) return results;
  const movable = results.filter((r) => !r.error);
  const commits = await alterOffsets(cluster, groupId, movable, call);
  const failed = new Map(
    commits.filter((c) => c.error).map((c) => [partitionKey(c.topic, c.partition), c.error]),
  );
  return results.map((r) => {
    const error = failed.get(partitionKey(r.topic, r.partition));
    return error ? { ...r, error } : r;
  });
}

/** How each partition's new offset is computed, checked before anything is sent. */
function planOf(to: ResetTarget): { plan: Plan; timestamp?: number } {
  const clamp = (n: number, start: number, end: number) => Math.min(Math.max(n, start), end);
  if (to === "earliest") return { plan: (_p, start) => start };
  if (to === "latest") return { plan: (_p, _s, end) => end };
  if (to === null || typeof to !== "object" || Object.keys(to).length !== 1) {
    throw new TypeError(
      `to must be "earliest", "latest", { offset }, { timestamp } or { shiftBy }, got ${
        JSON.stringify(to)
      }`,
    );
  }
  if ("offset" in to) {
    const offset = intIn("to.offset", to.offset, 0, Number.MAX_SAFE_INTEGER);
    return { plan: (_p, start, end) => clamp(offset, start, end) };
  }
  if ("shiftBy" in to) {
    const by = intIn("to.shiftBy", to.shiftBy, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return {
      plan: (previous, start, end) => previous < 0 ? null : clamp(previous + by, start, end),
    };
  }
  if ("timestamp" in to) {
    const ms = to.timestamp instanceof Date ? to.timestamp.getTime() : to.timestamp;
    const timestamp = intIn("to.timestamp", ms, 0, Number.MAX_SAFE_INTEGER);
    // No record at or after the time: the end, as the Java tool does.
    return { plan: (_p, _s, end, at) => at >= 0 ? at : end, timestamp };
  }
  throw new TypeError(`to must have offset, timestamp or shiftBy, got ${JSON.stringify(to)}`);
}

/** `partitions`, once each, checked against the metadata (one that does not exist throws). */
async function existing(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
): Promise<TopicPartition[]> {
  const unique = new Map(partitions.map((p) => [partitionKey(p.topic, p.partition), p]));
  for (const p of unique.values()) {
    const { partitionIds } = await cluster.topic(p.topic);
    if (!partitionIds.includes(p.partition)) {
      throw new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, {
        topic: p.topic,
        partition: p.partition,
      });
    }
  }
  return [...unique.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
}
