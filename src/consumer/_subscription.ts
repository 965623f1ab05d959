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

/**
 * Protocols kafka-go's Readers speak. kafka-go reads a subscription as version 0's fields only
 * and refuses any byte after them, so a group offering nothing else is sent version 0.
 */
const KAFKA_GO_PROTOCOLS: ReadonlySet<string> = new Set(["range", "roundrobin", "rack-affinity"]);

/**
 * The subscription version for a member offering `protocols`: 0 when every one is a protocol
 * kafka-go also speaks and the member has no rack (its eager balancers need neither owned
 * partitions nor the generation; a rack is only carried from version 3), else 3.
 */
export function subscriptionVersion(protocols: readonly string[], rackId: string | null): number {
  const kafkaGoOnly = protocols.every((p) => KAFKA_GO_PROTOCOLS.has(p));
  return kafkaGoOnly && (rackId === null || rackId === "") ? 0 : SUBSCRIPTION_VERSION;
}

/** Encodes a subscription (at `version`, default the newest). */
export function encodeSubscription(
  s: ConsumerProtocolSubscription,
  version: number = SUBSCRIPTION_VERSION,
): Uint8Array {
  const w = new ByteWriter();
  w.int16(version);
  writeConsumerProtocolSubscription(w, s, version);
  return w.bytes();
}

/**
 * Decodes a subscription leniently, as other clients write them: newer versions are read as
 * far as we know them (their extra bytes ignored), and bytes that end before the claimed
 * version's fields do (kafka-go marks version 1 but writes version 0's fields) are read at
 * the highest version whose fields fit.
 */
export function decodeSubscription(bytes: Uint8Array): ConsumerProtocolSubscription {
  const r = new ByteReader(bytes);
  const version = r.int16();
  r.check("ConsumerProtocolSubscription");
  if (version < 0) throw new DecodeError(`subscription version ${version} is invalid`, 0);
  let first: unknown;
  for (let v = Math.min(version, SUBSCRIPTION_VERSION); v >= 0; v--) {
    const at = new ByteReader(bytes, 2);
    const s = readConsumerProtocolSubscription(at, v);
    try {
      at.check("ConsumerProtocolSubscription");
    } catch (e) {
      first ??= e;
      continue;
    }
    return { ...s, generationId: v >= 2 ? s.generationId : -1, rackId: v >= 3 ? s.rackId : null };
  }
  throw first;
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
