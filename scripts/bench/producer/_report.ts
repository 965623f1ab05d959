// The producer benchmark's report: one markdown table row per run, with kafkit's throughput as
// ratios to the peers' in the same configuration (the summary is `../_report_table.ts`'s). The
// keys column appears when some configuration is keyed.

import {
  cpuPerMessage,
  failedCell,
  fixed,
  markdownTable,
  ms,
  peerHeads,
  peerRatioCells,
  peersIn,
  rate,
  type RunRow,
  settingsLines,
  sizeText,
} from "../_report_table.ts";
import type { RunResult } from "./_measure.ts";

/** The configuration a run measured. */
export interface Config {
  size: number;
  acks: 1 | -1;
  partitions: number;
  /** Distinct keys, used in turn; 0: no key. */
  keys: number;
}

/** One client's run in one configuration: its result, or why it has none. */
export type Row = RunRow<Config, RunResult>;

const acksText = (acks: number) => acks === -1 ? "all" : String(acks);

/** The keys of a configuration, for its table cell and progress label: "none", "1,000". */
export const keysText = (keys: number): string => keys === 0 ? "none" : fixed(keys, 0);

const anyKeyed = (rows: Row[]) => rows.some((row) => row.config.keys > 0);

/** The markdown table of every run. */
export function resultsTable(rows: Row[]): string {
  const keyed = anyKeyed(rows);
  const head = [
    "client",
    "runtime",
    "size",
    "acks",
    "parts",
    ...(keyed ? ["keys"] : []),
    "msgs/s",
    "MB/s",
    "CPU µs/msg",
    "p50 ms",
    "p99 ms",
    ...peerHeads(rows),
  ];
  const body = rows.map((row) => {
    const { size, acks, partitions, keys } = row.config;
    const r = row.result;
    const cells = [
      r?.client ?? row.key,
      r?.runtime ?? "",
      sizeText(size),
      acksText(acks),
      String(partitions),
      ...(keyed ? [keysText(keys)] : []),
    ];
    if (!r) return [...cells, failedCell(row.error), ...Array(4 + peersIn(rows).length).fill("")];
    const msgs = rate(r);
    return [
      ...cells,
      fixed(msgs, 0),
      fixed(msgs * size / 1e6, 1),
      fixed(cpuPerMessage(r), 2),
      ms(r.p50Ms),
      ms(r.p99Ms),
      ...peerRatioCells(rows, row),
    ];
  });
  return markdownTable(head, keyed ? 6 : 5, body);
}

/**
 * Each client's settings, once per distinct line, how the driver fed the JS clients, and, when
 * some configuration is keyed, its keys.
 */
export function settingsList(rows: Row[]): string {
  const driver = new Map<number, Set<string>>();
  for (const row of rows) {
    const r = row.result;
    if (!r?.driver) continue;
    if (!driver.has(row.config.size)) driver.set(row.config.size, new Set());
    driver.get(row.config.size)!.add(
      `${r.driver.chunk} messages of ${sizeText(row.config.size)} per call, ` +
        `≤${r.driver.window} calls open`,
    );
  }
  const lines = settingsLines(rows.map((row) => row.result));
  if (driver.size > 0) {
    lines.push(
      `- **JavaScript driver** (all three clients, send→ack per call): ${
        [...driver.values()].flatMap((s) => [...s]).join("; ")
      }`,
    );
  }
  if (anyKeyed(rows)) {
    const counts = [...new Set(rows.map((row) => row.config.keys).filter((k) => k > 0))];
    lines.push(
      `- **Keys** (keyed configurations): ${
        counts.map((k) => `${keysText(k)} keys`).join(", ")
      }, \`key-0\` … \`key-(N-1)\` as UTF-8 bytes, in turn from every run's first message ` +
        "(warm-up included), the same order for every client; each partitions by its default " +
        "keyed partitioner (see its line)",
    );
  }
  return lines.join("\n");
}
