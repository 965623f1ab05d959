/**
 * The "consumer" protocol type's bytes inside JoinGroup and SyncGroup: a member's
 * subscription and its assignment, each an int16 version followed by the struct, as every
 * Kafka client writes them.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import {
  type ConsumerProtocolAssignment,
  readConsumerProtocolAssignment,
  writeConsumerProtocolAssignment,
} from "../protocol/generated/consumer_protocol_assignment.ts";
import {
  type ConsumerProtocolSubscription,
  readConsumerProtocolSubscription,
  writeConsumerProtocolSubscription,
} from "../protocol/generated/consumer_protocol_subscription.ts";
import { ByteReader } from "../wire/byte_reader.ts";
import { ByteWriter } from "../wire/byte_writer.ts";
import type { TopicPartitions } from "./assignors/group_balancers.ts";

/** The versions we write (the Java client's current ones). */
const SUBSCRIPTION_VERSION = 3;
const ASSIGNMENT_VERSION = 3;

/** Encodes a subscription. */
export function encodeSubscription(s: ConsumerProtocolSubscription): Uint8Array {
  const w = new ByteWriter();
  w.int16(SUBSCRIPTION_VERSION);
  writeConsumerProtocolSubscription(w, s, SUBSCRIPTION_VERSION);
  return w.bytes();
}

/** Decodes a subscription; newer versions are read as far as we know them. */
export function decodeSubscription(bytes: Uint8Array): ConsumerProtocolSubscription {
  const r = new ByteReader(bytes);
  const version = r.int16();
  if (version < 0) throw new DecodeError(`subscription version ${version} is invalid`, 0);
  const s = readConsumerProtocolSubscription(r, Math.min(version, SUBSCRIPTION_VERSION));
  r.check("ConsumerProtocolSubscription");
  return {
    ...s,
    generationId: version >= 2 ? s.generationId : -1,
    rackId: version >= 3 ? s.rackId : null,
  };
}

/** Encodes an assignment. */
export function encodeAssignment(
  partitions: readonly TopicPartitions[],
  userData: Uint8Array | null = null,
): Uint8Array {
  const w = new ByteWriter();
  w.int16(ASSIGNMENT_VERSION);
  writeConsumerProtocolAssignment(w, {
    assignedPartitions: partitions.map((t) => ({ topic: t.topic, partitions: t.partitions })),
    userData,
  }, ASSIGNMENT_VERSION);
  return w.bytes();
}

/** Decodes an assignment; empty bytes mean nothing assigned. */
export function decodeAssignment(bytes: Uint8Array): ConsumerProtocolAssignment {
  if (bytes.length === 0) return { assignedPartitions: [], userData: null };
  const r = new ByteReader(bytes);
  const version = r.int16();
  if (version < 0) throw new DecodeError(`assignment version ${version} is invalid`, 0);
  const a = readConsumerProtocolAssignment(r, Math.min(version, ASSIGNMENT_VERSION));
  r.check("ConsumerProtocolAssignment");
  return a;
}
