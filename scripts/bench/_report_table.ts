// What the benchmarks' markdown reports share: number and size formats, tables, kafkit's
// throughput as ratios to the peers' in the same configuration, and a summary of those ratios.

/** The part of a client's result that every report reads. */
export interface Measured {
  client: string;
  /** e.g. "node 24.21.0". */
  runtime: string;
  messages: number;
  /** The measured window, ms. */
  wallMs: number;
  /** User + system CPU of the client process over the window, ms. */
  cpuMs: number;
  /** The client settings, as one line for the report. */
  settings: string;
}

/** One client's run in one configuration (a flat record of numbers): its result, or why none. */
export interface RunRow<C extends object = object, R extends Measured = Measured> {
  /** The client's key on the command line, e.g. "kafkit-bun", "kafkajs". */
  key: string;
  config: C;
  result?: R;
  error?: string;
}

/** The peers kafkit is compared with, by client key, in column order. */
export const PEERS: readonly { key: string; label: string }[] = [
  { key: "kafkajs", label: "kafkajs" },
  { key: "platformatic", label: "platformatic" },
  { key: "java", label: "java" },
];

/** Messages per second of a result. */
export const rate = (r: Measured): number => r.messages / r.wallMs * 1000;

/** Client CPU µs per message of a result. */
export const cpuPerMessage = (r: Measured): number => r.cpuMs * 1000 / r.messages;

/** "100 B", "1 KiB". */
export const sizeText = (size: number): string =>
  size % 1024 === 0 ? `${size / 1024} KiB` : `${size} B`;

/** `n` with thousands separators and exactly `digits` decimals. */
export const fixed = (n: number, digits: number): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A latency in ms, with the precision small values need ("" for none). */
export const ms = (n: number | undefined): string =>
  n === undefined ? "" : n < 10 ? fixed(n, 2) : n < 100 ? fixed(n, 1) : fixed(n, 0);

/** The cell of a failed run: the first line of its error. */
export const failedCell = (error: string | undefined): string =>
  `failed: ${(error ?? "?").split("\n")[0].slice(0, 120)}`;

/** A markdown table: the first `left` columns aligned left, the others right. */
export function markdownTable(head: string[], left: number, body: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => i < left ? "---" : "--:").join("|")}|`,
    ...body.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n");
}

const sameConfig = (a: object, b: object) =>
  Object.entries(a).every(([k, v]) => (b as Record<string, unknown>)[k] === v);

function peerResult<R extends Measured>(
  rows: RunRow<object, R>[],
  peer: string,
  config: object,
): R | undefined {
  return rows.find((r) => r.key === peer && sameConfig(r.config, config))?.result;
}

/** The ×peer column heads. */
export const peerHeads = (): string[] => PEERS.map((p) => `×${p.label}`);

/**
 * A row's ×peer cells: kafkit's msgs/s over each peer's in the same configuration, empty for
 * the peers' own rows and where either side has no result.
 */
export function peerRatioCells(rows: RunRow[], row: RunRow): string[] {
  const own = row.key.startsWith("kafkit") ? row.result : undefined;
  return PEERS.map((peer) => {
    const p = own && peerResult(rows, peer.key, row.config);
    return p ? `${fixed(rate(own) / rate(p), 2)}×` : "";
  });
}

const geomean = (xs: number[]) =>
  xs.length === 0 ? NaN : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/**
 * Per kafkit runtime and peer, the geometric mean over the configurations of kafkit's msgs/s
 * ratio and CPU-per-message ratio (below 1 means kafkit uses less CPU).
 */
export function summaryTable(rows: RunRow[]): string {
  const kafkitKeys = [...new Set(rows.filter((r) => r.key.startsWith("kafkit")).map((r) => r.key))];
  if (kafkitKeys.length === 0) return "";
  const head = ["kafkit on", ...PEERS.flatMap((p) => [`msgs/s ×${p.label}`, `CPU ×${p.label}`])];
  const body: string[][] = [];
  for (const key of kafkitKeys) {
    const own = rows.filter((r) => r.key === key && r.result);
    // A variant of kafkit's (kafkit-node-group) is named after its runtime and the variant.
    const variant = /^kafkit-\w+-(\w+)$/.exec(key)?.[1];
    const runtime = own[0]?.result?.runtime ?? key;
    const cells = [variant ? `${runtime} (${variant})` : runtime];
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
    body.push(cells);
  }
  return markdownTable(head, 1, body);
}

/** The report's lines for the summary table, with its explanation; none without kafkit rows. */
export function summarySection(rows: RunRow[]): string[] {
  const summary = summaryTable(rows);
  if (!summary) return [];
  return [
    "kafkit over each peer, geometric mean across the configurations (msgs/s: higher is " +
    "better; CPU per message: lower is better):",
    "",
    summary,
    "",
  ];
}

/** Each client's settings, one markdown list line per distinct client and settings. */
export function settingsLines(results: (Measured | undefined)[]): string[] {
  const seen = new Map<string, Set<string>>();
  for (const r of results) {
    if (!r) continue;
    if (!seen.has(r.client)) seen.set(r.client, new Set());
    seen.get(r.client)!.add(r.settings);
  }
  const lines: string[] = [];
  for (const [name, settings] of seen) {
    for (const s of settings) lines.push(`- **${name}**: ${s}`);
  }
  return lines;
}
