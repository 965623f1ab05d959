/**
 * Access control lists: create, describe and delete ACL bindings (CreateAcls, DescribeAcls,
 * DeleteAcls). Resource types, pattern types, operations and permissions travel as int8
 * codes; here they are lower-case names (`"transactional-id"`, `"describe-configs"`).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { ErrorCodes, errorForCode, KafkaError } from "../protocol/errors.ts";
import { CreateAcls } from "../protocol/generated/create_acls.ts";
import { DeleteAcls, type DeleteAclsFilter } from "../protocol/generated/delete_acls.ts";
import { DescribeAcls } from "../protocol/generated/describe_acls.ts";
import type { Call } from "./_call.ts";
import { ACL_OPERATIONS } from "./_operations.ts";
import { principalOf } from "./_principal.ts";
import type { ItemResult } from "./_results.ts";
import { listOf, nameOf, oneOf } from "../_validate.ts";

/** What an ACL protects. */
export type AclResourceType =
  | "topic"
  | "group"
  | "cluster"
  | "transactional-id"
  | "delegation-token"
  | "user";

/** How an ACL's resource name matches: the exact name, or every name it starts. */
export type AclPatternType = "literal" | "prefixed";

/** What an ACL allows or denies (`"all"`: every operation). */
export type AclOperation =
  | "all"
  | "read"
  | "write"
  | "create"
  | "delete"
  | "alter"
  | "describe"
  | "cluster-action"
  | "describe-configs"
  | "alter-configs"
  | "idempotent-write"
  | "create-tokens"
  | "describe-tokens"
  | "two-phase-commit";

/** Whether an ACL allows or denies (a deny wins over any allow). */
export type AclPermission = "allow" | "deny";

/**
 * One ACL binding: `principal` may (or may not) perform `operation` on the resources
 * `resourceName` names, from `host`. A code this version does not know reads as
 * `"unknown"`.
 */
export interface Acl {
  /** The kind of resource. */
  resourceType: AclResourceType;
  /** The resource's name, its prefix (patternType `"prefixed"`), or `"*"` for all. */
  resourceName: string;
  /** Whether `resourceName` is the name or a prefix. */
  patternType: AclPatternType;
  /** `Type:name`, such as `User:alice`. */
  principal: string;
  /** The client host, or `"*"` for any. */
  host: string;
  /** The operation allowed or denied. */
  operation: AclOperation;
  /** Allowed or denied. */
  permission: AclPermission;
}

/** An ACL to create: `host` defaults to `"*"` (any host). */
export interface AclInput extends Omit<Acl, "host"> {
  /** The client host (default `"*"`: any). */
  host?: string;
}

/**
 * Which ACLs a describe or delete is about: each field left out matches anything.
 * `patternType` `"match"` (with a `resourceName`) finds every ACL that applies to that
 * resource: its literal ones, the wildcard `"*"` ones and the prefixed ones it starts with;
 * `"any"` (the default) finds ACLs of any pattern type with exactly that name.
 */
export interface AclFilter {
  /** The kind of resource (default `"any"`). */
  resourceType?: AclResourceType | "any";
  /** The resource name (default: any). */
  resourceName?: string;
  /** How `resourceName` matches (default `"any"`). */
  patternType?: AclPatternType | "any" | "match";
  /** `Type:name`, such as `User:alice`. */
  principal?: string;
  /** The client host (default: any; `"*"` matches only ACLs for every host). */
  host?: string;
  /** The operation (default `"any"`). */
  operation?: AclOperation | "any";
  /** Allowed or denied (default `"any"`). */
  permission?: AclPermission | "any";
}

/** One ACL of `createAcls`: the binding, and `error` when the broker refused it. */
export interface CreateAclResult extends ItemResult {
  /** The binding as sent (with its host filled in). */
  acl: Acl;
}

/** An ACL `deleteAcls` removed (or, with `error`, failed to remove). */
export interface DeletedAcl extends ItemResult {
  /** The binding the filter matched. */
  acl: Acl;
}

/** One filter of `deleteAcls`: the ACLs it matched and deleted, or `error`. */
export interface DeleteAclsResult extends ItemResult {
  /** The filter as given. */
  filter: AclFilter;
  /** The bindings it matched, each deleted unless it has an `error`. */
  deleted: DeletedAcl[];
}

// Names by code (the index), as the protocol numbers them; 0 is UNKNOWN, 1 ANY.
const RESOURCE_TYPES = [
  "unknown",
  "any",
  "topic",
  "group",
  "cluster",
  "transactional-id",
  "delegation-token",
  "user",
] as const;
const PATTERN_TYPES = ["unknown", "any", "match", "literal", "prefixed"] as const;
const PERMISSIONS = ["unknown", "any", "deny", "allow"] as const;
/** `_operations.ts` names in this module's form: `CLUSTER_ACTION` -> `cluster-action`. */
const OPERATIONS: readonly string[] = ACL_OPERATIONS.map((n) =>
  n.toLowerCase().replaceAll("_", "-")
);

/** The names a binding may use (no unknown, no any or match), and those a filter may use. */
const ACL_CHOICES = {
  resourceType: RESOURCE_TYPES.slice(2),
  patternType: PATTERN_TYPES.slice(3),
  operation: OPERATIONS.slice(2),
  permission: PERMISSIONS.slice(2),
};
const FILTER_CHOICES = {
  resourceType: RESOURCE_TYPES.slice(1),
  patternType: PATTERN_TYPES.slice(1),
  operation: OPERATIONS.slice(1),
  permission: PERMISSIONS.slice(1),
};

