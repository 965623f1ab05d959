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
  AlterConfigsOptions,
  ConfigAlterationResult,
  ConfigEntry,
  ConfigOp,
  ConfigOperation,
  ConfigReplacement,
  ConfigResource,
  ConfigResourceDescription,
  ConfigResourceType,
  ConfigSource,
  ConfigSynonym,
  ConfigType,
  DescribeConfigsOptions,
  IncrementalConfigAlteration,
} from "./configs.ts";
export type {
  AlterClientQuotasOptions,
  ClientQuotaAlteration,
  ClientQuotaAlterationResult,
  ClientQuotaEntry,
  ClientQuotaFilter,
  ClientQuotaOp,
  QuotaEntity,
  QuotaEntityType,
  QuotaFilterComponent,
} from "./quotas.ts";
export type {
  ScramCredentialDeletion,
  ScramCredentialInfo,
  ScramCredentialResult,
  ScramCredentialUpsertion,
  ScramMechanism,
  UserScramCredentials,
} from "./scram.ts";
export type {
  AbortTransactionSpec,
  ActiveProducer,
  ListTransactionsOptions,
  PartitionProducers,
  TransactionDescription,
  TransactionListing,
  TransactionState,
} from "./transactions.ts";
export type {
  Acl,
  AclFilter,
  AclInput,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
  CreateAclResult,
  DeleteAclsResult,
  DeletedAcl,
} from "./acls.ts";
export type { CreateDelegationTokenOptions, DelegationToken } from "./tokens.ts";
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
export type {
  DeletedGroup,
  DescribeGroupsOptions,
  GroupDescription,
  GroupMemberDescription,
  GroupType,
  ListedGroup,
  ListGroupsOptions,
  MemberToRemove,
  RemovedMember,
  RemoveMembersOptions,
} from "./groups.ts";
export type {
  CommittedPartitionOffset,
  FetchOffsetsOptions,
  GroupOffsetResult,
  GroupOffsets,
  GroupOffsetsRequest,
  OffsetToCommit,
} from "./group_offsets.ts";
export type { GroupLag, PartitionLag } from "./group_lag.ts";
export {
  ActiveGroupError,
  type ResetOffset,
  type ResetOffsetsOptions,
  type ResetTarget,
} from "./group_reset.ts";
