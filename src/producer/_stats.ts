// Counters and summaries behind Writer.stats(), reset each time they are read (as kafka-go
// does), so callers can poll them into a metrics system; the totals beside them never reset,
// for metric systems that expect monotonic counters.

import { type Summary, SummaryCounter } from "../_summary.ts";

export { type Summary, SummaryCounter };

/** Adds a window's counts into `totals` and returns a copy of the new totals. */
export function accumulate<T extends { [K in keyof T]: number }>(totals: T, window: T): T {
  for (const k in window) (totals[k] as number) += window[k];
  return { ...totals };
}

/**
 * The Writer's counters: in `WriterStats` since the last `stats()` call, in its `totals` since
 * the Writer was created.
 */
export interface WriterTotals {
  /** `writeMessages` calls (and `writable` chunks) accepted. */
  writes: number;
  /** Messages acknowledged. */
  messages: number;
  /** Payload bytes (keys, values and headers) of those messages. */
  bytes: number;
  /** Batches, or single messages, that failed. */
  errors: number;
  /** Batches sent again after a retriable failure. */
  retries: number;
}

/** What the Writer counts (kafka-go's `WriterStats` counters). */
export class WriterCounters {
  writes = 0;
  messages = 0;
  bytes = 0;
  errors = 0;
  retries = 0;
  readonly batchTime: SummaryCounter = new SummaryCounter();
  readonly batchQueueTime: SummaryCounter = new SummaryCounter();
  readonly writeTime: SummaryCounter = new SummaryCounter();
  readonly waitTime: SummaryCounter = new SummaryCounter();
  readonly batchSize: SummaryCounter = new SummaryCounter();
  readonly batchBytes: SummaryCounter = new SummaryCounter();

  readonly #totals: WriterTotals = { writes: 0, messages: 0, bytes: 0, errors: 0, retries: 0 };

  /** The counts since the last read, and the totals since creation; then starts over. */
  takeCounts(): WriterTotals & { totals: WriterTotals } {
    const c: WriterTotals = {
      writes: this.writes,
      messages: this.messages,
      bytes: this.bytes,
      errors: this.errors,
      retries: this.retries,
    };
    this.writes =
      this.messages =
      this.bytes =
      this.errors =
      this.retries =
        0;
    return { ...c, totals: accumulate(this.#totals, c) };
  }
}
