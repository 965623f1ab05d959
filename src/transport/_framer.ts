// Splits a byte stream into Kafka's size-prefixed frames.

import { DecodeError } from "../errors.ts";

/**
 * Collects chunks into whole frames (int32 size, then that many bytes). A size below zero
 * or above `maxFrameSize` is a `DecodeError` before anything is allocated for it.
 */
export class Framer {
  readonly #maxFrameSize: number;
  #header = new Uint8Array(4);
  #headerFill = 0;
  #frame: Uint8Array | undefined;
  #frameFill = 0;

  constructor(maxFrameSize: number) {
    this.#maxFrameSize = maxFrameSize;
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
        this.#frame = new Uint8Array(size);
        this.#frameFill = 0;
      }
      const frame = this.#frame;
      const take = Math.min(frame.length - this.#frameFill, chunk.length - off);
      frame.set(chunk.subarray(off, off + take), this.#frameFill);
      this.#frameFill += take;
      off += take;
      if (this.#frameFill === frame.length) {
        this.#frame = undefined;
        onFrame(frame);
      }
    }
  }
}
