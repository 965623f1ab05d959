/**
 * Topics: create (CreateTopics), delete by name or id (DeleteTopics), list and describe
 * (Metadata, read by the core's one metadata model) and add partitions (CreatePartitions).
 *
 * @module
 */

import { type ConfigSource, configSourceOf } from "./configs.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { type PartitionInfo, readMetadata } from "../cluster/metadata_model.ts";
import { metadataRequest } from "../cluster/requests/metadata.ts";
import { KafkitError } from "../errors.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { CreatePartitions } from "../protocol/generated/create_partitions.ts";
import { CreateTopics } from "../protocol/generated/create_topics.ts";
import { DeleteTopics } from "../protocol/generated/delete_topics.ts";
import { Metadata } from "../protocol/generated/metadata.ts";
import { ZERO_UUID } from "../wire/uuid.ts";
import type { Call } from "./_call.ts";
import { authorizedOperations } from "./_operations.ts";
import { intIn, listOf, nameOf } from "../_validate.ts";
import {
  createTopicsRequest,
  deleteTopicsRequest,
  replicasOf,
  type TopicConfig,
  topicItems,
  type TopicRef,
} from "../cluster/requests/topics.ts";

export type { TopicConfig, TopicRef };

/** Options of `createTopics`. */
export interface CreateTopicsOptions {
  /** Only check that the topics could be created (default false). */
  validateOnly?: boolean;
}

/** A config the broker reports for a topic it created (CreateTopics v5+). */
export interface CreatedTopicConfig {
  /** The config's name. */
  name: string;
  /** Its value; null when sensitive. */
  value: string | null;
  /** Whether it cannot be changed. */
  readOnly: boolean;
  /** Where the value comes from (as `describeConfigs` names it). */
  source: ConfigSource;
  /** Whether the value is sensitive (a password). */
  sensitive: boolean;
}

/** One topic's answer from `createTopics`. */
export interface CreateTopicResult {
  /** The topic's name. */
  topic: string;
  /** Kafka's topic id (v7+); null when the broker gave none. */
  topicId: string | null;
  /** The partitions it has (v5+; -1 when unknown). */
  numPartitions: number;
  /** Its replication factor (v5+; -1 when unknown). */
  replicationFactor: number;
  /** Its configs (v5+; empty when unknown, or when `configsError` says why not). */
  configs: CreatedTopicConfig[];
  /** Why the broker could not report the configs (the topic was created all the same). */
  configsError?: Error;
  /** Why this topic was not created (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, ...). */
  error?: Error;
}

/** One topic's answer from `deleteTopics`. */
export interface DeleteTopicResult {
  /** The topic's name (null for a topic id the broker did not know). */
  topic: string | null;
  /** Its topic id (null when the broker did not say, before v6). */
  topicId: string | null;
  /** Why this topic was not deleted. */
  error?: Error;
}

/** Options of `listTopics`. */
export interface ListTopicsOptions {
  /** Include Kafka's internal topics, such as `__consumer_offsets` (default false). */
  internal?: boolean;
}

/** One topic from `listTopics`. */
export interface TopicListing {
  /** The topic's name. */
  topic: string;
  /** Kafka's topic id. */
  topicId: string;
  /** Whether it is one of Kafka's internal topics. */
  internal: boolean;
}

/** Options of `describeTopics`. */
export interface DescribeTopicsOptions {
  /** Ask for the operations the caller may perform on each topic (default false). */
  includeAuthorizedOperations?: boolean;
}

/** One topic's answer from `describeTopics`. */
export interface TopicDescription {
  /** The topic's name. */
  topic: string;
  /** Kafka's topic id (the zero id when the topic failed). */
  topicId: string;
  /** Whether it is one of Kafka's internal topics. */
  internal: boolean;
  /** Its partitions, sorted: leader, leader epoch, replicas, ISR, offline replicas. */
  partitions: PartitionInfo[];
  /** The operations the caller may perform on it, when asked for. */
  authorizedOperations?: string[];
  /** Why it could not be described (UNKNOWN_TOPIC_OR_PARTITION, ...). */
  error?: Error;
}

