// A series summarised as kafka-go's stats do: min, max, average, sum and count, reset each
// time it is read.

/** min/max/avg/sum/count of a series (kafka-go's `SummaryStats` and `DurationStats`). */
export interface Summary {
  /** Mean (0 when empty). */
  avg: number;
  /** Smallest value (0 when empty). */
  min: number;
  /** Largest value (0 when empty). */
  max: number;
  /** How many values. */
  count: number;
  /** Their sum. */
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
