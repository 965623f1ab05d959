/**
 * Client quotas (KIP-546): the byte rates, request share and connection rates the brokers
 * allow a user, a client id, a user's client id, or an IP address. Read them with
 * DescribeClientQuotas, change them with AlterClientQuotas (one result per entity).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { KafkitError } from "../errors.ts";
import { errorForCode } from "../protocol/errors.ts";
import { AlterClientQuotas } from "../protocol/generated/alter_client_quotas.ts";
import { DescribeClientQuotas } from "../protocol/generated/describe_client_quotas.ts";
import type { Call } from "./_call.ts";
import type { ItemResult } from "./_results.ts";
import { listOf, nameOf, oneOf } from "../_validate.ts";

/** The kinds of entity a quota applies to. */
export type QuotaEntityType = "user" | "client-id" | "ip";

const ENTITY_TYPES: readonly QuotaEntityType[] = ["user", "client-id", "ip"];

/**
 * Who a quota applies to: a user, a client id, both (that user's client id), or an IP.
 * `null` names the default entity of that kind (the quota of every one without its own).
 */
export type QuotaEntity = { [K in QuotaEntityType]?: string | null };

/** Which entities of one kind `describeClientQuotas` matches. */
export interface QuotaFilterComponent {
  /** The kind of entity. */
  entityType: QuotaEntityType;
  /**
   * `"exact"`: the one named `name` (the default when `name` is given); `"default"`: the
   * default entity; `"any"`: any entity of this kind, default included.
   */
  match?: "exact" | "default" | "any";
  /** The entity's name, for an exact match. */
  name?: string;
}

/** Indexed by Kafka's match type code. */
const MATCH_TYPES = ["exact", "default", "any"] as const;

/** What `describeClientQuotas` looks for. */
export interface ClientQuotaFilter {
  /** Every component must match; an empty list matches every entity (unless `strict`). */
  components: readonly QuotaFilterComponent[];
  /** Only entities of exactly the components' kinds, no others (default false). */
  strict?: boolean;
}

/** One entity's quotas, as described. */
export interface ClientQuotaEntry {
  /** Who the quotas apply to. */
  entity: QuotaEntity;
  /** The quotas by key, such as `producer_byte_rate` or `request_percentage`. */
  values: Record<string, number>;
}

/** One quota change: a new value, or `null` to remove the quota. */
export interface ClientQuotaOp {
  /** The quota's key, such as `consumer_byte_rate`. */
  key: string;
  /** Its new value, or null to remove it. */
  value: number | null;
}

/** The changes to one entity's quotas. */
export interface ClientQuotaAlteration {
  /** Who the quotas apply to. */
  entity: QuotaEntity;
  /** The changes, applied together. */
  ops: readonly ClientQuotaOp[];
}

/** Options of `alterClientQuotas`. */
export interface AlterClientQuotasOptions {
  /** Only check the changes, apply nothing (default false). */
  validateOnly?: boolean;
}

/** The outcome for one entity of `alterClientQuotas`. */
export interface ClientQuotaAlterationResult extends ItemResult {
  /** The entity, as asked. */
  entity: QuotaEntity;
}

/** DescribeClientQuotas to any broker; a failure of the whole request throws. */
export async function describeClientQuotas(
  cluster: Cluster,
  filter: ClientQuotaFilter,
  call: Call,
): Promise<ClientQuotaEntry[]> {
  if (filter === null || typeof filter !== "object") {
    throw new TypeError("filter must be an object with components");
  }
  const components = listOf("filter.components", filter.components).map((c, i) =>
    componentOf(`filter.components[${i}]`, c)
  );
  const res = await cluster.request(DescribeClientQuotas, {
    components,
    strict: filter.strict ?? false,
  }, call.options);
  const err = errorForCode(res.errorCode, {
    api: "DescribeClientQuotas",
    brokerMessage: res.errorMessage,
  });
  if (err) throw err;
  return (res.entries ?? []).map((e) => ({
    entity: entityOfAnswer(e.entity),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

/** AlterClientQuotas to any broker (which forwards to the controller); one result per entity. */
export async function alterClientQuotas(
  cluster: Cluster,
  alterations: readonly ClientQuotaAlteration[],
  options: AlterClientQuotasOptions,
  call: Call,
): Promise<ClientQuotaAlterationResult[]> {
  const entries = listOf("alterations", alterations).map((a, i) => {
    const field = `alterations[${i}]`;
    if (a === null || typeof a !== "object") throw new TypeError(`${field} must be an object`);
    const entity = entityOf(`${field}.entity`, a.entity);
    const ops = listOf(`${field}.ops`, a.ops).map((o, j) => opOf(`${field}.ops[${j}]`, o));
    return { entity, ops };
  });
  const res = await cluster.request(AlterClientQuotas, {
    entries,
    validateOnly: options.validateOnly ?? false,
  }, call.options);
  const answers = new Map<string, (typeof res.entries)[number]>();
  for (const e of res.entries) answers.set(entityKey(e.entity), e);
  return entries.map((e): ClientQuotaAlterationResult => {
    const entity = entityOfAnswer(e.entity);
    const answer = answers.get(entityKey(e.entity));
    if (!answer) {
      return { entity, error: new KafkitError("AlterClientQuotas's answer left out this entity") };
    }
    const error = errorForCode(answer.errorCode, {
      api: "AlterClientQuotas",
      brokerMessage: answer.errorMessage,
    });
    return { entity, ...(error ? { error } : {}) };
  });
}

function entityOfAnswer(
  parts: readonly { entityType?: string; entityName?: string | null }[],
): QuotaEntity {
  return Object.fromEntries(parts.map((d) => [d.entityType, d.entityName ?? null]));
}

function componentOf(field: string, value: unknown) {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be an object`);
  }
  const c = value as QuotaFilterComponent;
  const entityType = oneOf(`${field}.entityType`, c.entityType, ENTITY_TYPES);
  const match = oneOf(`${field}.match`, c.match ?? "exact", MATCH_TYPES);
  if (match === "exact") {
    return { entityType, matchType: 0, match: nameOf(`${field}.name`, c.name) };
  }
  if (c.name !== undefined) {
    throw new TypeError(`${field}.name must be left out for match "${match}"`);
  }
  return { entityType, matchType: MATCH_TYPES.indexOf(match), match: null };
}

function entityOf(field: string, value: unknown) {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be an object`);
  }
  const entity = Object.entries(value as QuotaEntity).filter(([, name]) => name !== undefined);
  if (entity.length === 0) {
    throw new TypeError(`${field} must name at least one of ${ENTITY_TYPES.join(", ")}`);
  }
  return entity.map(([type, name]) => ({
    entityType: oneOf(`${field} key`, type, ENTITY_TYPES),
    entityName: name === null ? null : nameOf(`${field}["${type}"]`, name),
  }));
}

function opOf(field: string, value: unknown) {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be an object`);
  }
  const o = value as ClientQuotaOp;
  const key = nameOf(`${field}.key`, o.key);
  if (o.value === null) return { key, value: 0, remove: true };
  if (typeof o.value !== "number" || !Number.isFinite(o.value)) {
    throw new TypeError(`${field}.value must be a finite number, or null to remove the quota`);
  }
  return { key, value: o.value, remove: false };
}

/** An entity's identity whatever the order of its parts: answers are matched by it. */
function entityKey(entity: readonly { entityType?: string; entityName?: string | null }[]): string {
  return JSON.stringify(
    entity.map((d) => [d.entityType, d.entityName ?? null]).sort((a, b) =>
      String(a[0]).localeCompare(String(b[0]))
    ),
  );
}
