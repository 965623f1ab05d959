// Cooperative time slicing: long work (a (de)compression, decoding a fetch response, handing
// its messages over) goes in chunks and hands the event loop back between chunks once a slice
// has run for SLICE_MS, so sockets and timers keep being served while a large batch is
// processed. Small inputs finish in one slice, never waiting.

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

  /** Lets other tasks run, then starts a new slice (unless another pauser already did). */
  async pause(): Promise<void> {
    const asked = performance.now();
    await nextTask();
    // A shared slicer's pausers all resume in the same turn of the event loop: only the first
    // starts a new slice; the others run on in it and soon pause again, instead of each
    // taking a whole slice before timers get their turn.
    if (this.#start <= asked) this.#start = performance.now();
  }
}

/**
 * The consumer path's slice, shorter than a codec's: a decode slice and a hand-over slice
 * may run back to back before the loop gets its turn, and together they stay well under the
 * 20 ms a heartbeat or a timer should ever wait.
 */
export const CONSUMER_SLICE_MS = 4;

/**
 * The consumer path's slices, shared by every reader in the process: fetch decoding and
 * message hand-over run in one task one after the other (a response's promise chain, then
 * the readers it woke), so only one clock for all of them bounds how long that task runs.
 */
export const consumerSlices: Slicer = new Slicer(CONSUMER_SLICE_MS);
