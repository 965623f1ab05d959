/**
 * Consumer groups as an operator sees them: list them on every broker, describe them
 * (classic groups with DescribeGroups, KIP-848 consumer groups with ConsumerGroupDescribe,
 * KIP-932 share groups with ShareGroupDescribe), delete them, and remove members.
 *
 * @module
 */

import { retry } from "../_async/retry.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { Api } from "../protocol/api.ts";
import type { TopicPartitions } from "../consumer/assignors/group_balancers.ts";
import { decodeAssignment, decodeSubscription } from "../consumer/_subscription.ts";
import { UnsupportedVersionError } from "../errors.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import {
  ConsumerGroupDescribe,
  type ConsumerGroupDescribeResponseAssignment,
  type ConsumerGroupDescribeResponseDescribedGroup,
} from "../protocol/generated/consumer_group_describe.ts";
import { DeleteGroups } from "../protocol/generated/delete_groups.ts";
import {
  DescribeGroups,
  type DescribeGroupsResponseDescribedGroup,
} from "../protocol/generated/describe_groups.ts";
import { LeaveGroup, type MemberIdentity } from "../protocol/generated/leave_group.ts";
import { ListGroups } from "../protocol/generated/list_groups.ts";
import {
  ShareGroupDescribe,
  type ShareGroupDescribeResponseDescribedGroup,
} from "../protocol/generated/share_group_describe.ts";
import { brokerIds } from "./_brokers.ts";
import type { Call } from "./_call.ts";
import { askCoordinators } from "./_coordinated.ts";
import { authorizedOperations } from "./_operations.ts";
import type { ItemResult } from "./_results.ts";
import { listOf, nameOf, oneOf } from "../_validate.ts";

/**
 * What kind of group: `classic` (JoinGroup/SyncGroup), `consumer` (KIP-848), `share`
 * (KIP-932) or `streams` (KIP-1071).
 */
export type GroupType = "classic" | "consumer" | "share" | "streams";

const GROUP_TYPES: readonly GroupType[] = ["classic", "consumer", "share", "streams"];

/** Options of `listGroups`. */
export interface ListGroupsOptions {
  /**
   * Only groups in one of these states (any case), such as `Stable`, `Empty`,
   * `PreparingRebalance`, `CompletingRebalance`, `Assigning`, `Reconciling`, `Dead`.
   */
  states?: readonly string[];
  /** Only groups of these types. */
  types?: readonly GroupType[];
}

/** One group of `listGroups`. */
export interface ListedGroup {
  /** The group id. */
  groupId: string;
  /** The members' protocol type: `consumer`, `connect`, `share`, … (empty: offsets only). */
  protocolType: string;
  /** The group's state, such as `Stable` or `Empty`. */
  state: string;
  /** The group's type (`classic` from brokers before group types, ListGroups v5). */
  type: GroupType;
}

/**
 * Every group of the cluster (ListGroups v5 to every broker: each lists the groups it
 * coordinates), sorted by id. Filters are applied by the brokers; a broker too old to apply
 * one (states: v4, types: v5) fails the call with an `UnsupportedVersionError`, since its
 * listing would hold groups the filter leaves out.
 */
export async function listGroups(
  cluster: Cluster,
  options: ListGroupsOptions,
  call: Call,
): Promise<ListedGroup[]> {
  const states = options.states === undefined
    ? []
    : listOf("states", options.states).map((s, i) => nameOf(`states[${i}]`, s));
  const types = options.types === undefined
    ? []
    : listOf("types", options.types).map((t, i) => oneOf(`types[${i}]`, t, GROUP_TYPES));
  const listings = await Promise.all([...await brokerIds(cluster, call)].map((nodeId) =>
    // A coordinator still loading its groups answers with a retriable code: ask it again.
    retry(async () => {
      const res = await cluster.request(ListGroups, {
        statesFilter: states,
        typesFilter: types,
      }, { route: { to: "node", nodeId }, ...call.options, attempts: 1 });
      const err = errorForCode(res.errorCode, { api: "ListGroups", nodeId });
      if (err) throw err;
      return { nodeId, groups: res.groups };
    }, { signal: call.signal })
  ));
  const groups = new Map<string, ListedGroup>();
  for (const { nodeId, groups: listed } of listings) {
    for (const g of listed) {
      const unfiltered = states.length > 0 && g.groupState === ""
        ? "state"
        : types.length > 0 && g.groupType === ""
        ? "type"
        : undefined;
      if (unfiltered) {
        throw new UnsupportedVersionError(
          `ListGroups: broker ${nodeId} cannot filter groups by ${unfiltered}`,
        );
      }
      groups.set(g.groupId, {
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: g.groupState,
        type: (g.groupType || "classic") as GroupType,
      });
    }
  }
  return [...groups.values()].sort((a, b) => a.groupId < b.groupId ? -1 : 1);
}

