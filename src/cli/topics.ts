/**
 * `kafkit topics`: list, describe, create, delete, and show or alter configs.
 *
 * @module
 */

import type { Command, CommandGroup } from "./_command.ts";
import { intOption, keyValues, listOfValues, positionalsOf, UsageError } from "./_args.ts";
import {
  FORMAT_OPTION,
  formatOf,
  reportItems,
  table,
  throwIfAnyFailed,
  toJson,
} from "./_output.ts";

const list: Command = {
  name: "list",
  summary: "Topic names, one a line (Metadata).",
  usage: "[--internal]",
  options: {
    ...FORMAT_OPTION,
    internal: { type: "boolean", help: "include internal topics (__consumer_offsets, ...)" },
  },
  async run({ values }, ctx) {
    const topics = await (await ctx.admin()).listTopics({
      internal: values.internal === true,
      signal: ctx.signal,
    });
    if (formatOf(values) === "json") return ctx.out.line(toJson(topics));
    for (const t of topics) await ctx.out.line(t.topic);
  },
};

const describe: Command = {
  name: "describe",
  summary: "Each topic's id and partitions: leader, replicas, in-sync replicas (Metadata).",
  usage: "TOPIC...",
  options: { ...FORMAT_OPTION },
  async run(input, ctx) {
    const names = positionalsOf(input, "topic", "some");
    const topics = await (await ctx.admin()).describeTopics(names, { signal: ctx.signal });
    if (formatOf(input.values) === "json") await ctx.out.line(toJson(topics));
    else {
      const ok = topics.filter((t) => !t.error);
      if (ok.length === 0) return throwIfAnyFailed(topics, (t) => `topic ${t.topic}`);
      for (const t of ok) {
        await ctx.out.line(
          `Topic: ${t.topic}  TopicId: ${t.topicId}  PartitionCount: ${t.partitions.length}` +
            `  ReplicationFactor: ${t.partitions[0]?.replicas.length ?? 0}`,
        );
      }
      await ctx.out.write(table(
        ["TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR", "OFFLINE"],
        ok.flatMap((t) =>
          t.partitions.map((p) => [
            t.topic,
            p.id,
            p.leaderId,
            p.replicas.join(","),
            p.isr.join(","),
            p.offline.join(",") || null,
          ])
        ),
      ));
    }
    throwIfAnyFailed(topics, (t) => `topic ${t.topic}`);
  },
};

const create: Command = {
  name: "create",
  summary: "Creates topics (CreateTopics).",
  usage: "TOPIC... [--partitions N] [--replication-factor N] [--config NAME=VALUE...]",
  options: {
    partitions: { type: "string", short: "p", arg: "N", help: "partitions (default: broker's)" },
    "replication-factor": {
      type: "string",
      short: "r",
      arg: "N",
      help: "replicas of each partition (default: broker's)",
    },
    config: {
      type: "string",
      short: "c",
      multiple: true,
      arg: "NAME=VALUE",
      help: "a topic config",
    },
    "validate-only": { type: "boolean", help: "only check that the topics could be created" },
  },
  async run(input, ctx) {
    const names = positionalsOf(input, "topic", "some");
    const { values } = input;
    const numPartitions = intOption(values, "partitions", 1);
    const replicationFactor = intOption(values, "replication-factor", 1, 32767);
    const configEntries = keyValues("--config", listOfValues(values, "config"))
      .map(([configName, configValue]) => ({ configName, configValue }));
    const results = await (await ctx.admin()).createTopics(
      names.map((topic) => ({
        topic,
        ...(numPartitions !== undefined ? { numPartitions } : {}),
        ...(replicationFactor !== undefined ? { replicationFactor } : {}),
        configEntries,
      })),
      { validateOnly: values["validate-only"] === true, signal: ctx.signal },
    );
    const note = values["validate-only"] ? " [validate only]" : "";
    await reportItems(
      ctx.out,
      results,
      (r) =>
        `created ${r.topic} (${r.numPartitions} partitions, ` +
        `replication factor ${r.replicationFactor})${note}`,
      (r) => `topic ${r.topic}`,
    );
  },
};

const remove: Command = {
  name: "delete",
  summary: "Deletes topics (DeleteTopics).",
  usage: "TOPIC...",
  options: {},
  async run(input, ctx) {
    const names = positionalsOf(input, "topic", "some");
    const results = await (await ctx.admin()).deleteTopics(names, { signal: ctx.signal });
    await reportItems(
      ctx.out,
      results,
      (r) => `deleted ${r.topic}`,
      (r) => `topic ${r.topic ?? r.topicId}`,
    );
  },
};

const configs: Command = {
  name: "configs",
  summary: "A topic's configs that are not defaults, or --all (DescribeConfigs).",
  usage: "TOPIC [--all]",
  options: { ...FORMAT_OPTION, all: { type: "boolean", help: "every config, defaults too" } },
  async run(input, ctx) {
    const [topic] = positionalsOf(input, "topic", 1);
    const [r] = await (await ctx.admin()).describeConfigs([{ type: "topic", name: topic }], {
      signal: ctx.signal,
    });
    if (r.error) throw r.error;
    // By default the topic's own settings, as kafka-configs --describe shows them.
    const entries = r.entries.filter((e) =>
      input.values.all === true || e.source === "dynamic-topic"
    );
    if (formatOf(input.values) === "json") return ctx.out.line(toJson(entries));
    await ctx.out.write(table(
      ["NAME", "VALUE", "SOURCE"],
      entries.map((e) => [e.name, e.sensitive ? "(sensitive)" : e.value, e.source]),
    ));
  },
};

const alterConfigs: Command = {
  name: "alter-configs",
  summary: "Sets and deletes topic configs, leaving the others (IncrementalAlterConfigs).",
  usage: "TOPIC [--set NAME=VALUE...] [--delete NAME...]",
  options: {
    set: { type: "string", multiple: true, arg: "NAME=VALUE", help: "set a config" },
    delete: { type: "string", multiple: true, arg: "NAME", help: "back to the default" },
    "validate-only": { type: "boolean", help: "only check that the change is valid" },
  },
  async run(input, ctx) {
    const [topic] = positionalsOf(input, "topic", 1);
    const ops = [
      ...keyValues("--set", listOfValues(input.values, "set")).map(([name, value]) => ({
        name,
        op: "set" as const,
        value,
      })),
      ...listOfValues(input.values, "delete").map((name) => ({ name, op: "delete" as const })),
    ];
    if (ops.length === 0) throw new UsageError("give --set or --delete");
    const results = await (await ctx.admin()).incrementalAlterConfigs(
      [{ type: "topic", name: topic, ops }],
      { validateOnly: input.values["validate-only"] === true, signal: ctx.signal },
    );
    throwIfAnyFailed(results, (r) => `topic ${r.name}`);
    await ctx.out.line(`altered ${topic}: ${ops.map((o) => `${o.op} ${o.name}`).join(", ")}`);
  },
};

/** The `topics` command group. */
export const topicCommands: CommandGroup = {
  name: "topics",
  summary: "List, describe, create and delete topics; show and alter their configs.",
  commands: [list, describe, create, remove, configs, alterConfigs],
};