const codeOf = (names: readonly string[], name: string) => names.indexOf(name);
const nameAt = (names: readonly string[], code: number) => names[code] ?? "unknown";

/** The wire fields of one binding to create, checked. */
function creation(acl: AclInput, at: string) {
  if (acl === null || typeof acl !== "object") throw new TypeError(`${at} must be an object`);
  principalOf(`${at}.principal`, acl.principal);
  return {
    resourceType: codeOf(
      RESOURCE_TYPES,
      oneOf(`${at}.resourceType`, acl.resourceType, ACL_CHOICES.resourceType),
    ),
    resourceName: nameOf(`${at}.resourceName`, acl.resourceName),
    resourcePatternType: codeOf(
      PATTERN_TYPES,
      oneOf(`${at}.patternType`, acl.patternType, ACL_CHOICES.patternType),
    ),
    principal: acl.principal,
    host: acl.host === undefined ? "*" : nameOf(`${at}.host`, acl.host),
    operation: codeOf(OPERATIONS, oneOf(`${at}.operation`, acl.operation, ACL_CHOICES.operation)),
    permissionType: codeOf(
      PERMISSIONS,
      oneOf(`${at}.permission`, acl.permission, ACL_CHOICES.permission),
    ),
  };
}

/** The wire fields of a filter (absent fields: any), checked. */
function filterFields(filter: AclFilter, at: string): Required<DeleteAclsFilter> {
  if (filter === null || typeof filter !== "object") throw new TypeError(`${at} must be an object`);
  const choice = <K extends keyof typeof FILTER_CHOICES>(key: K, names: readonly string[]) =>
    codeOf(names, oneOf(`${at}.${key}`, filter[key] ?? "any", FILTER_CHOICES[key]));
  if (filter.principal !== undefined) principalOf(`${at}.principal`, filter.principal);
  return {
    resourceTypeFilter: choice("resourceType", RESOURCE_TYPES),
    resourceNameFilter: filter.resourceName === undefined
      ? null
      : nameOf(`${at}.resourceName`, filter.resourceName),
    patternTypeFilter: choice("patternType", PATTERN_TYPES),
    principalFilter: filter.principal ?? null,
    hostFilter: filter.host === undefined ? null : nameOf(`${at}.host`, filter.host),
    operation: choice("operation", OPERATIONS),
    permissionType: choice("permission", PERMISSIONS),
  };
}

/** A binding the broker described, by name. */
function aclOf(b: {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}): Acl {
  return {
    resourceType: nameAt(RESOURCE_TYPES, b.resourceType) as AclResourceType,
    resourceName: b.resourceName,
    patternType: nameAt(PATTERN_TYPES, b.patternType) as AclPatternType,
    principal: b.principal,
    host: b.host,
    operation: nameAt(OPERATIONS, b.operation) as AclOperation,
    permission: nameAt(PERMISSIONS, b.permissionType) as AclPermission,
  };
}

/** CreateAcls to any broker: one result per binding, in order. */
export async function createAcls(
  cluster: Cluster,
  acls: readonly AclInput[],
  call: Call,
): Promise<CreateAclResult[]> {
  const creations = listOf("acls", acls).map((a, i) => creation(a, `acls[${i}]`));
  if (creations.length === 0) return [];
  const res = await cluster.request(CreateAcls, { creations }, call.options);
  return creations.map((c, i) => {
    const r = res.results[i];
    const acl = aclOf({ ...c, patternType: c.resourcePatternType });
    const error = r
      ? errorForCode(r.errorCode, { api: "CreateAcls", brokerMessage: r.errorMessage })
      : new KafkaError(ErrorCodes.UNKNOWN_SERVER_ERROR, { api: "CreateAcls" });
    return error ? { acl, error } : { acl };
  });
}

/** DescribeAcls to any broker: every binding `filter` matches. */
export async function describeAcls(
  cluster: Cluster,
  filter: AclFilter,
  call: Call,
): Promise<Acl[]> {
  const fields = filterFields(filter, "filter");
  const res = await cluster.request(DescribeAcls, fields, call.options);
  const err = errorForCode(res.errorCode, { api: "DescribeAcls", brokerMessage: res.errorMessage });
  if (err) throw err;
  return res.resources.flatMap((r) => r.acls.map((a) => aclOf({ ...r, ...a })));
}

/** DeleteAcls to any broker: for each filter, the bindings it matched and deleted. */
export async function deleteAcls(
  cluster: Cluster,
  filters: readonly AclFilter[],
  call: Call,
): Promise<DeleteAclsResult[]> {
  const fields = listOf("filters", filters).map((f, i) => filterFields(f, `filters[${i}]`));
  if (fields.length === 0) return [];
  const res = await cluster.request(DeleteAcls, { filters: fields }, call.options);
  return filters.map((filter, i) => {
    const r = res.filterResults[i];
    if (!r) {
      return {
        filter,
        deleted: [],
        error: new KafkaError(ErrorCodes.UNKNOWN_SERVER_ERROR, { api: "DeleteAcls" }),
      };
    }
    const error = errorForCode(r.errorCode, { api: "DeleteAcls", brokerMessage: r.errorMessage });
    const deleted = r.matchingAcls.map((m): DeletedAcl => {
      const e = errorForCode(m.errorCode, { api: "DeleteAcls", brokerMessage: m.errorMessage });
      return e ? { acl: aclOf(m), error: e } : { acl: aclOf(m) };
    });
    return error ? { filter, deleted, error } : { filter, deleted };
  });
}
