/**
 * The Produce request in one place: the body for several partitions' encoded record batches
 * going to one broker, and a pure classifier of the broker's answer per partition. The
 * kafka-go `Conn` writes and the Writer's sender both use it.
 *
 * @module
 */

import { KafkitError } from "../../errors.ts";
import { ErrorCodes, errorForCode, type KafkaError } from "../../protocol/errors.ts";
import type {
  PartitionProduceResponse,
  ProduceRequest,
  ProduceResponse,
  TopicProduceData,
} from "../../protocol/generated/produce.ts";
import { LEADER_MOVED } from "../cluster.ts";

/** One partition's encoded record batch (exactly one per partition and request). */
export interface PartitionBatch {
  topic: string;
  /** The topic's id (Produce v13+ names topics by id). */
  topicId: string;
  partition: number;
  /** One encoded record batch. */
  records: Uint8Array;
}

/** Request-wide fields of a Produce. */
export interface ProduceRequestOptions {
  /** -1 waits for all in-sync replicas, 1 for the leader, 0 for nothing. */
  acks: number;
  /** How long the broker may wait for the acks, in ms. */
  timeoutMs: number;
  /** The transactional id, for transactional writes (default null). */
  transactionalId?: string | null;
}

/**
 * The Produce body for `batches`, all going to one broker: topics grouped, in the order they
 * first appear. A partition given twice is a `TypeError` (a broker takes one batch per
 * partition and request).
 */
export function buildProduceRequest(
  batches: readonly PartitionBatch[],
  options: ProduceRequestOptions,
): ProduceRequest {
  const topics = new Map<string, TopicProduceData & { partitionData: { index: number }[] }>();
  for (const b of batches) {
    let t = topics.get(b.topic);
    if (!t) {
      t = { name: b.topic, topicId: b.topicId, partitionData: [] };
      topics.set(b.topic, t);
    }
    if (t.partitionData.some((p) => p.index === b.partition)) {
      throw new TypeError(`Produce: two batches for ${b.topic}/${b.partition} in one request`);
    }
    t.partitionData.push({ index: b.partition, records: b.records });
  }
  return {
    transactionalId: options.transactionalId ?? null,
    acks: options.acks,
    timeoutMs: options.timeoutMs,
    topicData: [...topics.values()],
  };
}

/** The broker's answer had no result for a partition it was sent. Retriable. */
export class MissingAnswerError extends KafkitError {
  /** Creates the error for `topic`/`partition`. */
  constructor(topic: string, partition: number) {
    super(`the Produce answer has no result for ${topic}/${partition}`, true);
  }
}

/** Errors after which the broker lost (or never had) this producer's sequence state. */
export const PRODUCER_STATE_LOST: ReadonlySet<number> = new Set([
  ErrorCodes.UNKNOWN_PRODUCER_ID,
  ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER,
]);

/** What one partition's answer means for its batch. */
export type PartitionOutcome =
  /** Written (or, `duplicate`, written before: the idempotent retry of a batch). */
  | { kind: "written"; baseOffset: number; appendTime: Date | null; duplicate: boolean }
  /** Not written; sending again can help. `leaderMoved`: look the leader up first. */
  | { kind: "retriable"; error: KafkaError; leaderMoved: boolean }
  /** UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER: the sequence must start over. */
  | { kind: "producerStateLost"; error: KafkaError }
  /** Not written and never will be (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED among them). */
  | { kind: "fatal"; error: KafkaError }
  /** The answer left this partition out. */
  | { kind: "missing"; error: MissingAnswerError };

/** Classifies one partition's answer (`undefined`: none was given). Pure. */
export function classifyPartition(
  topic: string,
  partition: number,
  answer: PartitionProduceResponse | undefined,
): PartitionOutcome {
  if (!answer) return { kind: "missing", error: new MissingAnswerError(topic, partition) };
  const code = answer.errorCode;
  if (code === ErrorCodes.NONE || code === ErrorCodes.DUPLICATE_SEQUENCE_NUMBER) {
    return {
      kind: "written",
      baseOffset: Number(answer.baseOffset),
      appendTime: answer.logAppendTimeMs >= 0n ? new Date(Number(answer.logAppendTimeMs)) : null,
      duplicate: code === ErrorCodes.DUPLICATE_SEQUENCE_NUMBER,
    };
  }
  const error = errorForCode(code, {
    api: "Produce",
    topic,
    partition,
    brokerMessage: answer.errorMessage,
  })!;
  if (PRODUCER_STATE_LOST.has(code)) return { kind: "producerStateLost", error };
  if (error.retriable) return { kind: "retriable", error, leaderMoved: LEADER_MOVED.has(code) };
  return { kind: "fatal", error };
}

/**
 * Classifies a whole answer: one outcome per batch sent, in the order of `batches`. Topics
 * are matched by name, or by id where the answer names them by id (v13+).
 */
export function classifyProduceResponse(
  res: ProduceResponse,
  batches: readonly PartitionBatch[],
): PartitionOutcome[] {
  const answers = new Map<string, PartitionProduceResponse>();
  for (const t of res.responses) {
    for (const p of t.partitionResponses) {
      if (t.name) answers.set(`${t.name}\u0000${p.index}`, p);
      else answers.set(`#${t.topicId}\u0000${p.index}`, p);
    }
  }
  return batches.map((b) =>
    classifyPartition(
      b.topic,
      b.partition,
      answers.get(`${b.topic}\u0000${b.partition}`) ??
        answers.get(`#${b.topicId}\u0000${b.partition}`),
    )
  );
}
