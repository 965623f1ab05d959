/**
 * `kafkit offsets`: each partition's earliest or latest offset, or the first at a time
 * (ListOffsets).
 *
 * @module
 */

import type { OffsetSpec } from "../admin/records.ts";
import type { Command } from "./_command.ts";
import { positionalsOf, stringOf, timeArg } from "./_args.ts";
import { FORMAT_OPTION, formatOf, table, throwIfAnyFailed, toJson } from "./_output.ts";
import { PARTITION_OPTION, partitionsOf } from "./_partitions.ts";

/** `--at`: earliest, latest, max-timestamp, or a time. */
function specOf(at: string | undefined): OffsetSpec {
  if (at === undefined || at === "latest") return "latest";
  if (at === "earliest" || at === "max-timestamp") return at;
  return { timestamp: timeArg("--at", at) };
}

/** The `offsets` command. */
export const offsetsCommand: Command = {
  name: "offsets",
  summary: "Each partition's offset at the log start, the end (default) or a time " +
    "(ListOffsets); -1 where no record is at or after the time.",
  usage: "TOPIC [--at earliest|latest|max-timestamp|TIME] [--partition N...]",
  options: {
    ...FORMAT_OPTION,
    ...PARTITION_OPTION,
    at: {
      type: "string",
      arg: "WHERE",
      help: "earliest, latest (default), max-timestamp, or a time (epoch ms or ISO 8601)",
    },
  },
  async run(input, ctx) {
    const [topic] = positionalsOf(input, "topic", 1);
    const spec = specOf(stringOf(input.values, "at"));
    const admin = await ctx.admin();
    const partitions = await partitionsOf(admin, topic, input.values, ctx.signal);
    const results = await admin.listOffsets(
      partitions.map((partition) => ({ topic, partition, spec })),
      { signal: ctx.signal },
    );
    if (formatOf(input.values) === "json") await ctx.out.line(toJson(results));
    else {
      await ctx.out.write(table(
        ["TOPIC", "PARTITION", "OFFSET", "TIMESTAMP"],
        results.filter((r) => !r.error).map((r) => [
          r.topic,
          r.partition,
          r.offset,
          r.timestamp < 0 ? null : r.timestamp,
        ]),
      ));
    }
    throwIfAnyFailed(results, (r) => `${r.topic}/${r.partition}`);
  },
};