/** One member of a {@linkcode GroupDescription}. */
export interface GroupMemberDescription {
  /** The member id the coordinator gave. */
  memberId: string;
  /** The static member id (KIP-345), or null. */
  groupInstanceId: string | null;
  /** The member's client id. */
  clientId: string;
  /** The member's host, as the coordinator saw it. */
  host: string;
  /** The member's rack (consumer and share groups; classic ones from the subscription). */
  rackId: string | null;
  /** The member's epoch (consumer and share groups; -1 in classic groups). */
  memberEpoch: number;
  /** The topics the member subscribes to (classic groups: from its subscription). */
  subscribedTopics: string[];
  /** The member's topic regex (consumer groups, KIP-848), or null. */
  subscribedTopicRegex: string | null;
  /**
   * The partitions the member owns (classic groups: decoded when the protocol type is
   * `consumer`; empty for other protocol types).
   */
  assignment: TopicPartitions[];
  /** The partitions the member is moving to (consumer groups; null for the others). */
  targetAssignment: TopicPartitions[] | null;
}

/** One group of `describeGroups`; on `error`, the other fields are empty. */
export interface GroupDescription extends ItemResult {
  /** The group id. */
  groupId: string;
  /** The group's type (which API described it). */
  type: GroupType;
  /** `Stable`, `Empty`, `PreparingRebalance`, …; `Unknown` when the group failed. */
  state: string;
  /** `consumer`, `connect`, … for classic groups (empty: offsets only); the type for others. */
  protocolType: string;
  /** The assignor: the protocol the classic members chose, or the broker-side one. */
  assignor: string;
  /** The group coordinator's node id (-1 when the group failed). */
  coordinatorId: number;
  /** The group epoch (consumer and share groups; -1 for classic ones). */
  groupEpoch: number;
  /** The epoch of the target assignment (consumer and share groups; -1 for classic ones). */
  assignmentEpoch: number;
  /** The members (none when the group is Empty). */
  members: GroupMemberDescription[];
  /** The operations the caller may perform on the group, when asked for. */
  authorizedOperations?: string[];
}

/** Options of `describeGroups`. */
export interface DescribeGroupsOptions {
  /** Ask for the operations the caller is authorized for (default false). */
  includeAuthorizedOperations?: boolean;
}

/** What one describe API answers for each group, with the coordinator that answered. */
type Described = Map<string, GroupDescription | Error>;

/**
 * Describes each group with the API of its type, found by asking: DescribeGroups first (it
 * answers GROUP_ID_NOT_FOUND for groups of other types), then ConsumerGroupDescribe and
 * ShareGroupDescribe for the groups still unfound (where the brokers have them). A group no
 * API knows gets GROUP_ID_NOT_FOUND as its `error` (so do streams groups, KIP-1071: they are
 * listed, not described).
 */
