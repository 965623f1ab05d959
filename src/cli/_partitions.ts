/**
 * The partitions a command works on: the topic's, or those `--partition` names (checked
 * against the topic before anything is read).
 *
 * @module
 */

import type { Client } from "../admin/client.ts";
import { intArg, listOfValues, UsageError, type Values } from "./_args.ts";

/** The `--partition` option of commands that take a topic. */
export const PARTITION_OPTION = {
  partition: {
    type: "string",
    short: "p",
    multiple: true,
    arg: "N",
    help: "only this partition (default: all)",
  },
} as const;

/** The topic's partition ids, or the `--partition` ones, sorted. */
export async function partitionsOf(
  admin: Client,
  topic: string,
  values: Values,
  signal: AbortSignal,
): Promise<number[]> {
  const [t] = await admin.describeTopics([topic], { signal });
  if (t.error) throw t.error;
  const all = t.partitions.map((p) => p.id).sort((a, b) => a - b);
  const chosen = listOfValues(values, "partition").map((p) =>
    intArg("--partition", p, 0, 2 ** 31 - 1)
  );
  for (const p of chosen) {
    if (!all.includes(p)) throw new UsageError(`topic ${topic} has no partition ${p}`);
  }
  return chosen.length > 0 ? [...new Set(chosen)].sort((a, b) => a - b) : all;
}
