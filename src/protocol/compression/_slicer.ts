// Cooperative time slicing: long (de)compressions work in chunks and hand the event loop
// back between chunks once a slice has run for SLICE_MS, so sockets and timers keep being
// served while a large batch is processed. Small inputs finish in one slice, never waiting.

/** Longest stretch, in milliseconds, a codec runs before it lets other tasks in. */
export const SLICE_MS = 8;

const g = globalThis as { setImmediate?: (fn: () => void) => unknown };

// A macrotask, not a microtask: only a macrotask lets I/O callbacks and timers run.
// setImmediate (Node, Bun, Deno) has no minimum delay; setTimeout is the portable fallback.
const nextTask: () => Promise<void> = typeof g.setImmediate === "function"
  ? () => new Promise((resolve) => g.setImmediate!(resolve))
  : () => new Promise((resolve) => setTimeout(resolve, 0));

/** Tracks how long the current slice has run. */
export class Slicer {
  #start = performance.now();
  readonly #budget: number;

  constructor(budget: number = SLICE_MS) {
    this.#budget = budget;
  }

  /** Whether the current slice has used its budget. */
  due(): boolean {
    return performance.now() - this.#start >= this.#budget;
  }

  /** Lets other tasks run, then starts a new slice. */
  async pause(): Promise<void> {
    await nextTask();
    this.#start = performance.now();
  }
}
