/**
 * A fetched batch of messages from one partition, as kafka-go's `Conn.ReadBatch` returns
 * it.
 *
 * @module
 */

import type { Message } from "./message.ts";

/** What a batch reports back to its connection when it is closed. */
export type BatchRelease = (nextOffset: number) => void;

/**
 * Messages fetched from one partition. Read them with `for await`, `readMessage()` or
 * `read(buffer)`; then `close()` it (a `for await` loop closes it when it ends), which
 * moves the connection's offset past what was read and lets the next `readBatch` go.
 *
 * @example
 * ```ts
 * import { dialLeader } from "@kafkit/kafkit";
 * await using conn = await dialLeader("127.0.0.1:9092", "events", 0);
 * const batch = await conn.readBatch(1, 1 << 20);
 * for await (const m of batch) console.log(m.offset, new TextDecoder().decode(m.value!));
 * ```
 */
export class Batch implements AsyncIterable<Message>, AsyncDisposable {
  /** Milliseconds the broker throttled this fetch for (quotas). */
  readonly throttle: number;
  /** The partition's high watermark at fetch time. */
  readonly highWaterMark: number;
  /** The error that ended the batch (a broker error for the partition), if any. */
  readonly err: Error | undefined;
  readonly #messages: Message[];
  #index = 0;
  #offset: number;
  /** The offset after the last fetched record, control and aborted ones included. */
  readonly #endOffset: number;
  #release: BatchRelease | undefined;

  /** @internal Created by `Conn.readBatch`. */
  constructor(
    messages: Message[],
    fields: {
      offset: number;
      endOffset?: number;
      throttle: number;
      highWaterMark: number;
      err?: Error;
    },
    release: BatchRelease,
  ) {
    this.#messages = messages;
    this.#offset = fields.offset;
    this.#endOffset = fields.endOffset ?? fields.offset;
    this.throttle = fields.throttle;
    this.highWaterMark = fields.highWaterMark;
    this.err = fields.err;
    this.#release = release;
  }

  /** The offset of the next message to read. */
  get offset(): number {
    return this.#offset;
  }

  /**
   * The next message, or `null` when the batch is exhausted. A batch that ended with an
   * error throws it once its messages are read.
   */
  readMessage(): Promise<Message | null> {
    const m = this.#next();
    return m === undefined ? this.#end() : Promise.resolve(m);
  }

  /**
   * Copies the next message's value into `buffer` and returns its length, or `null` when
   * the batch is exhausted. A buffer too small for the value is a `RangeError`, and the
   * message is not consumed.
   */
  read(buffer: Uint8Array): Promise<number | null> {
    const m = this.#messages[this.#index];
    if (m === undefined) {
      this.#next();
      return this.#end();
    }
    const value = m.value ?? new Uint8Array(0);
    if (value.length > buffer.length) {
      return Promise.reject(
        new RangeError(
          `buffer of ${buffer.length} bytes is too small for a ${value.length}-byte value`,
        ),
      );
    }
    buffer.set(value);
    this.#next();
    return Promise.resolve(value.length);
  }

  #next(): Message | undefined {
    const m = this.#messages[this.#index];
    if (m !== undefined) {
      this.#index++;
      this.#offset = m.offset + 1;
    }
    // Once every message is read, step over trailing records the reader never sees
    // (transaction markers, aborted data), or the next fetch would return them again.
    if (this.#index === this.#messages.length) {
      this.#offset = Math.max(this.#offset, this.#endOffset);
    }
    return m;
  }

  #end(): Promise<null> {
    return this.err ? Promise.reject(this.err) : Promise.resolve(null);
  }

  /** Releases the connection, moving its offset past the messages read. */
  close(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.(this.#offset);
    return Promise.resolve();
  }

  /** The batch's messages in offset order, then `close()`. */
  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    try {
      for (let m = this.#next(); m !== undefined; m = this.#next()) yield m;
      if (this.err) throw this.err;
    } finally {
      await this.close();
    }
  }

  /** Closes the batch (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
