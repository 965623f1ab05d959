/**
 * The contract between a consumer group's leader and the strategy that splits partitions
 * among members (kafka-go's `GroupBalancer`, the Java client's `ConsumerPartitionAssignor`).
 *
 * @module
 */

/** Partitions of one topic. */
export interface TopicPartitions {
  /** The topic name. */
  topic: string;
  /** Partition ids. */
  partitions: number[];
}

/** A member as the group leader sees it, decoded from its JoinGroup subscription. */
export interface GroupMember {
  /** The member id the coordinator gave it. */
  id: string;
  /** Its static membership id, if any. */
  groupInstanceId: string | null;
  /** The topics it subscribes to. */
  topics: string[];
  /** The balancer-specific bytes it sent (the subscription's `userData`). */
  userData: Uint8Array | null;
  /** The partitions it owned in the previous generation (subscription v1+, else empty). */
  ownedPartitions: TopicPartitions[];
  /** The generation it last took part in (subscription v2+, else -1). */
  generationId: number;
  /** Its rack (subscription v3+), or null. */
  rackId: string | null;
}

/** A partition the leader may assign, with the racks of its replicas. */
export interface GroupPartition {
  /** The topic name. */
  topic: string;
  /** The partition id. */
  id: number;
  /** The leader's rack, or null when the broker has none. */
  leaderRack: string | null;
  /** Every replica's rack (known ones only). */
  replicaRacks: string[];
}

/** Member id → topic → partition ids. */
export type GroupMemberAssignments = Map<string, Map<string, number[]>>;

/** What a member knows of its own state when it (re)joins; balancers may encode it. */
export interface MemberState {
  /** The generation it last took part in, or -1. */
  generationId: number;
  /** The partitions it currently owns. */
  ownedPartitions: TopicPartitions[];
  /** Its rack, if configured. */
  rackId: string | null;
}

/**
 * Splits partitions among a group's members. Runs on the member the coordinator picks as
 * leader; every member must offer the same `protocolName` for the group to use it.
 */
export interface GroupBalancer {
  /** The protocol name sent in JoinGroup (`range`, `roundrobin`, `cooperative-sticky`, …). */
  readonly protocolName: string;
  /**
   * `cooperative` balancers never hand a partition straight from one owner to another in one
   * generation (KIP-429), so members keep their partitions during a rebalance. Default eager.
   */
  readonly rebalanceProtocol?: "eager" | "cooperative";
  /** The `userData` this member sends with its subscription. */
  userData?(state: MemberState): Uint8Array | null;
  /** Assigns `partitions` to `members`; every member appears in the result. */
  assignGroups(members: GroupMember[], partitions: GroupPartition[]): GroupMemberAssignments;
}
