/**
 * Exactly-once consume-transform-produce: a group {@linkcode Reader} and a transactional
 * {@linkcode Writer}, one transaction per batch that holds both the batch's output and the
 * batch's consumed offsets (KIP-447). A batch's output is visible to `read_committed`
 * readers exactly when its offsets are committed; a failed or interrupted batch is aborted
 * and read again from the committed offsets. A member the group has moved on from (after a
 * rebalance, or a zombie after a restart) cannot commit: the group's coordinator refuses its
 * offsets and the transaction aborts.
 *
 * @module
 */

import { anySignal } from "./_async/abortable.ts";
import type { Message, MessageInput } from "./message.ts";
import { partitionKey, type PartitionOffset } from "./offsets.ts";
import { Reader, type ReaderConfig } from "./consumer/reader.ts";
import { FatalTransactionError, Writer, type WriterConfig } from "./producer/writer.ts";
import { KafkitError } from "./errors.ts";
import { positiveInt, rejectUnknownOptions, SIGNAL_ONLY } from "./config.ts";

/** Configuration of an {@linkcode ExactlyOnce} processor. */
export interface ExactlyOnceConfig {
  /**
   * The input: a group Reader's configuration (`groupId` required). `isolationLevel`
   * defaults to `read_committed`, so input written by transactions is read as committed.
   */
  reader: ReaderConfig;
  /**
   * The output: a transactional Writer's configuration (`transactionalId` required). Give
   * each member process its own id, the same across its restarts: a restarted member fences
   * its old self and aborts what that left open.
   */
  writer: WriterConfig;
  /**
   * Turns a batch of input messages into the messages to write (possibly none). A throw
   * aborts the batch's transaction, rewinds the input, and ends `run()` with the error.
   */
  transform: (messages: Message[]) => MessageInput[] | Promise<MessageInput[]>;
  /** Most input messages per transaction (default 500). */
  batchSize?: number;
  /** How long a batch waits for more messages after its first, in ms (default 100). */
  batchTimeout?: number;
  /** Called with each failure that aborted a batch's transaction (its input is read again). */
  onAbort?: (error: unknown) => void;
}

/** What an {@linkcode ExactlyOnce} processor has done so far. */
export interface ExactlyOnceStats {
  /** Transactions committed. */
  committed: number;
  /** Transactions aborted (their input is read again). */
  aborted: number;
  /** Input messages whose transaction committed. */
  messages: number;
}

/** The group moved on while a batch was processed: its offsets are no longer this member's. */
export class RebalancedError extends KafkitError {
  /** Creates the error. */
  constructor() {
    super("the group rebalanced while the batch was processed", true);
  }
}

/**
 * Reads a consumer group's input, transforms it in batches and writes the output, each batch
 * with its input's offsets in one transaction: each input message's output is committed
 * exactly once, through failures, restarts and rebalances.
 *
 * @example
 * ```ts ignore
 * import { ExactlyOnce } from "@kafkit/kafkit";
 * await using app = new ExactlyOnce({
 *   reader: { brokers: ["localhost:9092"], groupId: "upper", topic: "words" },
 *   writer: { brokers: ["localhost:9092"], topic: "WORDS", transactionalId: "upper-1" },
 *   transform: (batch) => batch.map((m) => ({ key: m.key, value: upper(m.value) })),
 * });
 * await app.run({ signal: AbortSignal.timeout(60_000) });
 * ```
 */
export class ExactlyOnce implements AsyncDisposable {
  /** The input's group Reader. */
  readonly reader: Reader;
  /** The output's transactional Writer. */
  readonly writer: Writer;
  readonly #transform: ExactlyOnceConfig["transform"];
  readonly #batchSize: number;
  readonly #batchTimeout: number;
  readonly #onAbort: (error: unknown) => void;
  readonly #stop = new AbortController();
  readonly #stats: ExactlyOnceStats = { committed: 0, aborted: 0, messages: 0 };
  #running: Promise<void> | undefined;