/** Partitions to add to a topic. */
export interface NewPartitions {
  /** The topic. */
  topic: string;
  /** The total number of partitions it is to have (more than it has now). */
  count: number;
  /** Replicas (broker ids) of each new partition, in order; default: the broker places them. */
  assignments?: number[][];
}

/** Options of `createPartitions`. */
export interface CreatePartitionsOptions {
  /** Only check that the partitions could be added (default false). */
  validateOnly?: boolean;
}

/** One topic's answer from `createPartitions`. */
export interface CreatePartitionsResult {
  /** The topic. */
  topic: string;
  /** Why its partitions were not added (INVALID_PARTITIONS, ...). */
  error?: Error;
}

/** An item the broker's answer left out. */
function unanswered(api: string, what: string): KafkitError {
  return new KafkitError(`${api}: the broker's answer left out ${what}`, false);
}

/** CreateTopics (to any broker; KRaft brokers forward it to the controller). */
export async function createTopics(
  cluster: Cluster,
  topics: readonly TopicConfig[],
  options: CreateTopicsOptions,
  call: Call,
): Promise<CreateTopicResult[]> {
  const body = createTopicsRequest(topics, {
    timeoutMs: call.timeout,
    validateOnly: options.validateOnly,
  });
  if (body.topics!.length === 0) return [];
  const res = await cluster.request(CreateTopics, body, {
    ...call.options,
    timeout: call.timeout,
  });
  const byName = new Map(res.topics.map((t) => [t.name, t]));
  return topics.map(({ topic }): CreateTopicResult => {
    const t = byName.get(topic);
    if (!t) return failedCreate(topic, unanswered("CreateTopics", `topic ${topic}`));
    const error = errorForCode(t.errorCode, {
      api: "CreateTopics",
      topic,
      brokerMessage: t.errorMessage,
    });
    if (error) return failedCreate(topic, error);
    if (!options.validateOnly) cluster.invalidate(topic);
    const configsError = errorForCode(t.topicConfigErrorCode, { api: "CreateTopics", topic });
    return {
      topic,
      topicId: t.topicId === ZERO_UUID ? null : t.topicId,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      configs: (t.configs ?? []).map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        source: configSourceOf(c.configSource),
        sensitive: c.isSensitive,
      })),
      ...(configsError ? { configsError } : {}),
    };
  });
}

function failedCreate(topic: string, error: Error): CreateTopicResult {
  return { topic, topicId: null, numPartitions: -1, replicationFactor: -1, configs: [], error };
}

/** DeleteTopics (to any broker), by name or by topic id. */
export async function deleteTopics(
  cluster: Cluster,
  topics: readonly TopicRef[],
  call: Call,
): Promise<DeleteTopicResult[]> {
  const body = deleteTopicsRequest(topics, call.timeout);
  if (body.topics.length === 0) return [];
  const res = await cluster.request(DeleteTopics, body, {
    ...call.options,
    timeout: call.timeout,
  });
  const byName = new Map(res.responses.flatMap((r) => r.name === null ? [] : [[r.name, r]]));
  const byId = new Map(res.responses.map((r) => [r.topicId, r]));
  return body.topics.map(({ name, topicId }): DeleteTopicResult => {
    const id = topicId === ZERO_UUID ? null : topicId;
    // Before v6 the broker takes names only, and answers without ids.
    const r = name === null ? byId.get(topicId) : byName.get(name);
    if (!r) {
      return {
        topic: name,
        topicId: id,
        error: name === null
          ? new KafkaError(ErrorCodes.UNSUPPORTED_VERSION, { api: "DeleteTopics", topicId })
          : unanswered("DeleteTopics", `topic ${name}`),
      };
    }
    const topic = r.name ?? name;
    const answeredId = r.topicId === ZERO_UUID ? id : r.topicId;
    const error = errorForCode(r.errorCode, {
      api: "DeleteTopics",
      ...(topic === null ? {} : { topic }),
      ...(answeredId === null ? {} : { topicId: answeredId }),
      brokerMessage: r.errorMessage,
    });
    if (topic !== null) cluster.invalidate(topic);
    return { topic, topicId: answeredId, ...(error ? { error } : {}) };
  });
}