export async function describeGroups(
  cluster: Cluster,
  groupIds: readonly string[],
  options: DescribeGroupsOptions,
  call: Call,
): Promise<GroupDescription[]> {
  const ids = groupIdsOf("groupIds", groupIds);
  const withOps = options.includeAuthorizedOperations ?? false;
  const found = new Map<string, GroupDescription>();
  const notFound = new Map<string, Error>();
  let left = ids;
  for (const describe of [describeClassic, describeConsumer, describeShare]) {
    if (left.length === 0) break;
    const answers = await describe(cluster, left, withOps, call);
    left = left.filter((id) => {
      const a = answers.get(id)!;
      // The API is not there for this group: not advertised, or (Kafka 3.7-3.9 with KIP-848
      // off) advertised but answered UNSUPPORTED_VERSION.
      if (a instanceof UnsupportedVersionError) return true;
      if (a instanceof KafkaError && a.code === ErrorCodes.UNSUPPORTED_VERSION) return true;
      if (a instanceof KafkaError && a.code === ErrorCodes.GROUP_ID_NOT_FOUND) {
        notFound.set(id, a);
        return true;
      }
      found.set(id, a instanceof Error ? failedGroup(id, a) : a);
      return false;
    });
  }
  return ids.map((id) =>
    found.get(id) ?? failedGroup(
      id,
      notFound.get(id) ??
        new KafkaError(ErrorCodes.GROUP_ID_NOT_FOUND, { api: "DescribeGroups", groupId: id }),
    )
  );
}

/** The groups of type classic (DescribeGroups). */
async function describeClassic(
  cluster: Cluster,
  ids: readonly string[],
  withOps: boolean,
  call: Call,
): Promise<Described> {
  const answers = await askCoordinators(cluster, ids, call.signal, {
    ask: async (nodeId, groupIds) => {
      const res = await cluster.request(DescribeGroups, {
        groups: [...groupIds],
        includeAuthorizedOperations: withOps,
      }, { route: { to: "node", nodeId }, ...call.options, attempts: 1 });
      return new Map(res.groups.map((g) => [g.groupId, { nodeId, g }]));
    },
    codeOf: (a) => a.g.errorCode,
  });
  return mapAnswers(answers, ({ nodeId, g }) => {
    const err = errorForCode(g.errorCode, {
      api: "DescribeGroups",
      groupId: g.groupId,
      brokerMessage: g.errorMessage,
    });
    if (err) return err;
    // Brokers before DescribeGroups v6 describe a group they do not know as Dead, empty.
    if (g.groupState === "Dead" && g.protocolType === "" && g.members.length === 0) {
      return new KafkaError(ErrorCodes.GROUP_ID_NOT_FOUND, {
        api: "DescribeGroups",
        groupId: g.groupId,
      });
    }
    return classicGroup(g, nodeId, withOps);
  });
}

function classicGroup(
  g: DescribeGroupsResponseDescribedGroup,
  coordinatorId: number,
  withOps: boolean,
): GroupDescription {
  // Only the "consumer" protocol type's bytes have a known layout.
  const consumer = g.protocolType === "consumer";
  return {
    groupId: g.groupId,
    type: "classic",
    state: g.groupState,
    protocolType: g.protocolType,
    assignor: g.protocolData,
    coordinatorId,
    groupEpoch: -1,
    assignmentEpoch: -1,
    members: g.members.map((m) => {
      const subscription = consumer && m.memberMetadata.length > 0
        ? decodeSubscription(m.memberMetadata)
        : undefined;
      return {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        host: m.clientHost,
        rackId: subscription?.rackId ?? null,
        memberEpoch: -1,
        subscribedTopics: subscription?.topics ?? [],
        subscribedTopicRegex: null,
        assignment: consumer ? decodeAssignment(m.memberAssignment).assignedPartitions : [],
        targetAssignment: null,
      };
    }),
    ...operations(withOps, g.authorizedOperations),
  };
}

/** A group as ConsumerGroupDescribe and ShareGroupDescribe both answer it. */
interface NewProtocolGroup {
  groupId: string;
  errorCode: number;
  errorMessage: string | null;
}

/**
 * The groups of a KIP-848 protocol (ConsumerGroupDescribe, or ShareGroupDescribe for share
 * groups, KIP-932): both ask with the same body and answer with the same envelope.
 */
function describeWith<
  Req extends { groupIds?: string[]; includeAuthorizedOperations?: boolean },
  Res extends { groups: G[] },
  G extends NewProtocolGroup,
