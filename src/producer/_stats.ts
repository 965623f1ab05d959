// Counters and summaries behind Writer.stats(), reset each time they are read (as kafka-go
// does), so callers can poll them into a metrics system.

import { type Summary, SummaryCounter } from "../_summary.ts";

export { type Summary, SummaryCounter };

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

  /** The counts since the last read; then starts over. */
  takeCounts(): {
    writes: number;
    messages: number;
    bytes: number;
    errors: number;
    retries: number;
  } {
    const c = {
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
    return c;
  }
}
