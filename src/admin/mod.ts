/**
 * The admin client's public surface: the client, per-item results, and each area's types.
 *
 * @module
 */

export { Admin, Client, type ClientOptions } from "./client.ts";
export type { AdminCallOptions } from "./_call.ts";
export { FailedItemsError, type ItemResult, throwIfFailed } from "./_results.ts";
export type {
  BrokerDescription,
  ClusterDescription,
  DescribeClusterOptions,
} from "./cluster_info.ts";
export {
  type CreatedTopicConfig,
  type CreatePartitionsOptions,
  type CreatePartitionsResult,
  type CreateTopicResult,
  type CreateTopicsOptions,
  type DeleteTopicResult,
  type DescribeTopicsOptions,
  type ListTopicsOptions,
  type NewPartitions,
  type TopicDescription,
  type TopicListing,
  type TopicRef,
} from "./topics.ts";
export type {
  DeletedRecordsResult,
  EpochEndOffset,
  EpochQuery,
  ListedOffsetResult,
  ListOffsetsOptions,
  OffsetSpec,
  OffsetSpecFor,
  RecordsToDelete,
} from "./records.ts";
