/**
 * Configs of topics, brokers, broker loggers, groups and client-metrics subscriptions:
 * describe them (DescribeConfigs), change some keys (IncrementalAlterConfigs) or replace the
 * whole set (the legacy AlterConfigs).
 *
 * A broker's own configs, and its loggers, live on that broker: they are asked of it (route
 * `{ to: "node" }`); every other resource goes to any broker. Each resource gets its own
 * result: a missing topic or an unknown config name fails that resource only.
 *
 * @module
 */

import type { Cluster, Route } from "../cluster/cluster.ts";
import { KafkitError } from "../errors.ts";
import { errorForCode, type KafkaError } from "../protocol/errors.ts";
import { AlterConfigs } from "../protocol/generated/alter_configs.ts";
import { DescribeConfigs } from "../protocol/generated/describe_configs.ts";
import { IncrementalAlterConfigs } from "../protocol/generated/incremental_alter_configs.ts";
import { brokerIds, notInCluster } from "./_brokers.ts";
import type { Call } from "./_call.ts";
import type { ItemResult } from "./_results.ts";
import { listOf, nameOf, oneOf } from "../_validate.ts";

/** What a config belongs to. */
export type ConfigResourceType = "topic" | "broker" | "broker-logger" | "client-metrics" | "group";

/** Kafka's resource type codes (ConfigResource.Type). */
const RESOURCE_TYPE_CODES: Readonly<Record<ConfigResourceType, number>> = {
  topic: 2,
  broker: 4,
  "broker-logger": 8,
  "client-metrics": 16,
  group: 32,
};

const RESOURCE_TYPES = Object.keys(RESOURCE_TYPE_CODES) as ConfigResourceType[];

/**
 * Where a config value comes from, most specific first: a topic's, a broker's or the
 * cluster-wide dynamic value, the broker's properties file, or Kafka's default.
 */
export type ConfigSource =
  | "unknown"
  | "dynamic-topic"
  | "dynamic-broker"
  | "dynamic-default-broker"
  | "static-broker"
  | "default"
  | "dynamic-broker-logger"
  | "client-metrics"
  | "group";

/** Indexed by Kafka's ConfigSource code. */
const SOURCES: readonly ConfigSource[] = [
  "unknown",
  "dynamic-topic",
  "dynamic-broker",
  "dynamic-default-broker",
  "static-broker",
  "default",
  "dynamic-broker-logger",
  "client-metrics",
  "group",
];

/** The name of a ConfigSource code (CreateTopics and DescribeConfigs answers carry codes). */
export const configSourceOf = (code: number): ConfigSource => SOURCES[code] ?? "unknown";

/** A config's value type, as the broker declares it (DescribeConfigs v3+). */
export type ConfigType =
  | "unknown"
  | "boolean"
  | "string"
  | "int"
  | "short"
  | "long"
  | "double"
  | "list"
  | "class"
  | "password";

/** Indexed by Kafka's ConfigType code. */
const TYPES: readonly ConfigType[] = [
  "unknown",
  "boolean",
  "string",
  "int",
  "short",
  "long",
  "double",
  "list",
  "class",
  "password",
];

/** One resource whose configs to describe. */
export interface ConfigResource {
  /** What kind of resource. */
  type: ConfigResourceType;
  /**
   * Its name: the topic, group or client-metrics subscription; a broker's (or its
   * loggers') node id as a string; `""` for the cluster-wide broker defaults.
   */
  name: string;
  /** Only these keys (default: every config of the resource). */
  keys?: readonly string[];
}

/** Options of `describeConfigs`. */
export interface DescribeConfigsOptions {
  /** List each config's synonyms: the values it would fall back to, in order (default false). */
  includeSynonyms?: boolean;
  /** Include each config's documentation (DescribeConfigs v3+, default false). */
  includeDocumentation?: boolean;
}

/** A value a config falls back to, and where it is set. */
export interface ConfigSynonym {
  /** The synonym's name (a broker setting may back a topic config under another name). */
  name: string;
  /** Its value (null when sensitive). */
  value: string | null;
  /** Where it is set. */
  source: ConfigSource;
}

