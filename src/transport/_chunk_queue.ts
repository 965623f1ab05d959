// A queue between a push-style socket (data callbacks) and the pull-style Socket.read.

/** Buffers pushed chunks for `read()`, asking the source to pause when too much is held. */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #held = 0;
  #waiter: ((chunk: Uint8Array | null) => void) | undefined;
  #failer: ((error: unknown) => void) | undefined;
  #ended = false;
  #error: unknown = undefined;
  /** Whether the source was asked to pause (and not yet to resume). */
  #paused = false;
  readonly #highWater: number;
  readonly #pause: () => void;
  readonly #resume: () => void;

  constructor(highWater: number, pause: () => void, resume: () => void) {
    this.#highWater = highWater;
    this.#pause = pause;
    this.#resume = resume;
  }

  /** Adds a chunk the source produced (the queue keeps a reference, not a copy). */
  push(chunk: Uint8Array): void {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = this.#failer = undefined;
      w(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#held += chunk.length;
    if (this.#held > this.#highWater && !this.#paused) {
      this.#paused = true;
      this.#pause();
    }
  }

  /** Marks the end of the stream, with an error if it failed. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.#waiter) {
      const w = this.#waiter, f = this.#failer!;
      this.#waiter = this.#failer = undefined;
      if (error === undefined) w(null);
      else f(error);
    }
  }

  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null> {
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#held -= chunk.length;
      // Only a paused source is resumed, once: not a call into the socket on every read.
      if (this.#paused && this.#held <= this.#highWater / 2) {
        this.#paused = false;
        this.#resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#ended) {
      return this.#error === undefined ? Promise.resolve(null) : Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failer = reject;
    });
  }
}
