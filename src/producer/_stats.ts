// Counters and summaries behind Writer.stats(), reset each time they are read (as kafka-go
// does), so callers can poll them into a metrics system.

/** min/max/avg/sum/count of a series (kafka-go's `SummaryStats` and `DurationStats`). */
export interface Summary {
  /** The mean (0 without observations). */
  avg: number;
  /** The smallest observation. */
  min: number;
  /** The largest observation. */
  max: number;
  /** How many were observed. */
  count: number;
  /** Their total. */
  sum: number;
}

/** Accumulates a series until it is read. */
export class SummaryCounter {
  #min = Infinity;
  #max = -Infinity;
  #sum = 0;
  #count = 0;

  observe(v: number): void {
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
    this.#sum += v;
    this.#count++;
  }

  /** The summary since the last read; then starts over. */
  take(): Summary {
    const s = this.#count === 0 ? { avg: 0, min: 0, max: 0, count: 0, sum: 0 } : {
      avg: this.#sum / this.#count,
      min: this.#min,
      max: this.#max,
      count: this.#count,
      sum: this.#sum,
    };
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#sum = 0;
    this.#count = 0;
    return s;
  }
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