/** One config of a described resource. */
export interface ConfigEntry {
  /** The config's name. */
  name: string;
  /** Its value; null when sensitive (passwords) or unset. */
  value: string | null;
  /** Where the value comes from. */
  source: ConfigSource;
  /** Whether it cannot be changed dynamically. */
  readOnly: boolean;
  /** Whether the value is secret (then `value` is null). */
  sensitive: boolean;
  /** The values it falls back to, when asked for with `includeSynonyms` (else empty). */
  synonyms: ConfigSynonym[];
  /** Its value type ("unknown" before DescribeConfigs v3). */
  type: ConfigType;
  /** Its documentation, when asked for with `includeDocumentation` (else null). */
  documentation: string | null;
}

/** The configs of one resource of `describeConfigs` (`error` when it failed). */
export interface ConfigResourceDescription extends ItemResult {
  /** The resource's type, as asked. */
  type: ConfigResourceType;
  /** The resource's name, as asked. */
  name: string;
  /** Its configs (empty when it failed). */
  entries: ConfigEntry[];
}

/** How `incrementalAlterConfigs` changes one key. */
export type ConfigOperation = "set" | "delete" | "append" | "subtract";

/** Indexed by Kafka's OpType code. */
const OPERATIONS: readonly ConfigOperation[] = ["set", "delete", "append", "subtract"];

/** One change of `incrementalAlterConfigs`. */
export interface ConfigOp {
  /** The config's name. */
  name: string;
  /**
   * `set` a value, `delete` it (back to the fallback), or `append` / `subtract` an item of a
   * list config (such as `cleanup.policy`).
   */
  op: ConfigOperation;
  /** The value to set, append or subtract; none for `delete`. */
  value?: string | null;
}

/** The changes of one resource in `incrementalAlterConfigs`. */
export interface IncrementalConfigAlteration {
  /** What kind of resource. */
  type: ConfigResourceType;
  /** Its name (see {@linkcode ConfigResource.name}). */
  name: string;
  /** The changes, applied together. */
  ops: readonly ConfigOp[];
}

/** One resource's new configs in the legacy `alterConfigs`. */
export interface ConfigReplacement {
  /** What kind of resource. */
  type: ConfigResourceType;
  /** Its name (see {@linkcode ConfigResource.name}). */
  name: string;
  /** Every dynamic config the resource keeps: the ones left out go back to their fallbacks. */
  configs: readonly { name: string; value: string }[];
}

/** Options of `incrementalAlterConfigs` and `alterConfigs`. */
export interface AlterConfigsOptions {
  /** Only check the changes, apply nothing (default false). */
  validateOnly?: boolean;
}

/** The outcome for one resource of `incrementalAlterConfigs` or `alterConfigs`. */
export interface ConfigAlterationResult extends ItemResult {
  /** The resource's type, as asked. */
  type: ConfigResourceType;
  /** The resource's name, as asked. */
  name: string;
}

/** A checked resource: its type code, and where its request goes. */
interface Target {
  type: ConfigResourceType;
  name: string;
  code: number;
  route: Route;
}

/** DescribeConfigs, one request per broker that must answer. */
export async function describeConfigs(
  cluster: Cluster,
  resources: readonly ConfigResource[],
  options: DescribeConfigsOptions,
  call: Call,
): Promise<ConfigResourceDescription[]> {
  const items = listOf("resources", resources).map((r, i) => {
    const field = `resources[${i}]`;
    const target = targetOf(field, r);
    const keys = r.keys === undefined || r.keys === null
      ? null
      : listOf(`${field}.keys`, r.keys).map((k, j) => nameOf(`${field}.keys[${j}]`, k));
    return { ...target, keys };
  });
  const api = DescribeConfigs.name;
  const failed = (r: Target, error: Error) => ({ type: r.type, name: r.name, entries: [], error });
  return await sendByRoute(
    cluster,
    api,
    items,
    call,
    async (batch, route) =>
      (await cluster.request(DescribeConfigs, {
        resources: batch.map((r) => ({
          resourceType: r.code,
          resourceName: r.name,
          configurationKeys: r.keys,
        })),
        includeSynonyms: options.includeSynonyms ?? false,
        includeDocumentation: options.includeDocumentation ?? false,
      }, { route, ...call.options })).results,
    (r, answer): ConfigResourceDescription => {
      const error = resourceError(api, r, answer);
      if (error) return failed(r, error);
      return {
        type: r.type,
        name: r.name,
        entries: answer.configs.map((c) => ({
          name: c.name,
          value: c.value,
          source: configSourceOf(c.configSource),
          readOnly: c.readOnly,
          sensitive: c.isSensitive,
          synonyms: c.synonyms.map((s) => ({
            name: s.name,
            value: s.value,
            source: configSourceOf(s.source),
          })),
          type: TYPES[c.configType] ?? "unknown",
          documentation: c.documentation ?? null,
        })),
      };
    },
    failed,
  );
}

