/**
 * `kafkit groups`: list, describe with lag (as `kafka-consumer-groups --describe`), reset
 * offsets (dry run unless `--execute`, as the Java tool) and delete.
 *
 * @module
 */

import type { ResetTarget } from "../admin/group_reset.ts";
import type { GroupType } from "../admin/groups.ts";
import type { Command, CommandGroup } from "./_command.ts";
import {
  intArg,
  listOfValues,
  positionalsOf,
  stringOf,
  timeArg,
  UsageError,
  type Values,
} from "./_args.ts";
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
  summary: "Every group of the cluster (ListGroups to each broker).",
  usage: "[--state STATE...] [--type TYPE...]",
  options: {
    ...FORMAT_OPTION,
    state: { type: "string", multiple: true, arg: "STATE", help: "only groups in this state" },
    type: {
      type: "string",
      multiple: true,
      arg: "TYPE",
      help: "only groups of this type: classic, consumer, share, streams",
    },
  },
  async run({ values }, ctx) {
    const groups = await (await ctx.admin()).listGroups({
      states: listOfValues(values, "state"),
      types: listOfValues(values, "type") as GroupType[],
      signal: ctx.signal,
    });
    groups.sort((a, b) => a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0);
    if (formatOf(values) === "json") return ctx.out.line(toJson(groups));
    await ctx.out.write(
      table(["GROUP", "STATE", "TYPE"], groups.map((g) => [g.groupId, g.state, g.type])),
    );
  },
};

const describe: Command = {
  name: "describe",
  summary: "Each group's committed offsets, log ends, lag and owners; or its members.",
  usage: "GROUP... [--members]",
  options: {
    ...FORMAT_OPTION,
    members: { type: "boolean", help: "the members and their assignments instead of lag" },
  },
  async run(input, ctx) {
    const ids = positionalsOf(input, "group", "some");
    const admin = await ctx.admin();
    const json = formatOf(input.values) === "json";
    if (input.values.members === true) {
      const groups = await admin.describeGroups(ids, { signal: ctx.signal });
      if (json) await ctx.out.line(toJson(groups));
      else {
        await ctx.out.write(table(
          ["GROUP", "STATE", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"],
          groups.filter((g) => !g.error).flatMap((g): (string | number | null)[][] =>
            g.members.length === 0
              ? [[g.groupId, g.state, null, null, null, null]]
              : g.members.map((m) => [
                g.groupId,
                g.state,
                m.memberId,
                m.host,
                m.clientId,
                m.assignment.reduce((n, t) => n + t.partitions.length, 0),
              ])
          ),
        ));
      }
      return throwIfAnyFailed(groups, (g) => `group ${g.groupId}`);
    }
    const lags = await admin.groupLag(ids, { signal: ctx.signal });
    if (json) await ctx.out.line(toJson(lags));
    else {
      await ctx.out.write(table(
        [
          "GROUP",
          "TOPIC",
          "PARTITION",
          "CURRENT-OFFSET",
          "LOG-END-OFFSET",
          "LAG",
          "CONSUMER-ID",
          "HOST",
          "CLIENT-ID",
        ],
        lags.filter((g) => !g.error).flatMap((g) =>
          g.partitions.map((p) => [
            g.groupId,
            p.topic,
            p.partition,
            p.committed < 0 ? null : p.committed,
            p.logEnd < 0 ? null : p.logEnd,
            p.lag,
            p.memberId,
            p.host,
            p.clientId,
          ])
        ),
      ));
    }
    throwIfAnyFailed(lags, (g) => `group ${g.groupId}`);
  },
};

/** The one `--to-*`/`--shift-by` target given. */
function targetOf(values: Values): ResetTarget {
  const targets: ResetTarget[] = [];
  if (values["to-earliest"] === true) targets.push("earliest");
  if (values["to-latest"] === true) targets.push("latest");
  const offset = stringOf(values, "to-offset");
  if (offset !== undefined) {
    targets.push({ offset: intArg("--to-offset", offset, 0, Number.MAX_SAFE_INTEGER) });
  }
  const time = stringOf(values, "to-datetime");
  if (time !== undefined) targets.push({ timestamp: timeArg("--to-datetime", time) });
  const shift = stringOf(values, "shift-by");
  if (shift !== undefined) {
    targets.push({
      shiftBy: intArg("--shift-by", shift, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    });
  }
  if (targets.length !== 1) {
    throw new UsageError(
      "give one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by",
    );
  }
  return targets[0];
}

const resetOffsets: Command = {
  name: "reset-offsets",
  summary: "Moves a group's committed offsets (the group must have no members). " +
    "Prints the plan; commits it only with --execute.",
  usage: "GROUP (--topic TOPIC... | --all-topics) (--to-earliest | --to-latest | " +
    "--to-offset N | --to-datetime TIME | --shift-by N) [--execute]",
  options: {
    ...FORMAT_OPTION,
    topic: {
      type: "string",
      short: "t",
      multiple: true,
      arg: "TOPIC",
      help: "every partition of it",
    },
    "all-topics": { type: "boolean", help: "every partition the group has an offset for" },
    "to-earliest": { type: "boolean", help: "to the log start" },
    "to-latest": { type: "boolean", help: "to the log end" },
    "to-offset": { type: "string", arg: "N", help: "to this offset (clamped into the log)" },
    "to-datetime": {
      type: "string",
      arg: "TIME",
      help: "to the first record at or after TIME (epoch ms or ISO 8601)",
    },
    "shift-by": { type: "string", arg: "N", help: "by N from the committed offset (N < 0 back)" },
    execute: { type: "boolean", help: "commit the new offsets (default: only show them)" },
  },
  async run(input, ctx) {
    const [groupId] = positionalsOf(input, "group", 1);
    const { values } = input;
    const topics = listOfValues(values, "topic");
    const allTopics = values["all-topics"] === true;
    if ((topics.length > 0) === allTopics) throw new UsageError("give --topic or --all-topics");
    const to = targetOf(values);
    const dryRun = values.execute !== true;
    const moved = await (await ctx.admin()).resetOffsets(groupId, {
      ...(allTopics ? { allTopics } : { topics }),
      to,
      dryRun,
      signal: ctx.signal,
    });
    if (formatOf(values) === "json") await ctx.out.line(toJson(moved));
    else {
      await ctx.out.write(table(
        ["GROUP", "TOPIC", "PARTITION", "PREVIOUS-OFFSET", "NEW-OFFSET"],
        moved.filter((m) => !m.error).map((m) => [
          groupId,
          m.topic,
          m.partition,
          m.previous < 0 ? null : m.previous,
          m.offset,
        ]),
      ));
      if (dryRun) await ctx.out.line("(dry run: nothing committed; add --execute to commit)");
    }
    throwIfAnyFailed(moved, (m) => `${m.topic}/${m.partition}`);
  },
};

const remove: Command = {
  name: "delete",
  summary: "Deletes groups and their offsets (DeleteGroups); a group with members is refused.",
  usage: "GROUP...",
  options: {},
  async run(input, ctx) {
    const ids = positionalsOf(input, "group", "some");
    const results = await (await ctx.admin()).deleteGroups(ids, { signal: ctx.signal });
    await reportItems(ctx.out, results, (r) => `deleted ${r.groupId}`, (r) => `group ${r.groupId}`);
  },
};

/** The `groups` command group. */
export const groupCommands: CommandGroup = {
  name: "groups",
  summary: "List, describe (with lag), reset the offsets of and delete consumer groups.",
  commands: [list, describe, resetOffsets, remove],
};
