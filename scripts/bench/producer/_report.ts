// The producer benchmark's report: one markdown table row per run, kafkit's throughput as
// ratios to the peers' in the same configuration, and a summary of those ratios.

import type { RunResult } from "./_measure.ts";

/** The configuration a run measured. */
export interface Config {
  size: number;
  acks: 1 | -1;
  partitions: number;
}

/** One client's run in one configuration: its result, or why it has none. */
export interface Row {
  /** The client's key on the command line, e.g. "kafkit-bun", "kafkajs". */
  key: string;
  config: Config;
  result?: RunResult;
  error?: string;
}

/** The peers kafkit is compared with, by client key, in column order. */
export const PEERS: readonly { key: string; label: string }[] = [
  { key: "kafkajs", label: "kafkajs" },
  { key: "platformatic", label: "platformatic" },
  { key: "java", label: "java" },
];

/** Messages per second of a result. */
export const rate = (r: RunResult): number => r.messages / r.wallMs * 1000;

/** Client CPU µs per message of a result. */
export const cpuPerMessage = (r: RunResult): number => r.cpuMs * 1000 / r.messages;

const sameConfig = (a: Config, b: Config) =>
  a.size === b.size && a.acks === b.acks && a.partitions === b.partitions;

const acksText = (acks: number) => acks === -1 ? "all" : String(acks);

const sizeText = (size: number) => size % 1024 === 0 ? `${size / 1024} KiB` : `${size} B`;

const fixed = (n: number, digits: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A latency in ms, with the precision small values need. */
const ms = (n: number) => n < 10 ? fixed(n, 2) : n < 100 ? fixed(n, 1) : fixed(n, 0);

function peerResult(rows: Row[], peer: string, config: Config): RunResult | undefined {
  return rows.find((r) => r.key === peer && sameConfig(r.config, config))?.result;
}

/** The markdown table of every run. */
export function resultsTable(rows: Row[]): string {
  const head = [
    "client",
    "runtime",
    "size",
    "acks",
    "parts",
    "msgs/s",
    "MB/s",
    "CPU µs/msg",
    "p50 ms",
    "p99 ms",
    ...PEERS.map((p) => `×${p.label}`),
  ];
  const lines = [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => i < 5 ? "---" : "--:").join("|")}|`,
  ];
  for (const row of rows) {
    const { size, acks, partitions } = row.config;
    const r = row.result;
    const cells = [
      r?.client ?? row.key,
      r?.runtime ?? "",
      sizeText(size),
      acksText(acks),
      String(partitions),
    ];
    if (!r) {
      cells.push(`failed: ${(row.error ?? "?").split("\n")[0].slice(0, 120)}`);
      cells.push(...Array(4 + PEERS.length).fill(""));
    } else {
      const msgs = rate(r);
      cells.push(
        fixed(msgs, 0),
        fixed(msgs * size / 1e6, 1),
        fixed(cpuPerMessage(r), 2),
        ms(r.p50Ms),
        ms(r.p99Ms),
      );
      for (const peer of PEERS) {
        const p = row.key.startsWith("kafkit") ? peerResult(rows, peer.key, row.config) : undefined;
        cells.push(p ? `${fixed(msgs / rate(p), 2)}×` : "");
      }
    }
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

const geomean = (xs: number[]) =>
  xs.length === 0 ? NaN : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/**
 * Per kafkit runtime and peer, the geometric mean over the configurations of kafkit's msgs/s
 * ratio and CPU-per-message ratio (below 1 means kafkit uses less CPU).
 */
export function summaryTable(rows: Row[]): string {
  const kafkitKeys = [...new Set(rows.filter((r) => r.key.startsWith("kafkit")).map((r) => r.key))];
  if (kafkitKeys.length === 0) return "";
  const head = ["kafkit on", ...PEERS.flatMap((p) => [`msgs/s ×${p.label}`, `CPU ×${p.label}`])];
  const lines = [`| ${head.join(" | ")} |`, `|---|${PEERS.map(() => "--:|--:").join("|")}|`];
  for (const key of kafkitKeys) {
    const own = rows.filter((r) => r.key === key && r.result);
    const cells = [own[0]?.result?.runtime ?? key];
    for (const peer of PEERS) {
      const rates: number[] = [];
      const cpus: number[] = [];
      for (const row of own) {
        const p = peerResult(rows, peer.key, row.config);
        if (!p || !row.result) continue;
        rates.push(rate(row.result) / rate(p));
        cpus.push(cpuPerMessage(row.result) / cpuPerMessage(p));
      }
      cells.push(
        rates.length ? `${fixed(geomean(rates), 2)}×` : "",
        cpus.length ? `${fixed(geomean(cpus), 2)}×` : "",
      );
    }
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Each client's settings, once per distinct line, and how the driver fed the JS clients. */
export function settingsList(rows: Row[]): string {
  const seen = new Map<string, Set<string>>();
  const driver = new Map<number, Set<string>>();
  for (const row of rows) {
    const r = row.result;
    if (!r) continue;
    if (!seen.has(r.client)) seen.set(r.client, new Set());
    seen.get(r.client)!.add(r.settings);
    if (r.driver) {
      if (!driver.has(row.config.size)) driver.set(row.config.size, new Set());
      driver.get(row.config.size)!.add(
        `${r.driver.chunk} messages of ${sizeText(row.config.size)} per call, ` +
          `≤${r.driver.window} calls open`,
      );
    }
  }
  const lines: string[] = [];
  for (const [name, settings] of seen) {
    for (const s of settings) lines.push(`- **${name}**: ${s}`);
  }
  if (driver.size > 0) {
    lines.push(
      `- **JavaScript driver** (all three clients, send→ack per call): ${
        [...driver.values()].flatMap((s) => [...s]).join("; ")
      }`,
    );
  }
  return lines.join("\n");
}
