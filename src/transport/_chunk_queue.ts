// A queue between a push-style socket (data callbacks) and the pull-style Socket.read.

/** Size of the queue's own buffers; a larger chunk is copied into a buffer of its own. */
export const CHUNK_BUFFER_SIZE = 64 * 1024;

/**
 * Buffers pushed chunks for `read()`, asking the source to pause when too much is held. A
 * source whose chunks live only during its callback (Bun's) has them copied into the queue's
 * own buffers, each reused once the chunk in it has been read and the next `read()` came (a
 * chunk is valid until then): a fresh buffer per chunk cost Bun's Reader about 4% of its CPU
 * at 1 KiB records (allocation, zeroing, GC).
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  /** The queue's own buffers, free to fill. */
  readonly #free: ArrayBuffer[] = [];
  readonly #own = new WeakSet<ArrayBuffer>();
  /** The buffer under the chunk `read()` returned last, in use until the next `read()`. */
  #inUse: ArrayBuffer | undefined;
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

  /** One of the queue's buffers, free to fill. */
  #buffer(): Uint8Array {
    const free = this.#free.pop();
    if (free) return new Uint8Array(free);
    const b = new ArrayBuffer(CHUNK_BUFFER_SIZE);
    this.#own.add(b);
    return new Uint8Array(b);
  }

  /** Adds a copy of `chunk`, for a source whose chunks are only valid during its callback. */
  pushCopy(chunk: Uint8Array): void {
    if (chunk.length > CHUNK_BUFFER_SIZE) return this.push(chunk.slice());
    const b = this.#buffer();
    b.set(chunk);
    this.push(b.subarray(0, chunk.length));
  }

  /** Adds a chunk the source produced (the queue keeps a reference, not a copy). */
  push(chunk: Uint8Array): void {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = this.#failer = undefined;
      this.#lend(chunk);
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

  /** The next chunk, or null at the end; the one before it may be overwritten from now on. */
  read(): Promise<Uint8Array | null> {
    const used = this.#inUse;
    if (used !== undefined) this.#free.push(used);
    this.#inUse = undefined;
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#held -= chunk.length;
      // Only a paused source is resumed, once: not a call into the socket on every read.
      if (this.#paused && this.#held <= this.#highWater / 2) {
        this.#paused = false;
        this.#resume();
      }
      this.#lend(chunk);
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

  /** Notes the queue's buffer under `chunk` as in use until the next read. */
  #lend(chunk: Uint8Array): void {
    if (this.#own.has(chunk.buffer as ArrayBuffer)) this.#inUse = chunk.buffer as ArrayBuffer;
  }
}
