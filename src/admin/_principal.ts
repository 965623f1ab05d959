/**
 * Kafka principals as `Type:name` strings (`User:alice`), the form ACLs, delegation tokens
 * and the broker's logs use.
 *
 * @module
 */

/** A principal split into its type and name. */
export interface PrincipalParts {
  type: string;
  name: string;
}

/**
 * `value` split at its first colon when it reads `Type:name` (both parts non-empty); a
 * `TypeError` naming `field` otherwise.
 */
export function principalOf(field: string, value: unknown): PrincipalParts {
  const at = typeof value === "string" ? value.indexOf(":") : -1;
  if (typeof value !== "string" || at <= 0 || at === value.length - 1) {
    throw new TypeError(
      `${field} must be a principal "Type:name" such as "User:alice", got ${JSON.stringify(value)}`,
    );
  }
  return { type: value.slice(0, at), name: value.slice(at + 1) };
}

/** The `Type:name` string of a principal the broker sent as two fields. */
export function principalString(type: string, name: string): string {
  return `${type}:${name}`;
}
