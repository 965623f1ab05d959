// Counters behind Reader.stats(), reset each time they are read, as kafka-go does.
import type { Message } from "../message.ts";
import { type Summary, SummaryCounter } from "../producer/_stats.ts";
import type { ConnectionStats } from "../cluster/connection_stats.ts";

/**
 * What `stats()` returns (kafka-go's `ReaderStats`), counted since the last call. `dials`,
 * `timeouts` and `dialTime` are those of the Reader's client core (a shared `cluster`'s).
 */
export interface ReaderStats extends ConnectionStats {
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
  /** ms the application waited in `fetchMessage`. */
  waitTime: Summary;
  /** Messages per fetch response. */
  fetchSize: Summary;
  /** Record bytes per fetch response. */
  fetchBytes: Summary;
  offset: number;
  lag: number;
  minBytes: number;
  maxBytes: number;
  maxWait: number;
  queueLength: number;
  queueCapacity: number;
  clientId: string;
  topic: string;
  partition: string;
}

/** The point-in-time fields of {@linkcode ReaderStats}. */
export type ReaderGauges = Omit<
  ReaderStats,
  | "fetches"
  | "messages"
  | "bytes"
  | "rebalances"
  | "commits"
  | "errors"
  | "waitTime"
  | "fetchSize"
  | "fetchBytes"
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

  /** A fetch response was decoded. */
  fetched(messages: number, bytes: number): void {
    this.fetches++;
    this.fetchSize.observe(messages);
    this.fetchBytes.observe(bytes);
  }

  /** A message was handed to the application after `waited` ms. */
  read(m: Message, waited: number): void {
    this.messages++;
    this.bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
    this.waitTime.observe(waited);
  }

  /** The counters since the last read plus `gauges`; then starts over. */
  take(gauges: ReaderGauges): ReaderStats {
    const s: ReaderStats = {
      fetches: this.fetches,
      messages: this.messages,
      bytes: this.bytes,
      rebalances: this.rebalances,
      commits: this.commits,
      errors: this.errors,
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
