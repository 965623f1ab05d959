// Counters behind Reader.stats(), reset each time they are read, as kafka-go does; the totals
// beside them never reset.
import type { Message } from "../message.ts";
import { type Summary, SummaryCounter } from "../_summary.ts";
import { accumulate } from "../producer/_stats.ts";
import type { ConnectionStats, ConnectionTotals } from "../cluster/connection_stats.ts";

/**
 * The Reader's counters: in {@linkcode ReaderStats} since the last `stats()` call, in its
 * `totals` since the Reader was created.
 */
export interface ReaderTotals {
  /** Fetch responses decoded. */
  fetches: number;
  /** Messages returned to the application. */
  messages: number;
  /** Key and value bytes of those messages. */
  bytes: number;
  /** Assignments received (group readers). */
  rebalances: number;
  /** Partition offsets committed. */
  commits: number;
  /** Errors the reader retried. */
  errors: number;
}

/**
 * What `stats()` returns (kafka-go's `ReaderStats`). The counters and summaries cover the time
 * since the previous `stats()` call: reading them resets them, as in kafka-go, so a poller can
 * export rates. `totals` holds the same counters since the Reader was created, never reset, for
 * metric systems that expect monotonic counters. The other fields are the state now and the
 * configuration. `dials`, `timeouts` and `dialTime` are those of the Reader's client core (a
 * shared `cluster`'s).
 */
export interface ReaderStats extends ReaderTotals, ConnectionStats {
  /** The counters since the Reader was created (never reset). */
  totals: ReaderTotals & ConnectionTotals;
  /** ms the application waited in `fetchMessage`. */
  waitTime: Summary;
  /** Messages per fetch response. */
  fetchSize: Summary;
  /** Record bytes per fetch response. */
  fetchBytes: Summary;
  /** The next offset to read (partition readers; -1 for a group reader). */
  offset: number;
  /** Messages between `offset` and the partition's end, as last measured (-1 for a group). */
  lag: number;
  /** The `minBytes` setting. */
  minBytes: number;
  /** The `maxBytes` setting. */
  maxBytes: number;
  /** The `maxWait` setting, in ms. */
  maxWait: number;
  /** Messages fetched and not yet read, now. */
  queueLength: number;
  /** The `queueCapacity` setting. */
  queueCapacity: number;
  /** The `clientId` setting. */
  clientId: string;
  /** The topic, or a group reader's topics joined with commas. */
  topic: string;
  /** The partition as a string (partition readers; "" for a group reader). */
  partition: string;
}

/** A message's key and value bytes, as `bytes` counts them. */
export function messageBytes(m: Message): number {
  return (m.key?.length ?? 0) + (m.value?.length ?? 0);
}

/** The point-in-time fields of {@linkcode ReaderStats}. */
export type ReaderGauges = Omit<
  ReaderStats,
  keyof ReaderTotals | "totals" | "waitTime" | "fetchSize" | "fetchBytes" | keyof ConnectionStats
>;

/** Accumulates what a reader does between two `stats()` calls. */
export class ReaderCounters {
  fetches = 0;
  messages = 0;
  bytes = 0;
  rebalances = 0;
  commits = 0;
  errors = 0;
  readonly waitTime: SummaryCounter = new SummaryCounter();
  readonly fetchSize: SummaryCounter = new SummaryCounter();
  readonly fetchBytes: SummaryCounter = new SummaryCounter();
  readonly #totals: ReaderTotals = {
    fetches: 0,
    messages: 0,
    bytes: 0,
    rebalances: 0,
    commits: 0,
    errors: 0,
  };

  /** A fetch response was decoded. */
  fetched(messages: number, bytes: number): void {
    this.fetches++;
    this.fetchSize.observe(messages);
    this.fetchBytes.observe(bytes);
  }

  /** A message was handed to the application after `waited` ms. */
  read(m: Message, waited: number): void {
    this.messages++;
    this.bytes += messageBytes(m);
    this.waitTime.observe(waited);
  }

  /**
   * The counters since the last read, their totals, plus `gauges` and the core's `connections`
   * counts; then starts over.
   */
  take(
    gauges: ReaderGauges,
    connections: { window: ConnectionStats; totals: ConnectionTotals },
  ): ReaderStats {
    const window: ReaderTotals = {
      fetches: this.fetches,
      messages: this.messages,
      bytes: this.bytes,
      rebalances: this.rebalances,
      commits: this.commits,
      errors: this.errors,
    };
    const s: ReaderStats = {
      ...window,
      ...connections.window,
      totals: { ...accumulate(this.#totals, window), ...connections.totals },
      waitTime: this.waitTime.take(),
      fetchSize: this.fetchSize.take(),
      fetchBytes: this.fetchBytes.take(),
      ...gauges,
    };
    this.fetches =
      this.messages =
      this.bytes =
      this.rebalances =
      this.commits =
      this.errors =
        0;
    return s;
  }
}
