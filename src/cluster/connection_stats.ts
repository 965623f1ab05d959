// The connection counters of a client's stats (kafka-go's Dials, DialTime and Timeouts),
// taken from the client core it uses: with a shared core, every client counts the core's.

import { accumulate, type Summary, SummaryCounter } from "../producer/_stats.ts";
import type { PoolEvents } from "./_pool.ts";

/** The connection counters of `WriterStats` and `ReaderStats` (also in their `totals`). */
export interface ConnectionTotals {
  /** Dials to brokers, connected or not. */
  dials: number;
  /** Requests that got no answer in time (each closes its connection). */
  timeouts: number;
}

/** The connection fields of `WriterStats` and `ReaderStats`, counted since the last call. */
export interface ConnectionStats extends ConnectionTotals {
  /** How long dials took, in ms. */
  dialTime: Summary;
}

/** Counts a core's dials and timeouts until read (give it to `Cluster.observe`). */
export class ConnectionCounters implements PoolEvents {
  #dials = 0;
  #timeouts = 0;
  readonly #dialTime = new SummaryCounter();
  readonly #totals: ConnectionTotals = { dials: 0, timeouts: 0 };

  dialed(ms: number): void {
    this.#dials++;
    this.#dialTime.observe(ms);
  }

  timedOut(): void {
    this.#timeouts++;
  }

  /** The counts since the last read, and the totals since creation; then starts over. */
  take(): { window: ConnectionStats; totals: ConnectionTotals } {
    const counts = { dials: this.#dials, timeouts: this.#timeouts };
    this.#dials = this.#timeouts = 0;
    return {
      window: { ...counts, dialTime: this.#dialTime.take() },
      totals: accumulate(this.#totals, counts),
    };
  }
}