/** Every topic (Metadata for all topics), sorted by name. */
export async function listTopics(
  cluster: Cluster,
  options: ListTopicsOptions,
  call: Call,
): Promise<TopicListing[]> {
  const res = await cluster.request(Metadata, metadataRequest(null), call.options);
  return readMetadata(res).topics
    .filter((t) => options.internal || !t.internal)
    .map((t) => ({ topic: t.name, topicId: t.id, internal: t.internal }))
    .sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);
}

/** Metadata for `topics`, one description each (an unknown topic is that topic's error). */
export async function describeTopics(
  cluster: Cluster,
  topics: readonly string[],
  options: DescribeTopicsOptions,
  call: Call,
): Promise<TopicDescription[]> {
  const names = listOf("topics", topics).map((t, i) => {
    if (topics.indexOf(nameOf(`topics[${i}]`, t)) !== i) {
      throw new TypeError(`topics[${i}] repeats topic ${t}`);
    }
    return t;
  });
  if (names.length === 0) return [];
  const withOps = options.includeAuthorizedOperations ?? false;
  const res = await cluster.request(Metadata, {
    ...metadataRequest(names),
    includeTopicAuthorizedOperations: withOps,
  }, call.options);
  const snapshot = readMetadata(res);
  const found = new Map(snapshot.topics.map((t) => [t.name, t]));
  const bits = new Map(res.topics.map((t) => [t.name, t.topicAuthorizedOperations]));
  return names.map((topic): TopicDescription => {
    const t = found.get(topic);
    if (!t) {
      const error = snapshot.topicErrors.get(topic) ?? unanswered("Metadata", `topic ${topic}`);
      return { topic, topicId: ZERO_UUID, internal: false, partitions: [], error };
    }
    return {
      topic,
      topicId: t.id,
      internal: t.internal,
      partitions: t.partitions,
      ...(withOps ? { authorizedOperations: authorizedOperations(bits.get(topic)!) } : {}),
    };
  });
}

/** CreatePartitions (to any broker; KRaft brokers forward it to the controller). */
export async function createPartitions(
  cluster: Cluster,
  topics: readonly NewPartitions[],
  options: CreatePartitionsOptions,
  call: Call,
): Promise<CreatePartitionsResult[]> {
  const body = topicItems("topics", topics).map((t, i) => ({
    name: t.topic,
    count: intIn(`topics[${i}].count`, t.count, 1),
    assignments: t.assignments === undefined
      ? null
      : listOf(`topics[${i}].assignments`, t.assignments).map((replicas, j) => ({
        brokerIds: replicasOf(`topics[${i}].assignments[${j}]`, replicas),
      })),
  }));
  if (body.length === 0) return [];
  const res = await cluster.request(CreatePartitions, {
    topics: body,
    timeoutMs: call.timeout,
    validateOnly: options.validateOnly ?? false,
  }, { ...call.options, timeout: call.timeout });
  const byName = new Map(res.results.map((r) => [r.name, r]));
  return body.map(({ name: topic }): CreatePartitionsResult => {
    const r = byName.get(topic);
    if (!r) return { topic, error: unanswered("CreatePartitions", `topic ${topic}`) };
    const error = errorForCode(r.errorCode, {
      api: "CreatePartitions",
      topic,
      brokerMessage: r.errorMessage,
    });
    if (!error && !options.validateOnly) cluster.invalidate(topic);
    return error ? { topic, error } : { topic };
  });
}
