// The Java ConsumerGroupCommand (kafka-consumer-groups.sh) as the reference for what a
// group's offsets and lag are: its --describe table, read into rows.

import { javaTool } from "./_java.ts";

/** One row of `--describe`: "-" columns are null. */
export interface DescribedPartition {
  topic: string;
  partition: number;
  current: number | null;
  logEnd: number | null;
  lag: number | null;
  consumerId: string | null;
}

const number = (field: string | undefined) =>
  field === undefined || field === "-" ? null : Number(field);

/**
 * The rows of `kafka-consumer-groups --describe --group <groupId>` (members without
 * partitions left out), keyed "topic:partition". Columns are found by the header's names.
 */
export async function describeGroupWithJava(
  bootstrap: string,
  groupId: string,
): Promise<Map<string, DescribedPartition>> {
  const out = await javaTool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", [
    "--bootstrap-server",
    bootstrap,
    "--describe",
    "--group",
    groupId,
  ]);
  const lines = out.split("\n").map((l) => l.trim().split(/\s+/));
  const header = lines.findIndex((f) => f[0] === "GROUP" && f.includes("CURRENT-OFFSET"));
  if (header < 0) throw new Error(`no --describe table in:\n${out}`);
  const col = (name: string) => lines[header].indexOf(name);
  const rows = new Map<string, DescribedPartition>();
  for (const f of lines.slice(header + 1)) {
    if (f[0] !== groupId || f[col("PARTITION")] === "-") continue;
    const row = {
      topic: f[col("TOPIC")],
      partition: Number(f[col("PARTITION")]),
      current: number(f[col("CURRENT-OFFSET")]),
      logEnd: number(f[col("LOG-END-OFFSET")]),
      lag: number(f[col("LAG")]),
      consumerId: f[col("CONSUMER-ID")] === "-" ? null : f[col("CONSUMER-ID")],
    };
    rows.set(`${row.topic}:${row.partition}`, row);
  }
  return rows;
}
