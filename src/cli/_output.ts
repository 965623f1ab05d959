/**
 * What the CLI prints: stdout with backpressure (a slow pipe holds the consumer back instead
 * of buffering without bound), aligned tables, JSON, and a progress line for terminals.
 *
 * @module
 */

import process from "node:process";
import type { Writable } from "node:stream";
import { UsageError, type Values } from "./_args.ts";

/**
 * Writes to a stream in chunks: lines are gathered until 64 KB or until the event loop is
 * idle (one write call per line would cost more than decoding the messages), and a full
 * stream is waited for. When the stream goes away (`| head` exits: EPIPE), what is written
 * is dropped and `onClosed` is called once, to end the run.
 */
export class Output {
  readonly #stream: Writable;
  readonly #onClosed: () => void;
  #pending: string[] = [];
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #drained: (() => void) | undefined;

  /** Writes to `stream` (default stdout). */
  constructor(stream: Writable = process.stdout, onClosed: () => void = () => {}) {
    this.#stream = stream;
    this.#onClosed = onClosed;
    stream.on("error", () => this.#close());
  }

  /** Whether the stream has gone away. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queues `text`; resolves when the stream can take more. */
  write(text: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#pending.push(text);
    this.#size += text.length;
    if (this.#size >= 65_536) return this.flush();
    this.#timer ??= setTimeout(() => this.flush(), 0);
    return Promise.resolve();
  }

  /** Queues `text` and a newline. */
  line(text = ""): Promise<void> {
    return this.write(text + "\n");
  }

  /** Writes what is queued; resolves when the stream can take more. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const text = this.#pending.join("");
    this.#pending = [];
    this.#size = 0;
    if (text === "" || this.#closed) return Promise.resolve();
    try {
      if (this.#stream.write(text)) return Promise.resolve();
    } catch {
      // Deno throws EPIPE from write() itself; Node and Bun emit it as an error event.
      this.#close();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#drained = resolve;
      this.#stream.once("drain", () => this.#drained?.());
    });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    this.#drained?.();
    this.#onClosed();
  }
}

/** Rows aligned in columns under `header` (the Java tools' look). */
export function table(header: string[], rows: readonly (string | number | null)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => c === null ? "-" : String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") +
    "\n";
}

/** The output formats of commands that print results. */
export type Format = "table" | "json";

/** The `--format` option of result-printing commands. */
export const FORMAT_OPTION = {
  format: {
    type: "string",
    short: "o",
    arg: "table|json",
    help: "table for people (default), json for programs",
  },
} as const;

/** The `--format` a result-printing command was given. */
export function formatOf(values: Values): Format {
  const f = values.format ?? "table";
  if (f !== "table" && f !== "json") throw new UsageError(`--format takes table or json, got ${f}`);
  return f;
}

/** JSON for output: Errors as their messages, everything else as is. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => v instanceof Error ? v.message : v);
}

/**
 * A progress line (messages, MB, rate) redrawn on a terminal's stderr a few times a second;
 * nothing at all when stderr is not a terminal.
 */
export class Progress {
  readonly #label: string;
  readonly #started = Date.now();
  #messages = 0;
  #bytes = 0;
  #drawn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts drawing if stderr is a terminal and `enabled`. */
  constructor(label: string, enabled: boolean) {
    this.#label = label;
    if (enabled && process.stderr.isTTY) {
      this.#timer = setInterval(() => this.#draw(), 250);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Counts messages and their bytes. */
  add(messages: number, bytes: number): void {
    this.#messages += messages;
    this.#bytes += bytes;
  }

  /** Stops, leaving a final line. */
  done(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw();
    process.stderr.write("\n");
  }

  #draw(): void {
    const s = Math.max((Date.now() - this.#started) / 1000, 0.001);
    const mb = this.#bytes / 1e6;
    const line = `${this.#label}: ${this.#messages} messages, ${mb.toFixed(1)} MB, ` +
      `${Math.round(this.#messages / s)} msg/s, ${(mb / s).toFixed(1)} MB/s`;
    process.stderr.write(`\r${line.padEnd(this.#drawn)}`);
    this.#drawn = line.length;
  }
}

/**
 * Throws one error naming every failed item (`name(item): message`, a line each) when any
 * of the per-item results failed; the others were done all the same.
 */
export function throwIfAnyFailed<T extends { error?: Error }>(
  results: readonly T[],
  name: (item: T) => string,
): void {
  const failed = results.filter((r) => r.error !== undefined);
  if (failed.length === 0) return;
  throw new Error(failed.map((r) => `${name(r)}: ${r.error!.message}`).join("\n"));
}

/** Prints `done(item)` for each item that succeeded, then fails naming each that did not. */
export async function reportItems<T extends { error?: Error }>(
  out: Output,
  results: readonly T[],
  done: (item: T) => string,
  name: (item: T) => string,
): Promise<void> {
  for (const r of results) if (!r.error) await out.line(done(r));
  throwIfAnyFailed(results, name);
}
