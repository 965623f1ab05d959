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
export type {
  FeatureMetadata,
  FeatureUpdate,
  FeatureUpdateResult,
  FeatureUpgradeType,
  FinalizedFeature,
  SupportedFeature,
  UpdateFeaturesOptions,
} from "./features.ts";
export type {
  BrokerLogDirs,
  LogDirDescription,
  LogDirReplica,
  ReplicaLogDirMove,
  ReplicaLogDirResult,
} from "./log_dirs.ts";
export type { ElectionResult, ElectionType, ElectLeadersOptions } from "./elections.ts";
export type {
  AlterPartitionReassignmentsOptions,
  OngoingReassignment,
  PartitionReassignment,
  ReassignmentResult,
} from "./reassignments.ts";
export type { QuorumDescription, QuorumListener, QuorumNode, QuorumReplica } from "./quorum.ts";