/** IncrementalAlterConfigs, one request per broker that must answer. */
export async function incrementalAlterConfigs(
  cluster: Cluster,
  alterations: readonly IncrementalConfigAlteration[],
  options: AlterConfigsOptions,
  call: Call,
): Promise<ConfigAlterationResult[]> {
  const items = listOf("alterations", alterations).map((a, i) => {
    const field = `alterations[${i}]`;
    const target = targetOf(field, a);
    const ops = listOf(`${field}.ops`, a.ops).map((o, j) => opOf(`${field}.ops[${j}]`, o));
    return { ...target, ops };
  });
  const api = IncrementalAlterConfigs.name;
  return await sendByRoute(
    cluster,
    api,
    items,
    call,
    async (batch, route) =>
      (await cluster.request(IncrementalAlterConfigs, {
        resources: batch.map((r) => ({
          resourceType: r.code,
          resourceName: r.name,
          configs: r.ops,
        })),
        validateOnly: options.validateOnly ?? false,
      }, { route, ...call.options })).responses,
    (r, answer) => alterationResult(r, resourceError(api, r, answer)),
    alterationResult,
  );
}

/** AlterConfigs (whole-set replace), one request per broker that must answer. */
export async function alterConfigs(
  cluster: Cluster,
  replacements: readonly ConfigReplacement[],
  options: AlterConfigsOptions,
  call: Call,
): Promise<ConfigAlterationResult[]> {
  const items = listOf("replacements", replacements).map((a, i) => {
    const field = `replacements[${i}]`;
    const target = targetOf(field, a);
    const configs = listOf(`${field}.configs`, a.configs).map((c, j) => {
      const at = `${field}.configs[${j}]`;
      if (c === null || typeof c !== "object") throw new TypeError(`${at} must be an object`);
      const name = nameOf(`${at}.name`, c.name);
      if (typeof c.value !== "string") throw new TypeError(`${at}.value must be a string`);
      return { name, value: c.value };
    });
    return { ...target, configs };
  });
  const api = AlterConfigs.name;
  return await sendByRoute(
    cluster,
    api,
    items,
    call,
    async (batch, route) =>
      (await cluster.request(AlterConfigs, {
        resources: batch.map((r) => ({
          resourceType: r.code,
          resourceName: r.name,
          configs: r.configs,
        })),
        validateOnly: options.validateOnly ?? false,
      }, { route, ...call.options })).responses,
    (r, answer) => alterationResult(r, resourceError(api, r, answer)),
    alterationResult,
  );
}

function alterationResult(r: Target, error: Error | undefined): ConfigAlterationResult {
  return { type: r.type, name: r.name, ...(error ? { error } : {}) };
}

/** Checks a resource's type and name and picks the broker that must answer for it. */
function targetOf(field: string, value: unknown): Target {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be an object`);
  }
  const r = value as { type: unknown; name: unknown };
  const type = oneOf(`${field}.type`, r.type, RESOURCE_TYPES);
  const code = RESOURCE_TYPE_CODES[type];
  if (type === "broker" || type === "broker-logger") {
    // "" is the cluster-wide default of broker configs; loggers exist per broker only.
    if (type === "broker" && r.name === "") return { type, name: "", code, route: { to: "any" } };
    if (typeof r.name !== "string" || !/^(0|[1-9][0-9]{0,9})$/.test(r.name)) {
      throw new TypeError(
        `${field}.name must be a broker's node id as a string${
          type === "broker" ? ' (or "" for the cluster default)' : ""
        }, got ${JSON.stringify(r.name)}`,
      );
    }
    return { type, name: r.name, code, route: { to: "node", nodeId: Number(r.name) } };
  }
  return { type, name: nameOf(`${field}.name`, r.name), code, route: { to: "any" } };
}

function opOf(field: string, value: unknown) {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be an object`);
  }
  const o = value as ConfigOp;
  const name = nameOf(`${field}.name`, o.name);
  const op = oneOf(`${field}.op`, o.op, OPERATIONS);
  if (op === "delete") {
    if (o.value !== undefined && o.value !== null) {
      throw new TypeError(`${field}.value must be left out for "delete"`);
    }
    return { name, configOperation: OPERATIONS.indexOf(op), value: null };
  }
  if (typeof o.value !== "string") {
    throw new TypeError(`${field}.value must be a string for "${op}", got ${typeof o.value}`);
  }
  return { name, configOperation: OPERATIONS.indexOf(op), value: o.value };
}

