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
