// A series summarised as kafka-go's stats do: min, max, average, sum and count, reset each
// time it is read.

/**
 * min/max/avg/sum/count of a series since the last `stats()` call (kafka-go's
 * `SummaryStats` and `DurationStats`); all 0 when nothing was observed.
 */
export interface Summary {
  /** The mean, `sum / count`. */
  avg: number;
  /** The smallest value observed. */
  min: number;
  /** The largest value observed. */
  max: number;
  /** How many values were observed. */
  count: number;
  /** The sum of the values observed. */
  sum: number;
}

/** Accumulates a series until it is read. */
export class SummaryCounter {
  #min = Infinity;
  #max = -Infinity;
  #sum = 0;
  #count = 0;

  /** Adds a value. */
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
