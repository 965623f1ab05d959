// Splits a byte stream into Kafka's size-prefixed frames.

import { DecodeError } from "../errors.ts";

/**
 * Frames up to this size get their whole buffer at once (one allocation, one copy: fetch
 * answers of the default 1 MB are within it); a larger declared size starts here and grows
 * with the bytes that arrive (to at most four times them), so a size prefix that lies costs
 * no more than this.
 */
export const EAGER_FRAME_SIZE = 1024 * 1024;

/**
 * Collects chunks into whole frames (int32 size, then that many bytes). A size below zero
 * or above `maxFrameSize` is a `DecodeError` before anything is allocated for it, and what
 * is allocated for a frame never runs far ahead of the bytes that came for it.
 */
export class Framer {
  readonly #maxFrameSize: number;
  #header = new Uint8Array(4);
  #headerFill = 0;
  /** The frame being filled: its buffer (at most `#frameSize` long) and declared size. */
  #frame: Uint8Array | undefined;
  #frameSize = 0;
  #frameFill = 0;

  constructor(maxFrameSize: number) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes held for the frame being filled (its buffer's size), 0 between frames. */
  get allocated(): number {
    return this.#frame?.length ?? 0;
  }

  /** Feeds a chunk; calls `onFrame` for every frame it completes. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.#frame === undefined) {
        const take = Math.min(4 - this.#headerFill, chunk.length - off);
        this.#header.set(chunk.subarray(off, off + take), this.#headerFill);
        this.#headerFill += take;
        off += take;
        if (this.#headerFill < 4) return;
        const size = new DataView(this.#header.buffer).getInt32(0);
        if (size < 0 || size > this.#maxFrameSize) {
          throw new DecodeError(
            `response size ${size} is outside 0..${this.#maxFrameSize} (maxResponseSize)`,
            0,
          );
        }
        this.#headerFill = 0;
        if (chunk.length - off >= size) {
          // All of it is here: one copy (the chunk is only valid until the next read; and a
          // Node Buffer's slice would be a view).
          const frame = new Uint8Array(size);
          frame.set(chunk.subarray(off, off + size));
          onFrame(frame);
          off += size;
          continue;
        }
        this.#frame = new Uint8Array(Math.min(size, EAGER_FRAME_SIZE));
        this.#frameSize = size;
        this.#frameFill = 0;
      }
      let frame = this.#frame;
      const take = Math.min(this.#frameSize - this.#frameFill, chunk.length - off);
      const fill = this.#frameFill + take;
      if (fill > frame.length) {
        // Growing fourfold keeps the copies of a large frame to a third of its size in all.
        const grown = new Uint8Array(Math.min(this.#frameSize, Math.max(frame.length * 4, fill)));
        grown.set(frame.subarray(0, this.#frameFill));
        this.#frame = frame = grown;
      }
      frame.set(chunk.subarray(off, off + take), this.#frameFill);
      this.#frameFill = fill;
      off += take;
      if (fill === this.#frameSize) {
        this.#frame = undefined;
        onFrame(frame);
      }
    }
  }
}
