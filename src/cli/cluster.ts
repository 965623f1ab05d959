/**
 * `kafkit cluster`: brokers, the controller, features and API versions.
 *
 * @module
 */

import { ALL_APIS } from "../protocol/generated/all.ts";
import { ApiVersions } from "../protocol/generated/api_versions.ts";
import { errorForCode } from "../protocol/errors.ts";
import { CLIENT_SOFTWARE } from "../version.ts";
import type { Command, CommandGroup } from "./_command.ts";
import { FORMAT_OPTION, formatOf, table, toJson } from "./_output.ts";

const brokers: Command = {
  name: "brokers",
  summary: "The cluster id and its brokers (DescribeCluster); * marks the controller.",
  usage: "[--fenced]",
  options: { ...FORMAT_OPTION, fenced: { type: "boolean", help: "include fenced brokers" } },
  async run({ values }, ctx) {
    const admin = await ctx.admin();
    const c = await admin.describeCluster({
      includeFencedBrokers: values.fenced === true,
      signal: ctx.signal,
    });
    if (formatOf(values) === "json") return ctx.out.line(toJson(c));
    await ctx.out.line(`Cluster id: ${c.clusterId}`);
    await ctx.out.write(table(
      ["ID", "HOST", "PORT", "RACK", "FENCED"],
      c.brokers.map((b) => [
        `${b.nodeId}${b.nodeId === c.controllerId ? "*" : ""}`,
        b.host,
        b.port,
        b.rack,
        b.fenced ? "yes" : "no",
      ]),
    ));
  },
};

const controller: Command = {
  name: "controller",
  summary: "The controller's node id, as brokers report it (DescribeCluster).",
  usage: "",
  options: { ...FORMAT_OPTION },
  async run({ values }, ctx) {
    const c = await (await ctx.admin()).describeCluster({ signal: ctx.signal });
    const b = c.brokers.find((b) => b.nodeId === c.controllerId);
    const controller = { nodeId: c.controllerId, host: b?.host ?? null, port: b?.port ?? null };
    if (formatOf(values) === "json") return ctx.out.line(toJson(controller));
    await ctx.out.line(
      b ? `${c.controllerId} (${b.host}:${b.port})` : String(c.controllerId),
    );
  },
};

const features: Command = {
  name: "features",
  summary: "Finalized feature levels and the ranges the broker supports (ApiVersions).",
  usage: "",
  options: { ...FORMAT_OPTION },
  async run({ values }, ctx) {
    const f = await (await ctx.admin()).describeFeatures({ signal: ctx.signal });
    if (formatOf(values) === "json") return ctx.out.line(toJson(f));
    const finalized = new Map(f.finalizedFeatures.map((x) => [x.name, x.maxVersionLevel]));
    await ctx.out.write(table(
      ["FEATURE", "FINALIZED", "SUPPORTED-MIN", "SUPPORTED-MAX"],
      f.supportedFeatures.map((
        s,
      ) => [s.name, finalized.get(s.name) ?? null, s.minVersion, s.maxVersion]),
    ));
  },
};

const NAMES = new Map(ALL_APIS.map((a) => [a.key, a.name]));

const apiVersions: Command = {
  name: "api-versions",
  summary: "The version range of each API a broker supports (ApiVersions to any broker).",
  usage: "",
  options: { ...FORMAT_OPTION },
  async run({ values }, ctx) {
    const res = await (await ctx.admin()).request(ApiVersions, { ...CLIENT_SOFTWARE }, {
      signal: ctx.signal,
    });
    const error = errorForCode(res.errorCode, { api: "ApiVersions" });
    if (error) throw error;
    const apis = res.apiKeys.map((k) => ({
      api: NAMES.get(k.apiKey) ?? `unknown(${k.apiKey})`,
      key: k.apiKey,
      minVersion: k.minVersion,
      maxVersion: k.maxVersion,
    }));
    if (formatOf(values) === "json") return ctx.out.line(toJson(apis));
    await ctx.out.write(
      table(
        ["API", "KEY", "MIN", "MAX"],
        apis.map((a) => [a.api, a.key, a.minVersion, a.maxVersion]),
      ),
    );
  },
};

/** The `cluster` command group. */
export const clusterCommands: CommandGroup = {
  name: "cluster",
  summary: "What the cluster is: brokers, controller, features, API versions.",
  commands: [brokers, controller, features, apiVersions],
};