  /** Creates the Reader (joining its group) and the Writer; bad configuration throws. */
  constructor(config: ExactlyOnceConfig) {
    if (config?.reader?.groupId === undefined) {
      throw new TypeError("ExactlyOnce: reader.groupId is required");
    }
    if (config.writer?.transactionalId === undefined) {
      throw new TypeError("ExactlyOnce: writer.transactionalId is required");
    }
    if (typeof config.transform !== "function") {
      throw new TypeError("ExactlyOnce: transform must be a function");
    }
    this.#batchSize = positiveInt("batchSize", config.batchSize, 500);
    this.#batchTimeout = positiveInt("batchTimeout", config.batchTimeout, 100, 0);
    this.#transform = config.transform;
    this.#onAbort = config.onAbort ?? (() => {});
    this.writer = new Writer(config.writer);
    this.reader = new Reader({ isolationLevel: "read_committed", ...config.reader });
  }

  /** Counts since creation. */
  stats(): ExactlyOnceStats {
    return { ...this.#stats };
  }

  /**
   * Processes batches until `signal` aborts or `close()` is called (then it resolves), the
   * transform throws, or the Writer is fenced (`FatalTransactionError`: another process
   * took over its transactional id); then it rejects.
   */
  run(options: { signal?: AbortSignal } = {}): Promise<void> {
    rejectUnknownOptions("ExactlyOnce.run", options, SIGNAL_ONLY);
    if (this.#running) throw new TypeError("ExactlyOnce: run() is already running");
    const running = this.#run(anySignal(options.signal, this.#stop.signal)!).finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // The member as it is before the batch is read: its offsets commit only as long as the
      // group has not moved on from it.
      const group = this.reader.groupMetadata();
      const batch = await this.#collect(signal);
      if (batch.length === 0) continue;
      let transformFailed = false;
      try {
        await this.writer.beginTransaction();
        let output: MessageInput[];
        try {
          output = await this.#transform(batch);
        } catch (e) {
          transformFailed = true;
          throw e;
        }
        if (output.length > 0) await this.writer.writeMessages(output);
        if (this.reader.groupMetadata().generationId !== group.generationId) {
          throw new RebalancedError();
        }
        await this.writer.sendOffsets(nextOffsets(batch), group);
        await this.writer.commitTransaction();
        this.#stats.committed++;
        this.#stats.messages += batch.length;
      } catch (e) {
        if (e instanceof FatalTransactionError) throw e;
        await this.#abort(e);
        if (transformFailed) throw e;
      }
    }
  }

  /** Aborts the batch's transaction and reads its input again. */
  async #abort(error: unknown): Promise<void> {
    if (this.writer.inTransaction) await this.writer.abortTransaction();
    this.#stats.aborted++;
    this.#onAbort(error);
    await this.reader.seekToCommitted();
  }

  /** Waits for a first message, then takes more for up to `batchTimeout`. */
  async #collect(signal: AbortSignal): Promise<Message[]> {
    const batch: Message[] = [];
    try {
      batch.push(await this.reader.fetchMessage({ signal }));
    } catch (e) {
      if (signal.aborted) return [];
      throw e;
    }
    const more = anySignal(signal, AbortSignal.timeout(this.#batchTimeout))!;
    while (batch.length < this.#batchSize) {
      try {
        batch.push(await this.reader.fetchMessage({ signal: more }));
      } catch (e) {
        // The run stopped (nothing of the batch was processed), or the wait for more ended.
        if (signal.aborted) return [];
        if (more.aborted) break;
        throw e;
      }
    }
    return batch;
  }

  /**
   * Stops `run()` (a batch under way is finished first), then closes the Writer and the Reader
   * (which leaves the group).
   */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#running?.catch(() => {});
    await this.writer.close();
    await this.reader.close();
  }

  /** Closes the processor (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** The offset after the last message of each partition in `batch`: what to commit. */
function nextOffsets(batch: readonly Message[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  for (const m of batch) {
    const key = partitionKey(m.topic, m.partition);
    const offset = m.offset + 1;
    if ((next.get(key)?.offset ?? -1) < offset) {
      next.set(key, { topic: m.topic, partition: m.partition, offset });
    }
  }
  return [...next.values()];
}
