/**
 * ACL operation names, and the authorized-operations bit fields that Metadata,
 * DescribeCluster and DescribeGroups answer with.
 *
 * @module
 */

/** ACL operation names by bit (AclOperation codes), for authorized-operations bit fields. */
export const ACL_OPERATIONS: readonly string[] = [
  "UNKNOWN",
  "ANY",
  "ALL",
  "READ",
  "WRITE",
  "CREATE",
  "DELETE",
  "ALTER",
  "DESCRIBE",
  "CLUSTER_ACTION",
  "DESCRIBE_CONFIGS",
  "ALTER_CONFIGS",
  "IDEMPOTENT_WRITE",
  "CREATE_TOKENS",
  "DESCRIBE_TOKENS",
  "TWO_PHASE_COMMIT",
];

/** The operation names set in an authorized-operations bit field (-2^31: not asked for). */
export function authorizedOperations(bits: number): string[] {
  if (bits === -2147483648) return [];
  return ACL_OPERATIONS.filter((_, i) => i > 2 && (bits & (1 << i)) !== 0);
}