>(
  api: Api<Req, Res>,
  toGroup: (g: G, coordinatorId: number, withOps: boolean) => GroupDescription,
) {
  return async (
    cluster: Cluster,
    ids: readonly string[],
    withOps: boolean,
    call: Call,
  ): Promise<Described> => {
    const answers = await askCoordinators(cluster, ids, call.signal, {
      ask: async (nodeId, groupIds) => {
        const res = await cluster.request(api, {
          groupIds: [...groupIds],
          includeAuthorizedOperations: withOps,
        } as Req, { route: { to: "node", nodeId }, ...call.options, attempts: 1 });
        return new Map(res.groups.map((g) => [g.groupId, { nodeId, g }]));
      },
      codeOf: (a) => a.g.errorCode,
    });
    return mapAnswers(answers, ({ nodeId, g }) =>
      errorForCode(g.errorCode, {
        api: api.name,
        groupId: g.groupId,
        brokerMessage: g.errorMessage,
      }) ?? toGroup(g, nodeId, withOps));
  };
}

function consumerGroup(
  g: ConsumerGroupDescribeResponseDescribedGroup,
  coordinatorId: number,
  withOps: boolean,
): GroupDescription {
  return {
    groupId: g.groupId,
    type: "consumer",
    state: g.groupState,
    protocolType: "consumer",
    assignor: g.assignorName,
    coordinatorId,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      host: m.clientHost,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      subscribedTopics: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: topicPartitions(m.assignment),
      targetAssignment: topicPartitions(m.targetAssignment),
    })),
    ...operations(withOps, g.authorizedOperations),
  };
}

function shareGroup(
  g: ShareGroupDescribeResponseDescribedGroup,
  coordinatorId: number,
  withOps: boolean,
): GroupDescription {
  return {
    groupId: g.groupId,
    type: "share",
    state: g.groupState,
    protocolType: "share",
    assignor: g.assignorName,
    coordinatorId,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: null,
      clientId: m.clientId,
      host: m.clientHost,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      subscribedTopics: m.subscribedTopicNames,
      subscribedTopicRegex: null,
      assignment: topicPartitions(m.assignment),
      targetAssignment: null,
    })),
    ...operations(withOps, g.authorizedOperations),
  };
}

/** The groups of type consumer (ConsumerGroupDescribe, KIP-848). */
const describeConsumer = describeWith(ConsumerGroupDescribe, consumerGroup);
/** The groups of type share (ShareGroupDescribe, KIP-932). */
const describeShare = describeWith(ShareGroupDescribe, shareGroup);

/** Each answer read by `read`; a group whose bytes do not decode fails on its own. */
function mapAnswers<T>(
  answers: Map<string, T | Error>,
  read: (answer: T) => GroupDescription | Error,
): Described {
  const out: Described = new Map();
  for (const [id, a] of answers) {
    try {
      out.set(id, a instanceof Error ? a : read(a));
    } catch (e) {
      out.set(id, e as Error);
    }
  }
  return out;
}

function topicPartitions(a: ConsumerGroupDescribeResponseAssignment): TopicPartitions[] {
  return a.topicPartitions.map((t) => ({ topic: t.topicName, partitions: t.partitions }));
}

function operations(withOps: boolean, bits: number): { authorizedOperations?: string[] } {
  return withOps ? { authorizedOperations: authorizedOperations(bits) } : {};
}

function failedGroup(groupId: string, error: Error): GroupDescription {
  return {
    groupId,
    type: "classic",
    state: "Unknown",
    protocolType: "",
    assignor: "",
    coordinatorId: -1,
    groupEpoch: -1,
    assignmentEpoch: -1,
    members: [],
    error,
  };
}

/** One group of `deleteGroups`. */
export interface DeletedGroup extends ItemResult {
  /** The group id. */
  groupId: string;
}

/**
 * Deletes groups and their committed offsets (DeleteGroups, one request per coordinator).
 * A group with members fails with NON_EMPTY_GROUP, an unknown one with GROUP_ID_NOT_FOUND.
 */
export async function deleteGroups(
  cluster: Cluster,
  groupIds: readonly string[],
  call: Call,
): Promise<DeletedGroup[]> {
  const ids = groupIdsOf("groupIds", groupIds);
  const answers = await askCoordinators(cluster, ids, call.signal, {
    ask: async (nodeId, groupNames) => {
      const res = await cluster.request(DeleteGroups, { groupsNames: [...groupNames] }, {
        route: { to: "node", nodeId },
        ...call.options,
        attempts: 1,
      });
      return new Map(res.results.map((r) => [r.groupId, r.errorCode]));
    },
    codeOf: (code) => code,
  });
  return ids.map((groupId) => {
    const a = answers.get(groupId)!;
    const error = a instanceof Error ? a : errorForCode(a, { api: "DeleteGroups", groupId });
    return error ? { groupId, error } : { groupId };
  });
}