/** A resource's error code as a KafkaError naming the resource, with the broker's message. */
function resourceError(api: string, r: Target, answer: ResourceAnswer): KafkaError | undefined {
  const context = r.type === "topic"
    ? { topic: r.name }
    : r.type === "group"
    ? { groupId: r.name }
    : r.route.to === "node"
    ? { nodeId: r.route.nodeId }
    : {};
  return errorForCode(answer.errorCode, { api, brokerMessage: answer.errorMessage, ...context });
}

/** What an answer says about one resource. */
interface ResourceAnswer {
  resourceType: number;
  resourceName: string;
  errorCode: number;
  errorMessage: string | null;
}

/**
 * Sends the items in one request per route, all at once, and returns one result per item in
 * input order, matching answers to items by type and name. A route that fails (a broker
 * that cannot be reached, or is not in the cluster) fails its own items only; a cancelled
 * call throws.
 */
async function sendByRoute<I extends Target, A extends ResourceAnswer, R>(
  cluster: Cluster,
  api: string,
  items: readonly I[],
  call: Call,
  send: (batch: I[], route: Route) => Promise<readonly A[]>,
  toResult: (item: I, answer: A) => R,
  failed: (item: I, error: Error) => R,
): Promise<R[]> {
  const batches = new Map<string, { route: Route; batch: I[] }>();
  for (const item of items) {
    const key = item.route.to === "node" ? `node:${item.route.nodeId}` : "any";
    const entry = batches.get(key) ?? { route: item.route, batch: [] };
    entry.batch.push(item);
    batches.set(key, entry);
  }
  const known = await knownNodes(cluster, [...batches.values()].map((b) => b.route), call);
  const results = new Map<I, R>();
  await Promise.all([...batches.values()].map(async ({ route, batch }) => {
    try {
      if (route.to === "node" && !known.has(route.nodeId)) {
        throw notInCluster(api, route.nodeId);
      }
      const answers = matchAnswers(batch, await send(batch, route));
      batch.forEach((item, k) => {
        const answer = answers[k];
        results.set(
          item,
          answer ? toResult(item, answer) : failed(
            item,
            new KafkitError(`${api}'s answer left out ${item.type} ${JSON.stringify(item.name)}`),
          ),
        );
      });
    } catch (e) {
      if (call.signal.aborted || e instanceof TypeError || e instanceof RangeError) throw e;
      for (const item of batch) results.set(item, failed(item, e as Error));
    }
  }));
  return items.map((item) => results.get(item)!);
}

/** The node ids in the metadata, refreshed once when a route names one it lacks. */
async function knownNodes(
  cluster: Cluster,
  routes: readonly Route[],
  call: Call,
): Promise<Set<number>> {
  const known = new Set(cluster.brokers.map((b) => b.nodeId));
  const wanted = routes.flatMap((r) => r.to === "node" ? [r.nodeId] : []);
  return wanted.some((id) => !known.has(id)) ? await brokerIds(cluster, call) : known;
}

/** Each asked resource's answer, matched by type and name (one asked twice takes them in turn). */
function matchAnswers<A extends ResourceAnswer>(
  asked: readonly Target[],
  answers: readonly A[],
): (A | undefined)[] {
  const pending = new Map<string, A[]>();
  for (const a of answers) {
    const key = `${a.resourceType}:${a.resourceName}`;
    pending.set(key, [...pending.get(key) ?? [], a]);
  }
  return asked.map((r) => pending.get(`${r.code}:${r.name}`)?.shift());
}
