// The consumer benchmark's report: one markdown table row per throughput run with kafkit's
// throughput as ratios to the peers' in the same configuration (the summary of those ratios is
// `../_report_table.ts`'s), and the end-to-end latency runs.

import {
  cpuPerMessage,
  failedCell,
  fixed,
  markdownTable,
  ms,
  peerHeads,
  peerRatioCells,
  PEERS,
  peersIn,
  rate,
  type RunRow,
  sizeText,
} from "../_report_table.ts";
import type { RunResult } from "./_measure.ts";

/** The configuration a throughput run measured. */
export interface Config {
  size: number;
  partitions: number;
  /** The codec the topic was seeded with ("none" for none). */
  compression: string;
}

/** One client's run in one configuration: its result, or why it has none. */
export type Row = RunRow<Config, RunResult>;

/** The markdown table of every throughput run. */
export function resultsTable(rows: Row[]): string {
  const head = [
    "client",
    "runtime",
    "size",
    "parts",
    "codec",
    "msgs/s",
    "MB/s",
    "CPU µs/msg",
    "GC µs/msg",
    "peak RSS MiB",
    "stall p99/max ms",
    "on-CPU p99/max ms",
    ...peerHeads(rows),
  ];
  const body = rows.map((row) => {
    const { size, partitions, compression } = row.config;
    const r = row.result;
    const cells = [
      clientLabel(row),
      r?.runtime ?? "",
      sizeText(size),
      String(partitions),
      compression,
    ];
    if (!r) return [...cells, failedCell(row.error), ...Array(6 + peersIn(rows).length).fill("")];
    return [
      ...cells,
      fixed(rate(r), 0),
      fixed(r.bytes / r.wallMs / 1000, 1),
      fixed(cpuPerMessage(r), 2),
      r.gcMs === undefined ? "" : fixed(r.gcMs * 1000 / r.messages, 2),
      r.peakRssMiB === undefined ? "" : fixed(r.peakRssMiB, 0),
      r.stallMaxMs === undefined ? "" : `${ms(r.stallP99Ms)} / ${ms(r.stallMaxMs)}`,
      r.stallOnCpuMaxMs === undefined ? "" : `${ms(r.stallOnCpuP99Ms)} / ${ms(r.stallOnCpuMaxMs)}`,
      ...peerRatioCells(rows, row),
    ];
  });
  return markdownTable(head, 5, body);
}

/** The client's name, with kafkit's way of reading where it is not the default. */
function clientLabel(row: Row): string {
  const variant = /^kafkit-\w+-(\w+)$/.exec(row.key)?.[1];
  const name = row.result?.client ?? row.key;
  return variant ? `${name} (${variant})` : name;
}

/** A run's event-loop stall maxima, wall clock and on-CPU ("12.3 / 8.10 ms on-CPU"). */
export const stallText = (r: RunResult): string =>
  `${ms(r.stallMaxMs)} / ${ms(r.stallOnCpuMaxMs)} ms on-CPU`;

/** One client's end-to-end latency run. */
export interface LatencyRow {
  key: string;
  result?: RunResult;
  error?: string;
}

/** The markdown table of the latency runs, with kafkit's p50/p99 over each peer's. */
export function latencyTable(rows: LatencyRow[]): string {
  const peers = PEERS.filter((p) => rows.some((r) => r.key === p.key && r.result));
  const head = [
    "client",
    "runtime",
    "measured",
    "p50 ms",
    "p99 ms",
    "max ms",
    ...peers.map((p) => `p50/p99 ×${p.label}`),
  ];
  const body = rows.map((row) => {
    const r = row.result;
    const cells = [r?.client ?? row.key, r?.runtime ?? ""];
    if (!r) return [...cells, failedCell(row.error), ...Array(3 + peers.length).fill("")];
    cells.push(r.messages.toLocaleString("en-US"), ms(r.p50Ms), ms(r.p99Ms), ms(r.maxMs));
    for (const peer of peers) {
      const p = row.key.startsWith("kafkit")
        ? rows.find((x) => x.key === peer.key)?.result
        : undefined;
      cells.push(p ? `${fixed(r.p50Ms! / p.p50Ms!, 2)}× / ${fixed(r.p99Ms! / p.p99Ms!, 2)}×` : "");
    }
    return cells;
  });
  return markdownTable(head, 2, body);
}