/** A member to remove: by member id (dynamic members) or by static instance id. */
export type MemberToRemove = { memberId: string } | { groupInstanceId: string };

/** Options of `removeMembers`. */
export interface RemoveMembersOptions {
  /** Why, as the broker logs it (LeaveGroup v5+). */
  reason?: string;
}

/** One member of `removeMembers`: who was asked to leave, by which id. */
export interface RemovedMember extends ItemResult {
  /** The member id it was removed by, or null (removed by instance id). */
  memberId: string | null;
  /** The static instance id it was removed by, or null. */
  groupInstanceId: string | null;
}

/**
 * Removes members from a group (LeaveGroup v3+, Kafka 2.4+), as if they had left; `"all"`:
 * every current member (static ones by instance id). A member the group does not have fails
 * with UNKNOWN_MEMBER_ID; an error about the group itself throws. A running consumer that is
 * removed joins again.
 */
export async function removeMembers(
  cluster: Cluster,
  groupId: string,
  members: readonly MemberToRemove[] | "all",
  options: RemoveMembersOptions,
  call: Call,
): Promise<RemovedMember[]> {
  nameOf("groupId", groupId);
  const reason = options.reason === undefined ? null : nameOf("reason", options.reason);
  let leaving: RemovedMember[];
  if (members === "all") {
    const [group] = await describeGroups(cluster, [groupId], {}, call);
    if (group.error) throw group.error;
    leaving = group.members.map((m) =>
      m.groupInstanceId === null
        ? { memberId: m.memberId, groupInstanceId: null }
        : { memberId: null, groupInstanceId: m.groupInstanceId }
    );
  } else {
    leaving = listOf("members", members).map((m, i) => memberOf(`members[${i}]`, m));
  }
  if (leaving.length === 0) return [];
  const identities: MemberIdentity[] = leaving.map((m) => ({
    memberId: m.memberId ?? "",
    groupInstanceId: m.groupInstanceId,
    reason,
  }));
  const res = await cluster.request(LeaveGroup, { groupId, members: identities }, {
    key: groupId,
    errorCode: (r) => r.errorCode,
    ...call.options,
  });
  const err = errorForCode(res.errorCode, { api: "LeaveGroup", groupId });
  if (err) throw err;
  const key = (memberId: string, instanceId: string | null) => `${memberId}\u0000${instanceId}`;
  const codes = new Map(res.members.map((m) => [key(m.memberId, m.groupInstanceId), m.errorCode]));
  return leaving.map((m) => {
    const code = codes.get(key(m.memberId ?? "", m.groupInstanceId));
    const error = code === undefined
      ? new KafkaError(ErrorCodes.UNKNOWN_MEMBER_ID, { api: "LeaveGroup", groupId })
      : errorForCode(code, { api: "LeaveGroup", groupId });
    return error ? { ...m, error } : m;
  });
}

function memberOf(field: string, m: MemberToRemove): RemovedMember {
  if (m === null || typeof m !== "object") {
    throw new TypeError(`${field} must be { memberId } or { groupInstanceId }`);
  }
  const byId = "memberId" in m && m.memberId !== undefined;
  const byInstance = "groupInstanceId" in m && m.groupInstanceId !== undefined;
  if (byId === byInstance) {
    throw new TypeError(`${field} must have exactly one of memberId and groupInstanceId`);
  }
  return byId
    ? {
      memberId: nameOf(`${field}.memberId`, (m as { memberId: string }).memberId),
      groupInstanceId: null,
    }
    : {
      memberId: null,
      groupInstanceId: nameOf(
        `${field}.groupInstanceId`,
        (m as { groupInstanceId: string }).groupInstanceId,
      ),
    };
}

/** The group ids, each a non-empty string, without repeats. */
export function groupIdsOf(field: string, groupIds: readonly string[]): string[] {
  const ids = listOf(field, groupIds).map((id, i) => nameOf(`${field}[${i}]`, id));
  return [...new Set(ids)];
}
